import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { changedPaths, destructiveExit, diffMarkdown, diffPlans, PlanDiff, renderDiff } from "../plan/diff";
import { PreviewJson, toPreviewJson, withDiff } from "../plan/json";
import { REPLACE_RULES } from "../plan/replace-rules";
import { ROOT } from "../plan/run";
import { shippedPlan, variantPlan } from "./support/plans";

type State = PreviewJson["steps"][number]["newState"];

const URN = (type: string, name: string) => `urn:pulumi:s::dataplatform::${type}::${name}`;
function state(type: string, name: string, inputs: Record<string, unknown>, extra: Partial<State> = {}): State {
    return { type, urn: URN(type, name), custom: true, inputs, dependencies: [], propertyDependencies: {}, protect: false, retainOnDelete: false, ...extra };
}
const planOf = (...states: State[]): PreviewJson => ({
    stack: "s",
    steps: states.map((s) => ({ op: "create", urn: s.urn, newState: s })),
    outputs: {},
    diagnostics: [],
    changeSummary: { create: states.length },
    placeholders: [],
});
const OPTS = { retentionFloorHours: 24 };
const BUCKET = "gcp:storage/bucket:Bucket";
const TOPIC = "kubernetes:kafka.strimzi.io/v1:KafkaTopic";

describe("plan diff: semantics", () => {
    it("changed paths are leaf paths, arrays by index, added and removed keys included", () => {
        assert.deepEqual(changedPaths({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { b: 2, c: [1, 3, 4] }, e: {} }), ["a.b", "a.c[1]", "a.c[2]", "d", "e"]);
        assert.deepEqual(changedPaths({ a: [{ x: 1 }] }, { a: [{ x: 1 }] }), []);
    });

    it("classifies create, update, replace, delete and same by URN", () => {
        const base = planOf(
            state(BUCKET, "same", { name: "a", labels: { x: "1" } }),
            state(BUCKET, "upd", { name: "b", labels: { x: "1" } }),
            state(BUCKET, "rep", { name: "c", location: "EU" }),
            state("gcp:compute/network:Network", "gone", { name: "n" }),
        );
        const head = planOf(
            state(BUCKET, "same", { name: "a", labels: { x: "1" } }),
            state(BUCKET, "upd", { name: "b", labels: { x: "2" } }),
            state(BUCKET, "rep", { name: "c", location: "US" }),
            state(BUCKET, "new", { name: "d" }),
        );
        const d = diffPlans(base, head, OPTS);
        const op = (n: string) => d.steps.find((s) => s.urn.endsWith(`::${n}`))!;
        assert.equal(op("same").op, "same");
        assert.equal(op("upd").op, "update");
        assert.deepEqual(op("upd").diffReasons, ["labels.x"]);
        assert.equal(op("rep").op, "replace");
        assert.deepEqual(op("rep").replaceReasons, ["location"]);
        assert.equal(op("new").op, "create");
        assert.equal(op("gone").op, "delete");
        assert.deepEqual(d.counts, { create: 1, update: 1, replace: 1, delete: 1, same: 1 });
        // The bucket replacement loses its objects; the network delete holds no data.
        assert.deepEqual(
            d.destructive.map((f) => [f.urn.split("::").pop(), f.property, f.old, f.new]),
            [["rep", "location", "EU", "US"]],
        );
    });

    it("a URN change without an alias is a delete plus a create; with an alias it is the same resource", () => {
        const base = planOf(state(BUCKET, "old", { name: "a" }));
        const renamed = diffPlans(base, planOf(state(BUCKET, "new", { name: "a" })), OPTS);
        assert.deepEqual(renamed.steps.map((s) => s.op).sort(), ["create", "delete"]);
        assert.equal(renamed.destructive[0].op, "delete");
        const aliased = diffPlans(base, planOf(state(BUCKET, "new", { name: "a" }, { aliases: [{ name: "old" }] })), OPTS);
        assert.deepEqual(
            aliased.steps.map((s) => [s.op, s.aliasOf]),
            [["same", URN(BUCKET, "old")]],
        );
        assert.deepEqual(aliased.destructive, []);
    });

    it("the resource's replaceOnChanges option forces a replacement, as the engine does", () => {
        const t = "gcp:compute/network:Network";
        const base = planOf(state(t, "n", { description: "a" }));
        assert.equal(diffPlans(base, planOf(state(t, "n", { description: "b" })), OPTS).steps[0].op, "update");
        assert.equal(diffPlans(base, planOf(state(t, "n", { description: "b" }, { replaceOnChanges: ["description"] })), OPTS).steps[0].op, "replace");
    });

    it("Kubernetes objects not in the table are replaced when their name or namespace changes", () => {
        const t = "kubernetes:core/v1:ConfigMap";
        const base = planOf(state(t, "c", { metadata: { name: "a", namespace: "x" }, data: { k: "1" } }));
        assert.equal(diffPlans(base, planOf(state(t, "c", { metadata: { name: "a", namespace: "x" }, data: { k: "2" } })), OPTS).steps[0].op, "update");
        assert.deepEqual(diffPlans(base, planOf(state(t, "c", { metadata: { name: "b", namespace: "x" }, data: { k: "1" } })), OPTS).steps[0].replaceReasons, [
            "metadata.name",
        ]);
    });

    it("retention is destructive only when lowered below the floor; partitions only when reduced", () => {
        const topic = (retentionMs: number, partitions: number) => state(TOPIC, "t", { spec: { partitions, config: { "retention.ms": retentionMs } } });
        const h = 3_600_000;
        const found = (a: State, b: State) => diffPlans(planOf(a), planOf(b), OPTS).destructive.map((f) => f.property);
        assert.deepEqual(found(topic(168 * h, 6), topic(48 * h, 6)), [], "lowered, still above the 24 h floor");
        assert.deepEqual(found(topic(168 * h, 6), topic(12 * h, 6)), ["spec.config.retention.ms"]);
        assert.deepEqual(found(topic(12 * h, 6), topic(6 * h, 6)), ["spec.config.retention.ms"], "below the floor already, lowered again");
        assert.deepEqual(found(topic(168 * h, 6), topic(168 * h, 12)), []);
        assert.deepEqual(found(topic(168 * h, 6), topic(168 * h, 3)), ["spec.partitions"]);
    });

    it("a lifecycle that deletes earlier is destructive, one that deletes later is not", () => {
        const b = (age: number) =>
            state(BUCKET, "b", {
                name: "b",
                lifecycleRules: [
                    { action: { type: "SetStorageClass", storageClass: "NEARLINE" }, condition: { age: 1 } },
                    { action: { type: "Delete" }, condition: { age, withState: "LIVE" } },
                ],
            });
        assert.deepEqual(diffPlans(planOf(b(90)), planOf(b(120)), OPTS).destructive, []);
        assert.deepEqual(
            diffPlans(planOf(b(90)), planOf(b(30)), OPTS).destructive.map((f) => [f.old, f.new]),
            [[90, 30]],
        );
    });

    it("BigQuery columns: dropped or retyped is destructive, an added NULLABLE column is not", () => {
        const t = "gcp:bigquery/table:Table";
        const cols = (...c: object[]) => state(t, "t", { tableId: "t", schema: JSON.stringify(c) });
        const id = { name: "id", type: "STRING", mode: "REQUIRED" };
        const n = { name: "n", type: "INT64", mode: "NULLABLE" };
        assert.deepEqual(diffPlans(planOf(cols(id)), planOf(cols(id, n)), OPTS).destructive, []);
        assert.deepEqual(
            diffPlans(planOf(cols(id, n)), planOf(cols(id)), OPTS).destructive.map((f) => f.property),
            ["schema.n"],
        );
        assert.deepEqual(
            diffPlans(planOf(cols(id, n)), planOf(cols(id, { ...n, type: "STRING" })), OPTS).destructive.map((f) => f.property),
            ["schema.n.type"],
        );
    });

    it("exit 4 only for a destructive change in prod, unless allowed", () => {
        const d: PlanDiff = {
            steps: [],
            counts: { create: 0, update: 0, replace: 0, delete: 1, same: 0 },
            destructive: [{ urn: "u", type: BUCKET, op: "delete", property: "(resource)", old: "a", new: undefined, why: "x" }],
        };
        assert.equal(destructiveExit(d, "prod", false), true);
        assert.equal(destructiveExit(d, "prod", true), false);
        assert.equal(destructiveExit(d, "staging", false), false);
        assert.equal(destructiveExit({ ...d, destructive: [] }, "prod", false), false);
        assert.equal(destructiveExit(undefined, "prod", false), false);
    });

    it("every data-bearing entry says what it holds, and every entry cites its source", () => {
        for (const [type, rule] of Object.entries(REPLACE_RULES)) {
            assert.ok(rule.source.length > 10, `${type}: source`);
            assert.ok(rule.replaceOn.length > 0, `${type}: replace-forcing inputs`);
            if (rule.dataBearing) assert.ok(rule.holds, `${type}: what is lost`);
        }
    });
});

// ---- The corpus: real config and schema changes on copies of the shipped stacks ----

type Mutation = (c: Record<string, any>) => void;
const topic = (c: Record<string, any>, name: string) => c["dataplatform:kafka"].topics.find((t: { name: string }) => t.name === name);
const bucket = (c: Record<string, any>, name: string) => c["dataplatform:lake"].buckets.find((b: { name: string }) => b.name === name);
/** An extra bucket shaped like the stack's archive bucket (its storage classes fit the cloud). */
const extraBucket =
    (name: string): Mutation =>
    (c) => {
        c["dataplatform:lake"].buckets.push({ ...structuredClone(bucket(c, "archive")), name });
    };
const withExports = extraBucket("exports");
const renameExports = extraBucket("exports-v2");
const dropTopic =
    (name: string): Mutation =>
    (c) => {
        const k = c["dataplatform:kafka"];
        k.topics = k.topics.filter((t: { name: string }) => t.name !== name);
        for (const u of k.users) u.topics = u.topics.filter((t: string) => t !== name);
    };

/** A copy of the table schema folder with one file changed; the stack points its schemaDir at it. */
function schemaCopy(edit: (cols: Record<string, any>[]) => Record<string, any>[]): Mutation {
    return (c) => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "schemas-"));
        fs.cpSync(path.join(ROOT, "schemas", "bigquery"), dir, { recursive: true });
        // The program refuses column drops and retypes in prod against the lock's columns before any resource
        // exists (columnChanges); a layouts-only lock lets the plan through, so the diff's own finding is tested.
        const lockFile = path.join(dir, "prod-layout.lock.json");
        const lock = JSON.parse(fs.readFileSync(lockFile, "utf8")) as Record<string, string | { layout: string }>;
        fs.writeFileSync(lockFile, JSON.stringify(Object.fromEntries(Object.entries(lock).map(([k, v]) => [k, typeof v === "string" ? v : v.layout]))));
        const file = path.join(dir, "raw", "events.json");
        const json = JSON.parse(fs.readFileSync(file, "utf8"));
        fs.writeFileSync(file, JSON.stringify({ ...json, fields: edit(json.fields) }));
        c["dataplatform:warehouse"].schemaDir = dir;
    };
}

interface Case {
    what: string;
    stack: string;
    /** The base: the shipped stack, or a variant of it when the change removes something the stack does not ship. */
    base?: Mutation;
    mutate?: Mutation;
    /** A code change rather than a config change: edits the head plan JSON the way the code change would. */
    edit?: (json: PreviewJson) => void;
    /** Expected finding: a resource URN part and the property. */
    expect?: [string, string];
}

const editInputs = (type: string, name: string, f: (inputs: Record<string, any>) => void) => (json: PreviewJson) => {
    const s = json.steps.find((x) => x.newState.type === type && x.urn.endsWith(`::${name}`));
    if (!s) throw new Error(`no ${type} ${name} in the plan`);
    f(s.newState.inputs);
};

const DESTRUCTIVE: Case[] = [
    {
        what: "rename a lake bucket",
        stack: "prod",
        base: withExports,
        mutate: renameExports,
        expect: ["gcp:storage/bucket:Bucket::lake-exports", "(resource)"],
    },
    {
        what: "move the warehouse location",
        stack: "prod",
        mutate: (c) => {
            c["dataplatform:warehouse"].location = "US";
        },
        expect: ["gcp:bigquery/dataset:Dataset::warehouse-raw", "location"],
    },
    { what: "remove a topic", stack: "prod", mutate: dropTopic("events.dlq"), expect: ["KafkaTopic::kafka-cluster-topic-events.dlq", "(resource)"] },
    {
        what: "reduce a topic's partitions",
        stack: "prod",
        mutate: (c) => {
            topic(c, "events.raw").partitions = 12;
        },
        expect: ["KafkaTopic::kafka-cluster-topic-events.raw", "spec.partitions"],
    },
    {
        what: "cut retention below the floor",
        stack: "prod",
        mutate: (c) => {
            topic(c, "events.raw").retentionHours = 12;
        },
        expect: ["KafkaTopic::kafka-cluster-topic-events.raw", "spec.config.retention.ms"],
    },
    {
        what: "shrink the brokers' Kafka volumes",
        stack: "prod",
        mutate: (c) => {
            c["dataplatform:kafka"].storageSizeGi = 500;
        },
        expect: ["KafkaNodePool::kafka-cluster-brokers", "spec.storage.volumes[id=0].size"],
    },
    {
        what: "remove a JBOD volume",
        stack: "prod",
        mutate: (c) => {
            c["dataplatform:kafka"].volumesPerBroker = 1;
        },
        expect: ["KafkaNodePool::kafka-cluster-brokers", "spec.storage.volumes[id=1]"],
    },
    {
        what: "shrink the controllers' volume",
        stack: "prod",
        mutate: (c) => {
            c["dataplatform:kafka"].controller.storageSizeGi = 20;
        },
        expect: ["KafkaNodePool::kafka-cluster-controllers", "spec.storage.volumes[id=0].size"],
    },
    {
        what: "remove a dataset",
        stack: "prod",
        mutate: (c) => {
            const w = c["dataplatform:warehouse"];
            w.datasets = w.datasets.filter((d: { name: string }) => d.name !== "staging");
            c["dataplatform:airflow"].datasets = ["raw", "curated"];
        },
        expect: ["gcp:bigquery/dataset:Dataset::warehouse-staging", "(resource)"],
    },
    {
        what: "delete logs earlier",
        stack: "prod",
        mutate: (c) => {
            bucket(c, "logs").expirationDays = 30;
        },
        expect: ["gcp:storage/bucket:Bucket::lake-logs", "lifecycle: delete live objects after (days)"],
    },
    {
        what: "expire noncurrent versions earlier",
        stack: "prod",
        mutate: (c) => {
            bucket(c, "raw").noncurrentVersionExpirationDays = 7;
        },
        expect: ["gcp:storage/bucket:Bucket::lake-raw", "lifecycle: delete noncurrent objects after (days)"],
    },
    {
        what: "move the Vault KV mount",
        stack: "prod",
        mutate: (c) => {
            c["dataplatform:vault"].kvMount = "kv-dataplatform-prod-2";
        },
        expect: ["vault:index/mount:Mount::vault-engines-kv", "path"],
    },
    {
        what: "drop a column",
        stack: "prod",
        mutate: schemaCopy((cols) => cols.filter((x) => x.name !== "session_id")),
        expect: ["gcp:bigquery/table:Table::warehouse-raw-events", "schema.session_id"],
    },
    {
        what: "retype a column",
        stack: "prod",
        mutate: schemaCopy((cols) => cols.map((x) => (x.name === "event_id" ? { ...x, type: "BYTES" } : x))),
        expect: ["gcp:bigquery/table:Table::warehouse-raw-events", "schema.event_id.type"],
    },
    {
        what: "rename a lake bucket (AWS)",
        stack: "aws-prod",
        base: withExports,
        mutate: renameExports,
        expect: ["aws:s3/bucket:Bucket::lake-exports", "(resource)"],
    },
    { what: "remove a topic (AWS)", stack: "aws-prod", mutate: dropTopic("events.dlq"), expect: ["KafkaTopic::kafka-cluster-topic-events.dlq", "(resource)"] },
    {
        what: "reduce partitions (AWS)",
        stack: "aws-prod",
        mutate: (c) => {
            topic(c, "events.raw").partitions = 12;
        },
        expect: ["KafkaTopic::kafka-cluster-topic-events.raw", "spec.partitions"],
    },
    {
        what: "shrink Kafka volumes (AWS)",
        stack: "aws-prod",
        mutate: (c) => {
            c["dataplatform:kafka"].storageSizeGi = 800;
        },
        expect: ["KafkaNodePool::kafka-cluster-brokers", "spec.storage.volumes[id=0].size"],
    },
    {
        what: "delete logs earlier (AWS)",
        stack: "aws-prod",
        mutate: (c) => {
            bucket(c, "logs").expirationDays = 30;
        },
        expect: ["BucketLifecycleConfiguration::lake-logs-lifecycle", "lifecycle: delete live objects after (days)"],
    },
    {
        what: "move the warehouse location (AWS stack)",
        stack: "aws-prod",
        mutate: (c) => {
            c["dataplatform:warehouse"].location = "US";
        },
        expect: ["gcp:bigquery/dataset:Dataset::warehouse-raw", "location"],
    },
    {
        what: "expire noncurrent versions earlier (AWS)",
        stack: "aws-prod",
        mutate: (c) => {
            bucket(c, "raw").noncurrentVersionExpirationDays = 7;
        },
        expect: ["BucketLifecycleConfiguration::lake-raw-lifecycle", "lifecycle: delete noncurrent objects after (days)"],
    },
    // Code changes (no config key drives these): the head plan is edited as the code change would.
    {
        what: "turn versioning off in prod (GCS)",
        stack: "prod",
        edit: editInputs(BUCKET, "lake-raw", (i) => {
            i.versioning = { enabled: false };
        }),
        expect: ["gcp:storage/bucket:Bucket::lake-raw", "versioning.enabled"],
    },
    {
        what: "suspend versioning in prod (S3)",
        stack: "aws-prod",
        edit: editInputs("aws:s3/bucketVersioning:BucketVersioning", "lake-raw-versioning", (i) => {
            i.versioningConfiguration = { status: "Suspended" };
        }),
        expect: ["BucketVersioning::lake-raw-versioning", "versioningConfiguration.status"],
    },
    {
        what: "rename a key ring",
        stack: "prod",
        edit: editInputs("gcp:kms/keyRing:KeyRing", "foundation-keys-ring", (i) => {
            i.name = `${i.name}-v2`;
        }),
        expect: ["KeyRing::foundation-keys-ring", "name"],
    },
    {
        what: "change the RDS encryption key",
        stack: "aws-prod",
        edit: editInputs("aws:rds/instance:Instance", "airflow-db-instance", (i) => {
            i.kmsKeyId = "arn:aws:kms:eu-west-1:222222222222:key/other";
        }),
        expect: ["aws:rds/instance:Instance::airflow-db-instance", "kmsKeyId"],
    },
    {
        what: "change a table's partitioning",
        stack: "prod",
        edit: editInputs("gcp:bigquery/table:Table", "warehouse-raw-events", (i) => {
            i.timePartitioning = { ...i.timePartitioning, type: "MONTH" };
        }),
        expect: ["gcp:bigquery/table:Table::warehouse-raw-events", "timePartitioning.type"],
    },
];

const HARMLESS: Case[] = [
    {
        what: "add a topic",
        stack: "prod",
        mutate: (c) => {
            c["dataplatform:kafka"].topics.push({ name: "events.audit", partitions: 6, retentionHours: 168 });
        },
    },
    {
        what: "raise a node pool's max",
        stack: "prod",
        mutate: (c) => {
            c["dataplatform:cluster"].nodePools.spark.max = 14;
        },
    },
    {
        what: "change an image tag",
        stack: "prod",
        mutate: (c) => {
            c["dataplatform:spark"].image = c["dataplatform:spark"].image.replace(/:[^:]+$/, ":1.4.1");
        },
    },
    {
        what: "add a Kafka user",
        stack: "prod",
        mutate: (c) => {
            c["dataplatform:kafka"].users.push({
                name: "audit-reader",
                role: "consumer",
                topics: ["events.curated"],
                group: "audit-reader",
                namespaces: ["ingestion"],
            });
        },
    },
    {
        what: "raise retention",
        stack: "prod",
        mutate: (c) => {
            topic(c, "events.raw").retentionHours = 336;
        },
    },
    {
        what: "lower retention, still above the floor",
        stack: "prod",
        mutate: (c) => {
            topic(c, "events.dlq").retentionHours = 336;
        },
    },
    {
        what: "add a NULLABLE column",
        stack: "prod",
        mutate: schemaCopy((cols) => [...cols, { name: "campaign_id", type: "STRING", mode: "NULLABLE", description: "Campaign attribution, when known." }]),
    },
    {
        what: "raise partitions",
        stack: "prod",
        mutate: (c) => {
            topic(c, "events.raw").partitions = 48;
        },
    },
    {
        what: "grow the Kafka volumes",
        stack: "prod",
        mutate: (c) => {
            c["dataplatform:kafka"].storageSizeGi = 1500;
        },
    },
    {
        what: "add a dataset",
        stack: "prod",
        mutate: (c) => {
            c["dataplatform:warehouse"].datasets.push({ name: "sandbox", description: "Analyst sandbox" });
        },
    },
    { what: "add a lake bucket", stack: "prod", mutate: withExports },
    {
        what: "move a transition later",
        stack: "prod",
        mutate: (c) => {
            bucket(c, "raw").transitions[0].ageDays = 60;
        },
    },
    {
        what: "keep logs longer",
        stack: "prod",
        mutate: (c) => {
            bucket(c, "logs").expirationDays = 120;
        },
    },
    {
        what: "raise the lag threshold",
        stack: "prod",
        mutate: (c) => {
            c["dataplatform:autoscaling"].lagThreshold = 40000;
        },
    },
    {
        what: "raise the budget",
        stack: "prod",
        mutate: (c) => {
            c["dataplatform:budget"].amount = 15000;
        },
    },
    {
        what: "change alert thresholds",
        stack: "prod",
        mutate: (c) => {
            c["dataplatform:monitoring"].alerts.consumerLagMessages = 300000;
        },
    },
    {
        what: "change the Airflow image",
        stack: "prod",
        mutate: (c) => {
            c["dataplatform:airflow"].image = c["dataplatform:airflow"].image.replace(/-1$/, "-2");
        },
    },
    {
        what: "change the team label",
        stack: "prod",
        mutate: (c) => {
            c["dataplatform:labels"].team = "data-eng";
        },
    },
    {
        what: "add a broker",
        stack: "prod",
        mutate: (c) => {
            c["dataplatform:kafka"].brokers = 4;
        },
    },
    {
        what: "raise the Vault token TTL",
        stack: "prod",
        mutate: (c) => {
            c["dataplatform:vault"].tokenTtlSeconds = 900;
        },
    },
    {
        what: "add a topic (AWS)",
        stack: "aws-prod",
        mutate: (c) => {
            c["dataplatform:kafka"].topics.push({ name: "events.audit", partitions: 6, retentionHours: 168 });
        },
    },
    {
        what: "grow the Kafka volumes (AWS)",
        stack: "aws-prod",
        mutate: (c) => {
            c["dataplatform:kafka"].storageSizeGi = 1200;
        },
    },
    {
        what: "raise the system node group's max (AWS)",
        stack: "aws-prod",
        mutate: (c) => {
            c["dataplatform:cluster"].nodePools.system.max = 5;
        },
    },
    {
        what: "keep noncurrent versions longer (AWS)",
        stack: "aws-prod",
        mutate: (c) => {
            bucket(c, "raw").noncurrentVersionExpirationDays = 60;
        },
    },
];

async function diffCase(c: Case): Promise<{ diff: PlanDiff; environment: string }> {
    const base = toPreviewJson(c.base ? await variantPlan(c.stack, c.base, { skipPolicies: true }) : await shippedPlan(c.stack));
    const plan = c.mutate ? await variantPlan(c.stack, c.mutate, { skipPolicies: true }) : await shippedPlan(c.stack);
    const head = structuredClone(toPreviewJson(plan));
    c.edit?.(head);
    return { diff: diffPlans(base, head, { retentionFloorHours: plan.config.review.retentionFloorHours }), environment: plan.config.environment };
}

describe("plan diff: destructive changes on the shipped stacks", () => {
    it(`the corpus has at least 20 destructive and 20 harmless changes`, () => {
        assert.ok(DESTRUCTIVE.length >= 20 && HARMLESS.length >= 20);
    });

    for (const c of DESTRUCTIVE) {
        it(`${c.stack}: ${c.what} is destructive (exit 4), naming the resource and property`, async () => {
            const { diff, environment } = await diffCase(c);
            const [urnPart, property] = c.expect!;
            const hit = diff.destructive.find((f) => f.urn.includes(urnPart) && f.property === property);
            assert.ok(
                hit,
                `expected ${urnPart} ${property}; found: ${JSON.stringify(diff.destructive.map((f) => [f.urn.split("::").slice(2).join("::"), f.property]))}`,
            );
            assert.ok(hit.why.length > 10);
            assert.equal(destructiveExit(diff, environment, false), true);
        });
    }

    for (const c of HARMLESS) {
        it(`${c.stack}: ${c.what} is not destructive`, async () => {
            const { diff } = await diffCase(c);
            assert.deepEqual(diff.destructive, []);
            assert.ok(diff.counts.create + diff.counts.update > 0, "the change shows up as creates or updates");
            assert.equal(diff.counts.delete, 0);
        });
    }

    it("an unchanged stack diffs as all same (the plan is deterministic)", async () => {
        for (const stack of ["prod", "aws-prod"]) {
            const plan = await shippedPlan(stack);
            const again = await variantPlan(stack, () => undefined, { skipPolicies: true });
            const d = diffPlans(toPreviewJson(plan), toPreviewJson(again), OPTS);
            assert.deepEqual(
                { ...d.counts, same: 0 },
                { create: 0, update: 0, replace: 0, delete: 0, same: 0 },
                JSON.stringify(d.steps.filter((s) => s.op !== "same").slice(0, 3)),
            );
        }
    });

    it("in staging the same change is reported but does not block", async () => {
        const { diff, environment } = await diffCase({ what: "rename a bucket", stack: "staging", base: withExports, mutate: renameExports });
        assert.ok(diff.destructive.length > 0);
        assert.equal(destructiveExit(diff, environment, false), false);
        const text = renderDiff(diff, "base.json", environment, false).join("\n");
        assert.match(text, /DESTRUCTIVE changes \(\d+, reported only \(not prod\)\)/);
    });

    it("text and markdown list destructive changes first, then replacements, updates, then creates; JSON carries each step's op", async () => {
        const c = DESTRUCTIVE.find((x) => x.what === "move the warehouse location")!;
        const { diff, environment } = await diffCase(c);
        const text = renderDiff(diff, "base.json", environment, false).join("\n");
        const order = ["DESTRUCTIVE", "Replacements", "Updates"].map((h) => text.indexOf(h));
        assert.ok(
            order.every((i, k) => i >= 0 && (k === 0 || i > order[k - 1])),
            text.slice(0, 400),
        );
        const md = diffMarkdown(diff, environment, false);
        assert.ok(md.indexOf("Destructive") < md.indexOf("| replace |"));
        assert.match(md, /allow-destructive/);
        const base = toPreviewJson(await shippedPlan("prod"));
        const head = toPreviewJson(await variantPlan("prod", c.mutate!, { skipPolicies: true }));
        const json = withDiff(head, base, diff);
        assert.equal(json.steps.find((s) => s.urn.endsWith("::warehouse-raw"))!.op, "replace");
        assert.equal(json.steps.find((s) => s.urn.endsWith("::warehouse-raw"))!.replaceReasons![0], "location", "the reasons in the table's order");
        assert.deepEqual(json.changeSummary, diff.counts);
        assert.ok(json.diff!.destructive.length > 0);
    });
});

describe("plan diff: the CLI", () => {
    it("--base on prod exits 4 on a destructive change, 0 with --allow-destructive; a bad base file exits 2", async () => {
        // The base: the shipped prod plan with a bucket that the head no longer has (as if the head removed it).
        const base = toPreviewJson(await shippedPlan("prod"));
        const extra = structuredClone(base.steps.find((s) => s.urn.endsWith("::lake-archive"))!);
        extra.urn = extra.newState.urn = extra.urn.replace("::lake-archive", "::lake-exports");
        base.steps.push(extra);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-diff-"));
        const file = path.join(dir, "base.json");
        fs.writeFileSync(file, JSON.stringify(base));
        const run = (...args: string[]) =>
            spawnSync(process.execPath, [require.resolve("tsx/cli"), "plan/cli.ts", "--stack", "prod", "--quiet", ...args], { cwd: ROOT, encoding: "utf8" });
        const blocked = run("--base", file);
        assert.equal(blocked.status, 4, blocked.stderr);
        assert.match(blocked.stdout, /DESTRUCTIVE changes \(1, blocks the plan \(exit 4\)/);
        assert.match(blocked.stdout, /! delete gcp:storage\/bucket:Bucket::lake-exports/);
        const allowed = run("--base", file, "--allow-destructive");
        assert.equal(allowed.status, 0, allowed.stderr);
        fs.writeFileSync(file, '{"steps": 3}');
        const bad = run("--base", file);
        assert.equal(bad.status, 2);
        assert.match(bad.stderr, /not a plan JSON/);
    });
});
