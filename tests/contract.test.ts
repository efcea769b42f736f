import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "../components/bigquery/tables";
import { PYTHON_SOURCES, SINK_ENV, STREAM_ENV } from "../components/contracts/python-env";
import { KAFKA_MOUNT, type KafkaConsumer } from "../components/contracts/kafka-client";
import { compactionApplication, streamingJobSpec } from "../components/spark/specs";
import { consumerDeployment } from "../components/keda/specs";
import { inputsOf, ofType, shippedPlan, STACKS } from "./support/plans";
import { stackConfig } from "./support/config";

/** Environment variable names a Python source reads: os.environ["X"], os.environ.get("X"…), os.getenv("X"…). */
function pythonEnvReads(source: string): Set<string> {
    const names = new Set<string>();
    for (const m of source.matchAll(/os\.(?:environ(?:\.get)?\s*[[(]|getenv\s*\()\s*["']([A-Za-z_][A-Za-z0-9_]*)["']/g)) names.add(m[1]);
    return names;
}

/** Other ways to reach the environment would hide names from the parser above. */
function unparsedEnvAccess(source: string): string[] {
    return source.split("\n").filter((l) => /\benviron\b|getenv/.test(l) && !/os\.(environ(\.get)?\s*[[(]|getenv\s*\()\s*["']/.test(l));
}

function pythonReads(files: readonly string[]): Set<string> {
    const out = new Set<string>();
    for (const f of files) {
        const src = fs.readFileSync(path.join(REPO_ROOT, f), "utf8");
        assert.deepEqual(unparsedEnvAccess(src), [], `${f}: read the environment only as os.environ["NAME"] / os.environ.get("NAME")`);
        for (const n of pythonEnvReads(src)) out.add(n);
    }
    return out;
}

/** argparse flags a Python source defines. */
function pythonFlags(file: string): Set<string> {
    const src = fs.readFileSync(path.join(REPO_ROOT, file), "utf8");
    return new Set([...src.matchAll(/add_argument\(\s*["'](--[a-z-]+)["']/g)].map((m) => m[1]));
}

/** Names a container sets for its process: its env minus those only the spec itself expands ($(NAME) in args). */
function envSetForPython(container: any, read: Set<string>): Set<string> {
    const expanded = new Set([...JSON.stringify(container.args ?? []).matchAll(/\$\(([A-Z_]+)\)/g)].map((m) => m[1]));
    return new Set(container.env.map((e: { name: string }) => e.name).filter((n: string) => read.has(n) || !expanded.has(n)));
}

const sorted = (s: Iterable<string>) => [...s].sort();
const kafka = (auth: "tls" | "scram-sha-512"): KafkaConsumer => ({
    secretName: "s",
    bootstrapServers: "b:9093",
    authentication: auth,
    group: "g",
    topics: ["events.raw"],
    user: "u",
    keys: auth === "tls" ? { ca: "ca.crt", cert: "user.crt", key: "user.key" } : { ca: "ca.crt", password: "password" },
});
const noIdentity = { env: [], volumes: [], volumeMounts: [] };

describe("contract: pod specs ↔ the platform's Python", () => {
    it("the parser finds every form the Python uses, and only names", () => {
        assert.deepEqual(sorted(pythonEnvReads(`os.environ["A"]\nos.environ.get("B", "x")\nos.getenv('C')\nos.environ[name]`)), ["A", "B", "C"]);
        assert.deepEqual(unparsedEnvAccess("env = os.environ\nx = env['A']"), ["env = os.environ"]);
    });

    it("the exported names are the ones the Python reads, both ways (a rename on either side fails here)", () => {
        const stream = new Set(Object.values(STREAM_ENV).filter((n) => n !== STREAM_ENV.podIp));
        assert.deepEqual(sorted(pythonReads(PYTHON_SOURCES.stream)), sorted(stream));
        assert.deepEqual(sorted(pythonReads(PYTHON_SOURCES.sink)), sorted(new Set(Object.values(SINK_ENV))));
        assert.deepEqual(sorted(pythonReads(PYTHON_SOURCES.compaction)), []);
    });

    for (const stack of STACKS) {
        const cfg = stackConfig(stack);
        for (const auth of ["tls", "scram-sha-512"] as const) {
            it(`${stack} (${auth}): the streaming driver sets exactly what the job reads; its files are in a mounted volume`, () => {
                const job = streamingJobSpec({
                    cfg,
                    namespace: "spark-jobs",
                    kafka: kafka(auth),
                    checkpointUrl: "gs://c/_checkpoints/events",
                    sinkUrl: "gs://c/events",
                    identity: noIdentity,
                    templateConfigMap: "t",
                });
                const c = job.template.spec.containers[0];
                const read = pythonReads(PYTHON_SOURCES.stream);
                const set = envSetForPython(c, read);
                // Authentication-specific names are set for one mode only; the job reads both behind KAFKA_AUTH.
                const other = auth === "tls" ? [STREAM_ENV.username, STREAM_ENV.passwordFile] : [STREAM_ENV.certFile, STREAM_ENV.keyFile];
                assert.deepEqual(sorted(set), sorted([...read].filter((n) => !other.includes(n as never))), "set by the pod spec vs read by the job");
                for (const e of c.env.filter((x: any) => x.name.endsWith("_FILE"))) {
                    assert.ok(
                        c.volumeMounts.some((m: any) => e.value.startsWith(`${m.mountPath}/`)),
                        `${e.name}=${e.value} is in no mounted volume`,
                    );
                    assert.ok(e.value.startsWith(`${KAFKA_MOUNT}/`));
                }
                const template = c.args.find((a: string) => a.startsWith("spark.kubernetes.executor.podTemplateFile="))!.split("=")[1];
                assert.ok(
                    c.volumeMounts.some((m: any) => template.startsWith(`${m.mountPath}/`)),
                    `${template} is in no mounted volume`,
                );
                const flags = pythonFlags("jobs/stream_events.py");
                for (const a of cfg.spark.streaming.arguments.filter((x) => x.startsWith("--")))
                    assert.ok(flags.has(a), `spark.streaming.arguments: ${a} is not a flag of stream_events.py`);
            });

            it(`${stack} (${auth}): each sink Deployment sets exactly what the sink reads`, () => {
                for (const consumer of cfg.autoscaling.deployments.consumers) {
                    const dep = consumerDeployment(consumer, "sa", kafka(auth), "gs://a/kafka/x/");
                    const c = dep.template.spec.containers[0];
                    const other = auth === "tls" ? [SINK_ENV.username, SINK_ENV.passwordFile] : [SINK_ENV.certFile, SINK_ENV.keyFile];
                    const all = pythonReads(PYTHON_SOURCES.sink);
                    const read = [...all].filter((n) => !other.includes(n as never));
                    assert.deepEqual(sorted(envSetForPython(c, all)), sorted(read));
                    for (const e of c.env.filter((x: any) => x.name.endsWith("_FILE"))) {
                        assert.ok(
                            c.volumeMounts.some((m: any) => e.value.startsWith(`${m.mountPath}/`)),
                            `${e.name}=${e.value} is in no mounted volume`,
                        );
                    }
                }
            });
        }

        it(`${stack}: the compaction passes only flags compact_curated.py defines, and all it requires`, () => {
            const app = compactionApplication({ cfg, namespace: "spark-jobs", sourceUrl: "gs://c/events", datasetId: "raw_staging", identity: noIdentity });
            const passed = app.spec.template.arguments.filter((a: string) => a.startsWith("--"));
            const flags = pythonFlags("jobs/compact_curated.py");
            for (const f of passed) assert.ok(flags.has(f), `${f} is not a flag of compact_curated.py`);
            assert.deepEqual(sorted(passed), ["--source", "--table"]);
        });
    }

    it("shipped plan: the streaming Job's identity env is the binder's, everything else is read by the job", async () => {
        const plan = await shippedPlan("aws-staging");
        const [sj] = ofType(plan, "kubernetes:keda.sh/v1alpha1:ScaledJob").map(inputsOf);
        const c = sj.spec.jobTargetRef.template.spec.containers[0];
        const read = pythonReads(PYTHON_SOURCES.stream);
        const unread = [...envSetForPython(c, read)].filter((n) => !read.has(n));
        // The identity binder's variables are for the cloud SDKs (AWS_*), not for the job's code.
        assert.ok(
            unread.every((n) => /^(AWS_|GOOGLE_)/.test(n)),
            `set but never read: ${unread.join(", ")}`,
        );
    });
});
