import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LAYOUT_LOCK, layoutChanges, layoutOf, loadTableSpecs, parseTableFile, REPO_ROOT, SchemaFileError } from "../components/gcp/tables";
import { BI_DATASET_ROLE, BI_PROJECT_ROLES } from "../components/gcp/bi";
import { inputsOf, ofType, shippedPlan, STACKS, variantPlan } from "./support/plans";
import { datasetId, stackAccountId } from "../components/naming";

type Raw = Record<string, any>;
const DATASETS = ["raw", "staging", "curated"];
const SAMPLE = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "schemas/bigquery/raw/events.json"), "utf8")) as Raw;

/** A copy of the events schema with a change, parsed as if it were schemas/bigquery/raw/events.json. */
function parseVariant(change: (t: Raw) => void, file = "schemas/bigquery/raw/events.json") {
    const t = structuredClone(SAMPLE);
    change(t);
    return parseTableFile(file, JSON.stringify(t));
}

function tmpSchemas(files: Record<string, string>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "schemas-"));
    for (const [f, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
        fs.writeFileSync(path.join(dir, f), text);
    }
    return dir;
}

describe("warehouse", () => {
    describe("table schema files (pure)", () => {
        const specs = loadTableSpecs("schemas/bigquery", DATASETS);

        it("reads the sample tables, one per file", () => {
            assert.deepEqual(specs.map((s) => `${s.dataset}.${s.tableId}`).sort(), ["curated.customer_sessions", "curated.orders_daily", "raw.events"]);
        });

        it("every sample table is partitioned by day on a TIMESTAMP/DATE column, clustered (≤ 4) and requires a partition filter", () => {
            for (const s of specs) {
                const fields = JSON.parse(s.schema) as Raw[];
                const pf = fields.find((f) => f.name === s.timePartitioning.field);
                assert.equal(s.timePartitioning.type, "DAY", s.file);
                assert.ok(pf && ["TIMESTAMP", "DATE"].includes(pf.type), `${s.file}: partition column type`);
                assert.ok(s.clusterings.length >= 1 && s.clusterings.length <= 4, s.file);
                for (const c of s.clusterings) assert.ok(fields.some((f) => f.name === c), `${s.file}: ${c}`);
                assert.equal(s.requirePartitionFilter, true, s.file);
                assert.ok(fields.every((f) => f.description && f.mode), `${s.file}: modes and descriptions`);
            }
        });

        const bad: [string, (t: Raw) => void, RegExp][] = [
            ["partition column missing", (t) => (t.timePartitioning.field = "occurred_at"), /timePartitioning.field 'occurred_at' is not a top-level column/],
            ["partition column is a STRING", (t) => (t.timePartitioning.field = "event_type"), /'event_type' is STRING; it must be TIMESTAMP or DATE/],
            ["partitioning by hour", (t) => (t.timePartitioning.type = "HOUR"), /timePartitioning.type/],
            ["five clustering columns", (t) => (t.clustering = ["event_type", "customer_id", "session_id", "source", "event_id"]), /clustering has 5 columns; BigQuery allows at most 4/],
            ["unknown clustering column", (t) => (t.clustering = ["event_type", "country"]), /clustering column 'country' is not a top-level column/],
            ["clustering on JSON", (t) => (t.clustering = ["attributes"]), /clustering column 'attributes' \(NULLABLE JSON\) cannot cluster/],
            ["unknown column type", (t) => (t.fields[0].type = "VARCHAR"), /fields.0.type/],
            ["column without description", (t) => delete t.fields[0].description, /fields.0.description/],
            ["duplicate column", (t) => t.fields.push({ ...t.fields[0], name: "EVENT_ID" }), /fields.EVENT_ID: duplicate column/],
            ["RECORD without fields", (t) => delete t.fields[7].fields, /fields.kafka: a RECORD column needs 'fields'/],
            ["unknown key", (t) => (t.partitioning = "DAY"), /unrecognized key/i],
        ];
        for (const [what, change, message] of bad) {
            it(`rejects a file with ${what}, naming the file`, () => {
                const res = parseVariant(change);
                assert.equal(res.spec, undefined);
                assert.ok(res.problems.length > 0);
                const hit = res.problems.find((p) => message.test(p));
                assert.ok(hit, res.problems.join("\n"));
                assert.ok(hit.startsWith("schemas/bigquery/raw/events.json: "), hit);
            });
        }

        it("rejects invalid JSON and a bad file name, naming the file", () => {
            assert.match(parseTableFile("schemas/bigquery/raw/events.json", "{ nope").problems[0], /^schemas\/bigquery\/raw\/events.json: is not valid JSON/);
            assert.match(parseTableFile("schemas/bigquery/raw/Events-2.json", JSON.stringify(SAMPLE)).problems[0], /Events-2.json: file name 'Events-2' must be a table id/);
        });

        it("loads a folder: reports every bad file and unknown dataset folder at once", () => {
            const bad = structuredClone(SAMPLE);
            bad.clustering = ["nope"];
            const dir = tmpSchemas({
                "raw/events.json": JSON.stringify(SAMPLE),
                "raw/broken.json": JSON.stringify(bad),
                "marts/x.json": JSON.stringify(SAMPLE),
            });
            try {
                loadTableSpecs(dir, DATASETS);
                assert.fail("accepted");
            } catch (e) {
                assert.ok(e instanceof SchemaFileError, String(e));
                assert.equal(e.problems.length, 2, e.problems.join("\n"));
                assert.ok(e.problems.some((p) => p.includes("raw/broken.json: clustering column 'nope'")));
                assert.ok(e.problems.some((p) => p.includes("'marts' is not a dataset in dataplatform:warehouse.datasets")));
            }
        });
    });

    describe("prod layout changes", () => {
        const lock = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "schemas/bigquery", LAYOUT_LOCK), "utf8")) as Record<string, string>;

        it("the lock records the shipped layouts (no drift)", () => {
            const specs = loadTableSpecs("schemas/bigquery", DATASETS, { prod: true });
            for (const s of specs) assert.equal(lock[`${s.dataset}.${s.tableId}`], layoutOf(s), s.file);
        });

        it("refuses a changed clustering or partitioning in prod with a message naming the file", () => {
            const changed = parseVariant((t) => (t.clustering = ["customer_id"])).spec!;
            const msgs = layoutChanges([changed], lock, "schemas/bigquery/prod-layout.lock.json");
            assert.equal(msgs.length, 1);
            assert.match(msgs[0], /^schemas\/bigquery\/raw\/events.json: changing partitioning or clustering of a prod table replaces it and drops its data/);
            assert.match(msgs[0], /deployed: DAY\(event_ts\) CLUSTER BY \(event_type, customer_id\); file: DAY\(event_ts\) CLUSTER BY \(customer_id\)/);
            const repartitioned = parseVariant((t) => (t.timePartitioning.field = "ingest_ts")).spec!;
            assert.equal(layoutChanges([repartitioned], lock, LAYOUT_LOCK).length, 1);
        });

        it("allows new tables and unchanged ones", () => {
            const fresh = parseVariant(() => undefined, "schemas/bigquery/raw/clicks.json").spec!;
            assert.deepEqual(layoutChanges([fresh, parseVariant(() => undefined).spec!], lock, LAYOUT_LOCK), []);
        });

        it("loadTableSpecs refuses the change only in prod", () => {
            const t = structuredClone(SAMPLE);
            t.clustering = ["source"];
            const dir = tmpSchemas({ "raw/events.json": JSON.stringify(t), [LAYOUT_LOCK]: JSON.stringify(lock) });
            assert.equal(loadTableSpecs(dir, DATASETS).length, 1);
            assert.throws(() => loadTableSpecs(dir, DATASETS, { prod: true }), (e: unknown) => e instanceof SchemaFileError && /raw\/events.json: changing partitioning or clustering/.test(e.message));
        });

        it("the prod program stops on such a change before any resource exists", async () => {
            const t = structuredClone(SAMPLE);
            t.timePartitioning.field = "ingest_ts";
            const dir = tmpSchemas({ "raw/events.json": JSON.stringify(t), [LAYOUT_LOCK]: JSON.stringify(lock) });
            await assert.rejects(
                variantPlan("prod", (c) => { c["dataplatform:warehouse"].schemaDir = dir; }),
                (e: unknown) => e instanceof Error && /raw\/events.json: changing partitioning or clustering of a prod table/.test(e.message),
            );
        });

        it("a bad schema file stops the program, naming the file", async () => {
            const t = structuredClone(SAMPLE);
            t.timePartitioning.field = "source";
            // raw/events.json stays: it is the compaction's target (spark.compaction.targetTable).
            const dir = tmpSchemas({ "curated/orders_daily.json": JSON.stringify(t), "raw/events.json": JSON.stringify(SAMPLE) });
            await assert.rejects(
                variantPlan("staging", (c) => { c["dataplatform:warehouse"].schemaDir = dir; }),
                (e: unknown) => e instanceof Error && /curated\/orders_daily.json: timePartitioning.field 'source' is STRING/.test(e.message),
            );
        });
    });

    for (const stack of STACKS) {
        describe(`BigQuery (${stack})`, () => {
            it("datasets <name>_<stack> with location, CMEK after its grant, IAM-only access, expiration only in staging", async () => {
                const plan = await shippedPlan(stack);
                const cfg = plan.config;
                const prod = cfg.environment === "prod";
                const ds = ofType(plan, "gcp:bigquery/dataset:Dataset");
                assert.deepEqual(ds.map((d) => inputsOf(d).datasetId).sort(), cfg.warehouse.datasets.map((d) => datasetId(d.name, stack)).sort());
                const grant = ofType(plan, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember").find((g) => g.name.endsWith("-bigquery-agent"));
                assert.ok(grant, "BigQuery key grant");
                for (const d of ds) {
                    const i = inputsOf(d);
                    const conf = cfg.warehouse.datasets.find((x) => i.datasetId === datasetId(x.name, stack))!;
                    assert.equal(i.project, cfg.warehouseProject);
                    assert.equal(i.location, cfg.warehouse.location);
                    assert.match(i.defaultEncryptionConfiguration.kmsKeyName, /\/locations\/europe\/keyRings\/.+\/cryptoKeys\/bigquery$/);
                    assert.ok(d.dependencies.includes(grant.urn));
                    assert.equal(i.accesses, undefined, "no access blocks: access only through IAM members");
                    assert.equal(i.deleteContentsOnDestroy, false);
                    assert.equal(i.defaultTableExpirationMs, prod ? undefined : conf.defaultTableExpirationDays! * 86_400_000);
                    assert.equal(i.labels?.env, cfg.environment);
                    assert.equal(d.protect, prod);
                    assert.equal(d.retainOnDelete, prod);
                }
            });

            it("tables from the schema files: partitioned, clustered, partition filter required, protected in prod", async () => {
                const plan = await shippedPlan(stack);
                const prod = plan.config.environment === "prod";
                const specs = loadTableSpecs("schemas/bigquery", DATASETS);
                const tables = ofType(plan, "gcp:bigquery/table:Table");
                assert.equal(tables.length, specs.length);
                for (const s of specs) {
                    const t = tables.find((x) => inputsOf(x).tableId === s.tableId);
                    assert.ok(t, s.file);
                    const i = inputsOf(t);
                    assert.equal(i.datasetId, datasetId(s.dataset, stack));
                    assert.deepEqual(i.timePartitioning, { type: "DAY", field: s.timePartitioning.field });
                    assert.deepEqual(i.clusterings, s.clusterings);
                    assert.equal(i.requirePartitionFilter, true);
                    assert.equal(i.schema, s.schema);
                    assert.match(i.encryptionConfiguration.kmsKeyName, /cryptoKeys\/bigquery$/);
                    assert.equal(i.deletionProtection, prod);
                    assert.equal(t.protect, prod);
                    assert.equal(t.retainOnDelete, prod);
                }
            });

            it("BI reader: a keyless service account with exactly three data grants; BI principals may only impersonate it", async () => {
                const plan = await shippedPlan(stack);
                const cfg = plan.config;
                const sa = ofType(plan, "gcp:serviceaccount/account:Account").find((a) => inputsOf(a).accountId === stackAccountId("bi-reader", stack));
                assert.ok(sa, "bi-reader service account");
                const member = `serviceAccount:${stackAccountId("bi-reader", stack)}@${cfg.warehouseProject}.iam.gserviceaccount.com`;
                const grants = plan.resources.filter((r) => /IamMember|IAMMember|IamBinding|IAMBinding/.test(r.type) && JSON.stringify(inputsOf(r)).includes(member));
                assert.deepEqual(grants.map((g) => [g.type, inputsOf(g).role]).sort(), [
                    ["gcp:bigquery/datasetIamMember:DatasetIamMember", BI_DATASET_ROLE],
                    ...BI_PROJECT_ROLES.map((r) => ["gcp:projects/iAMMember:IAMMember", r]),
                ].sort());
                const viewer = grants.find((g) => g.type === "gcp:bigquery/datasetIamMember:DatasetIamMember")!;
                assert.equal(inputsOf(viewer).datasetId, datasetId(cfg.warehouse.biDataset, stack));
                for (const g of grants.filter((x) => x.type === "gcp:projects/iAMMember:IAMMember")) assert.equal(inputsOf(g).project, cfg.warehouseProject);

                const impersonation = ofType(plan, "gcp:serviceaccount/iAMMember:IAMMember").filter((r) => r.parent?.endsWith("warehouse-bi"));
                assert.deepEqual(impersonation.map((r) => inputsOf(r).member), [...cfg.warehouse.biPrincipals]);
                for (const r of impersonation) {
                    assert.equal(inputsOf(r).role, "roles/iam.serviceAccountTokenCreator");
                    assert.ok(String(inputsOf(r).serviceAccountId).includes("bi-reader") || r.dependencies.includes(sa.urn), "on the BI reader only");
                }
                assert.equal(ofType(plan, "gcp:serviceaccount/key:Key").length, 0, "no service account key is created");
            });
        });
    }
});
