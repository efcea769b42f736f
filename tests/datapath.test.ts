import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "../components/bigquery/tables";
import { inputsOf, ofType, shippedPlan, STACKS } from "./support/plans";
import { datasetId } from "../components/naming";
import { streamPaths, targetTable } from "../components/contracts/datapath";

/** A list constant of jobs/stream_core.py, e.g. EVENT_COLUMNS = ["a", "b"]. */
function pythonList(name: string): string[] {
    const src = fs.readFileSync(path.join(REPO_ROOT, "jobs/stream_core.py"), "utf8");
    const m = new RegExp(`^${name} = \\[([^\\]]*)\\]`, "m").exec(src);
    assert.ok(m, `${name} not found in jobs/stream_core.py`);
    return [...m[1].matchAll(/"([^"]+)"/g)].map((x) => x[1]);
}

const envOf = (c: any): Record<string, string> => Object.fromEntries(c.env.filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value]));

describe("streaming data path: every location has one writer and a reader (shipped plans)", () => {
    for (const stack of STACKS) {
        describe(stack, () => {
            it("the compaction reads exactly the streaming run's sink path and loads a schema-managed, partitioned, clustered table", async () => {
                const plan = await shippedPlan(stack);
                const cfg = plan.config;
                const [sj] = ofType(plan, "kubernetes:keda.sh/v1alpha1:ScaledJob").map(inputsOf);
                const env = envOf(sj.spec.jobTargetRef.template.spec.containers[0]);
                const [compaction] = ofType(plan, "kubernetes:sparkoperator.k8s.io/v1beta2:ScheduledSparkApplication").map(inputsOf);
                const args: string[] = compaction.spec.template.arguments;
                const arg = (flag: string) => args[args.indexOf(flag) + 1];
                assert.equal(arg("--source"), env.SINK_URL);
                // One sink path, one checkpoint beside it (never inside it: the file sink would list it as data).
                const curated = env.SINK_URL.replace(/\/events$/, "");
                assert.deepEqual(streamPaths(curated), { sink: env.SINK_URL, checkpoint: env.CHECKPOINT_LOCATION });
                assert.ok(!env.CHECKPOINT_LOCATION.startsWith(`${env.SINK_URL}/`));

                const { dataset, table } = targetTable(cfg.spark.compaction.targetTable);
                assert.equal(arg("--table"), `${cfg.warehouseProject}.${datasetId(dataset, cfg.stack)}.${table}`);
                const tables = ofType(plan, "gcp:bigquery/table:Table")
                    .map(inputsOf)
                    .filter((t) => t.tableId === table && t.datasetId === datasetId(dataset, cfg.stack));
                assert.equal(tables.length, 1, `no schema-managed table ${cfg.spark.compaction.targetTable}`);
                assert.equal(tables[0].timePartitioning.type, "DAY");
                assert.ok(tables[0].clusterings.length > 0);
                // The lake rows the run writes are the table's columns (the compaction selects exactly these).
                const file = JSON.parse(fs.readFileSync(path.resolve(REPO_ROOT, cfg.warehouse.schemaDir, dataset, `${table}.json`), "utf8"));
                assert.deepEqual(
                    pythonList("EVENT_COLUMNS"),
                    file.fields.map((f: { name: string }) => f.name),
                );
                assert.deepEqual(
                    pythonList("REQUIRED_COLUMNS").sort(),
                    file.fields
                        .filter((f: { mode: string }) => f.mode === "REQUIRED")
                        .map((f: { name: string }) => f.name)
                        .sort(),
                );
            });

            it("sinks archive into their own prefix of the archive bucket; the curated zone has the streaming run as its only writer", async () => {
                const plan = await shippedPlan(stack);
                const cfg = plan.config;
                const [sj] = ofType(plan, "kubernetes:keda.sh/v1alpha1:ScaledJob").map(inputsOf);
                const curated = envOf(sj.spec.jobTargetRef.template.spec.containers[0])
                    .SINK_URL.replace(/\/events$/, "")
                    .replace(/^s3a:/, "s3:");
                for (const c of cfg.autoscaling.deployments.consumers) {
                    const dep = ofType(plan, "kubernetes:apps/v1:Deployment")
                        .map(inputsOf)
                        .find((d) => d.metadata.name === c.kafkaUser)!;
                    const url = envOf(dep.spec.template.spec.containers[0]).SINK_URL;
                    assert.ok(!url.startsWith(`${curated}/`), `${c.kafkaUser} writes into the curated zone: ${url}`);
                    assert.match(url, new RegExp(`-archive/kafka/${c.kafkaUser}/$`));
                }
            });
        });
    }
});
