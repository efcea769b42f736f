import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { fromConfigMap } from "../components/config";
import { ROOT } from "../plan/run";
import { configReference } from "../plan/config-doc";
import { flatten } from "../plan/diff";
import type { PreviewJson } from "../plan/json";
import { MOCK_PROJECT_NUMBER } from "../plan/mocks";

const tsx = path.join(ROOT, "node_modules", ".bin", "tsx");
const run = (...args: string[]) => spawnSync(tsx, ["plan/cli.ts", ...args], { cwd: ROOT, encoding: "utf8" });

describe("plan CLI and repository hygiene", () => {
    it("-h and --help list the options, the exit codes and the stacks", () => {
        for (const flag of ["-h", "--help"]) {
            const r = run(flag);
            assert.equal(r.status, 0, r.stderr);
            for (const s of ["--stack", "--json", "--markdown", "--quiet", "exit codes", "2 config or schema-file error"])
                assert.ok(r.stdout.includes(s), `${flag}: ${s}`);
            for (const f of fs.readdirSync(ROOT).filter((n) => /^Pulumi\..+\.yaml$/.test(n))) assert.ok(r.stdout.includes(f.slice(7, -5)), f);
        }
        const bad = run("--nope");
        assert.equal(bad.status, 2);
        assert.match(bad.stderr, /exit codes/);
    });

    it("new-stack, stacks and schema-lock: a bad option exits 2 with the usage, never a stack trace; -h exits 0", () => {
        for (const tool of ["plan/new-stack.ts", "plan/stacks.ts", "plan/schema-lock.ts"]) {
            const bad = spawnSync(tsx, [tool, "--nope"], { cwd: ROOT, encoding: "utf8" });
            assert.equal(bad.status, 2, `${tool}: ${bad.stderr}`);
            assert.match(bad.stderr, /Unknown option '--nope'/, tool);
            assert.match(bad.stderr, /npm run/, `${tool} prints its usage`);
            assert.doesNotMatch(bad.stderr, /^\s+at /m, `${tool}: no stack trace`);
            const help = spawnSync(tsx, [tool, "-h"], { cwd: ROOT, encoding: "utf8" });
            assert.equal(help.status, 0, `${tool}: ${help.stderr}`);
            assert.match(help.stdout, /npm run/, tool);
        }
    });

    it("the plan text does not end on a dangling policy heading; values the mocks invented are marked in text and JSON", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-cli-"));
        try {
            const file = path.join(dir, "plan.json");
            const r = run("--stack", "staging", "--quiet", "--json", file);
            assert.equal(r.status, 0, r.stderr);
            const last = r.stdout.trimEnd().split("\n").pop()!;
            assert.doesNotMatch(last, /:$/, `last line: ${last}`);
            // A GCP stack: the EKS rule checked nothing (n/a), the GKE rule passed.
            assert.match(r.stdout, /^ {2}eks-cluster-hardened +mandatory +n\/a \(no resource of the types it checks\)$/m);
            assert.match(r.stdout, /^ {2}gke-cluster-hardened +mandatory +pass\b/m);
            // The endpoint is the mock's; the cluster name comes from the stack.
            assert.match(r.stdout, /^ {2}clusterEndpoint: <mock: "https:\/\/10\.\d+\.0\.2">$/m);
            assert.match(r.stdout, /^ {2}clusterName: "dataplatform-staging"$/m);
            const json = JSON.parse(fs.readFileSync(file, "utf8")) as PreviewJson;
            assert.ok(json.mocked!.outputs.includes("clusterEndpoint"));
            for (const k of ["clusterName", "gcpProject", "registry", "buckets.raw"]) assert.ok(!json.mocked!.outputs.includes(k), k);
            // The project number: in the service agents' key grants, never in config.
            const grant = json.steps.find(
                (s) => s.newState.type === "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember" && s.urn.endsWith("::foundation-keys-registry-agent"),
            )!;
            assert.match(String(grant.newState.inputs.member), new RegExp(MOCK_PROJECT_NUMBER));
            assert.deepEqual(json.mocked!.inputs[grant.urn], ["member"]);
            const ring = json.steps.find((s) => s.urn.endsWith("::foundation-keys-ring"))!;
            assert.equal(json.mocked!.inputs[ring.urn], undefined, "the key ring's inputs all come from config and the program");
            // Every marked path names an input that exists.
            for (const [urn, paths] of Object.entries(json.mocked!.inputs)) {
                const flat = flatten(json.steps.find((s) => s.urn === urn)!.newState.inputs);
                for (const p of paths) assert.ok(flat.has(p), `${urn} ${p}`);
            }
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    }).timeout(120000);

    it("the config reference shows lower bounds and what node pool counts mean per cloud", () => {
        const ref = configReference();
        const row = (key: string) => ref.split("\n").find((l) => l.startsWith(`| \`${key}\` |`)) ?? "";
        assert.match(row("kafka.brokers"), /≥ 1, ≤ 30/);
        assert.match(row("cluster.nodePools.kafka.min"), /≥ 0 \| .*per zone on GKE.*in total on EKS/);
        assert.match(row("cluster.nodePools.spark.max"), /≥ 1 \| .*per zone on GKE/);
        assert.doesNotMatch(ref, /9007199254740991/, "no meaningless upper bound");
        // Every key is documented: the schema's .describe() (or the top-level summary) fills the last column.
        const rows = ref.split("\n").slice(2);
        assert.ok(rows.length > 200, "rows were generated");
        const undocumented = rows.filter((l) => l.split("|").at(-2)!.trim() === "").map((l) => l.split("|")[1].trim());
        assert.deepEqual(undocumented, [], "config keys without a description");
    });

    it("a key without the dataplatform: namespace gets a clear message", () => {
        const { problems, raw } = fromConfigMap({ kafka: "{}", "dataplatform:cloud": "gcp" }, []);
        assert.deepEqual(problems, ["kafka: a config key needs its namespace; write dataplatform:kafka"]);
        assert.deepEqual(raw, { cloud: "gcp" });
    });

    it("plan outputs are ignored by git; LICENSE is the Apache-2.0 text package.json names", () => {
        for (const f of ["prod.plan.md", "prod.plan.json"]) {
            assert.equal(spawnSync("git", ["check-ignore", "-q", f], { cwd: ROOT }).status, 0, `${f} is ignored`);
        }
        const license = fs.readFileSync(path.join(ROOT, "LICENSE"), "utf8");
        assert.match(license, /Apache License\s+Version 2\.0, January 2004/);
        assert.equal(JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).license, "Apache-2.0");
        const changelog = fs.readFileSync(path.join(ROOT, "CHANGELOG.md"), "utf8");
        assert.match(changelog, /^## \[?(Unreleased|\d+\.\d+\.\d+)/m);
    });
});
