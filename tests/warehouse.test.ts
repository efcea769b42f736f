import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
    columnChanges,
    LAYOUT_LOCK,
    LayoutLock,
    layoutChanges,
    loadTableSpecs,
    lockEntry,
    parseTableFile,
    REPO_ROOT,
    SchemaFileError,
} from "../components/bigquery/tables";
import { schemaLocks } from "../plan/schema-lock";
import { BI_DATASET_ROLE, BI_PROJECT_ROLES } from "../components/bigquery/bi";
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

        it("reads one table per file of every dataset folder, whatever files exist", () => {
            const root = path.join(REPO_ROOT, "schemas/bigquery");
            const files = DATASETS.filter((d) => fs.existsSync(path.join(root, d))).flatMap((d) =>
                fs
                    .readdirSync(path.join(root, d))
                    .filter((f) => f.endsWith(".json"))
                    .map((f) => `${d}.${f.slice(0, -5)}`),
            );
            assert.ok(files.length > 0);
            assert.deepEqual(specs.map((s) => `${s.dataset}.${s.tableId}`).sort(), files.sort());
        });

        it("every sample table is partitioned by day on a TIMESTAMP/DATE column, clustered (≤ 4) and requires a partition filter", () => {
            for (const s of specs) {
                const fields = JSON.parse(s.schema) as Raw[];
                const pf = fields.find((f) => f.name === s.timePartitioning.field);
                assert.equal(s.timePartitioning.type, "DAY", s.file);
                assert.ok(pf && ["TIMESTAMP", "DATE"].includes(pf.type), `${s.file}: partition column type`);
                assert.ok(s.clusterings.length >= 1 && s.clusterings.length <= 4, s.file);
                for (const c of s.clusterings)
                    assert.ok(
                        fields.some((f) => f.name === c),
                        `${s.file}: ${c}`,
                    );
                assert.equal(s.requirePartitionFilter, true, s.file);
                assert.ok(
                    fields.every((f) => f.description && f.mode),
                    `${s.file}: modes and descriptions`,
                );
            }
        });

        const bad: [string, (t: Raw) => void, RegExp][] = [
            ["partition column missing", (t) => (t.timePartitioning.field = "occurred_at"), /timePartitioning.field 'occurred_at' is not a top-level column/],
            ["partition column is a STRING", (t) => (t.timePartitioning.field = "event_type"), /'event_type' is STRING; it must be TIMESTAMP or DATE/],
            ["partitioning by hour", (t) => (t.timePartitioning.type = "HOUR"), /timePartitioning.type/],
            [
                "five clustering columns",
                (t) => (t.clustering = ["event_type", "customer_id", "session_id", "source", "event_id"]),
                /clustering has 5 columns; BigQuery allows at most 4/,
            ],
            ["unknown clustering column", (t) => (t.clustering = ["event_type", "country"]), /clustering column 'country' is not a top-level column/],
            ["clustering on JSON", (t) => (t.clustering = ["attributes"]), /clustering column 'attributes' \(NULLABLE JSON\) cannot cluster/],
            ["unknown column type", (t) => (t.fields[0].type = "VARCHAR"), /fields\[0\] \(event_id\)\.type/],
            ["column without description", (t) => delete t.fields[0].description, /fields\[0\] \(event_id\)\.description: Invalid input/],
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
            assert.match(
                parseTableFile("schemas/bigquery/raw/Events-2.json", JSON.stringify(SAMPLE)).problems[0],
                /Events-2.json: file name 'Events-2' must be a table id/,
            );
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
        const lock = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "schemas/bigquery", LAYOUT_LOCK), "utf8")) as LayoutLock;

        it("the lock is what npm run schema-lock writes for the prod-tier stacks (no drift)", () => {
            const locks = schemaLocks(REPO_ROOT);
            assert.deepEqual(locks.get(path.join(REPO_ROOT, "schemas/bigquery", LAYOUT_LOCK)), lock);
            const specs = loadTableSpecs("schemas/bigquery", DATASETS, { prod: true });
            for (const s of specs) assert.deepEqual(lock[`${s.dataset}.${s.tableId}`], lockEntry(s), s.file);
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
            assert.throws(
                () => loadTableSpecs(dir, DATASETS, { prod: true }),
                (e: unknown) => e instanceof SchemaFileError && /raw\/events.json: changing partitioning or clustering/.test(e.message),
            );
        });

        it("the prod program stops on such a change before any resource exists", async () => {
            const t = structuredClone(SAMPLE);
            t.timePartitioning.field = "ingest_ts";
            const dir = tmpSchemas({ "raw/events.json": JSON.stringify(t), [LAYOUT_LOCK]: JSON.stringify(lock) });
            await assert.rejects(
                variantPlan("prod", (c) => {
                    c["dataplatform:warehouse"].schemaDir = dir;
                }),
                (e: unknown) => e instanceof Error && /raw\/events.json: changing partitioning or clustering of a prod table/.test(e.message),
            );
        });

        it("a bad schema file stops the program, naming the file", async () => {
            const t = structuredClone(SAMPLE);
            t.timePartitioning.field = "source";
            // raw/events.json stays: it is the compaction's target (spark.compaction.targetTable).
            const dir = tmpSchemas({ "curated/orders_daily.json": JSON.stringify(t), "raw/events.json": JSON.stringify(SAMPLE) });
            await assert.rejects(
                variantPlan("staging", (c) => {
                    c["dataplatform:warehouse"].schemaDir = dir;
                }),
                (e: unknown) => e instanceof Error && /curated\/orders_daily.json: timePartitioning.field 'source' is STRING/.test(e.message),
            );
        });
    });

    describe("bq schema JSON and column changes in prod", () => {
        const lock = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "schemas/bigquery", LAYOUT_LOCK), "utf8")) as LayoutLock;
        it("accepts the column list `bq show --schema` prints: lower-case types and modes, no mode, extra keys kept", () => {
            const res = parseVariant((t) => {
                t.fields[0] = { name: "event_id", type: "string", mode: "required", description: "id", maxLength: "36" };
                t.fields[5] = {
                    name: "session_id",
                    type: "STRING",
                    description: "session",
                    policyTags: { names: ["projects/p/locations/eu/taxonomies/1/policyTags/2"] },
                };
            });
            assert.deepEqual(res.problems, []);
            const cols = JSON.parse(res.spec!.schema) as Raw[];
            assert.deepEqual(cols[0], { name: "event_id", type: "STRING", mode: "REQUIRED", description: "id", maxLength: "36" });
            assert.equal(cols[5].mode, "NULLABLE");
            assert.deepEqual(cols[5].policyTags, { names: ["projects/p/locations/eu/taxonomies/1/policyTags/2"] });
        });

        it("a bare `bq show --schema` array is refused naming the file, with the wrapper to use", () => {
            const res = parseTableFile("schemas/bigquery/raw/clicks.json", JSON.stringify(SAMPLE.fields));
            assert.equal(res.problems.length, 1);
            assert.match(res.problems[0], /^schemas\/bigquery\/raw\/clicks.json: is a bare column list .*"timePartitioning"/);
        });

        const cases: [string, (t: Raw) => void, RegExp | undefined][] = [
            ["a new NULLABLE column", (t) => t.fields.push({ name: "referrer", type: "STRING", description: "Referrer." }), undefined],
            ["a new REPEATED column", (t) => t.fields.push({ name: "tags", type: "STRING", mode: "REPEATED", description: "Tags." }), undefined],
            ["REQUIRED relaxed to NULLABLE", (t) => (t.fields[2].mode = "NULLABLE"), undefined],
            ["INT64 spelled INTEGER (synonyms)", (t) => (t.fields[7].fields[1].type = "INT64"), undefined],
            ["a dropped column", (t) => t.fields.splice(5, 1), /column session_id \(STRING NULLABLE\) is dropped or renamed: its data would be lost/],
            ["a renamed column", (t) => (t.fields[5].name = "client_session_id"), /column session_id .* dropped or renamed/],
            ["a type change", (t) => (t.fields[4].type = "INTEGER"), /column customer_id changes type STRING → INTEGER/],
            ["a nested type change", (t) => (t.fields[7].fields[1].type = "STRING"), /column kafka.partition changes type INTEGER → STRING/],
            ["NULLABLE → REQUIRED", (t) => (t.fields[4].mode = "REQUIRED"), /column customer_id changes NULLABLE → REQUIRED: existing rows may hold NULL/],
            [
                "a new REQUIRED column",
                (t) => t.fields.push({ name: "region", type: "STRING", mode: "REQUIRED", description: "Region." }),
                /column region is a new REQUIRED column/,
            ],
        ];
        for (const [what, change, refused] of cases) {
            it(`${refused ? "refuses" : "allows"} ${what} in prod`, () => {
                const msgs = columnChanges([parseVariant(change).spec!], lock, LAYOUT_LOCK);
                if (!refused) assert.deepEqual(msgs, []);
                else {
                    assert.equal(msgs.length, 1, msgs.join("\n"));
                    assert.match(msgs[0], /^schemas\/bigquery\/raw\/events.json: /);
                    assert.match(msgs[0], refused);
                    assert.match(msgs[0], /refused for a prod table/);
                }
            });
        }

        it("the prod plan stops on a dropped column; staging takes it", async () => {
            const t = structuredClone(SAMPLE);
            t.fields.splice(5, 1);
            const dir = tmpSchemas({ "raw/events.json": JSON.stringify(t), [LAYOUT_LOCK]: JSON.stringify(lock) });
            assert.throws(
                () => loadTableSpecs(dir, DATASETS, { prod: true }),
                (e: unknown) => e instanceof SchemaFileError && /column session_id/.test(e.message),
            );
            assert.equal(loadTableSpecs(dir, DATASETS).length, 1);
        });
    });

    describe("which tables a stack gets is config", () => {
        it("a new table file in a fixture folder plans in prod without touching anything else", async () => {
            const root = path.join(REPO_ROOT, "schemas/bigquery");
            const files: Record<string, string> = { [LAYOUT_LOCK]: fs.readFileSync(path.join(root, LAYOUT_LOCK), "utf8") };
            for (const d of DATASETS.filter((x) => fs.existsSync(path.join(root, x)))) {
                for (const f of fs.readdirSync(path.join(root, d))) files[`${d}/${f}`] = fs.readFileSync(path.join(root, d, f), "utf8");
            }
            const clicks = structuredClone(SAMPLE);
            clicks.description = "Click events.";
            files["raw/clicks.json"] = JSON.stringify(clicks);
            const dir = tmpSchemas(files);
            const plan = await variantPlan("prod", (c) => {
                c["dataplatform:warehouse"].schemaDir = dir;
            });
            const ids = ofType(plan, "gcp:bigquery/table:Table").map((x) => inputsOf(x).tableId);
            assert.ok(ids.includes("clicks"));
            assert.equal(ids.length, Object.keys(files).length - 1);
        });

        it("datasets[].tables limits the tables of a stack; a listed table without a file is refused naming the key", async () => {
            const plan = await variantPlan("staging", (c) => {
                c["dataplatform:warehouse"].datasets[2].tables = ["orders_daily"];
            });
            const tables = ofType(plan, "gcp:bigquery/table:Table")
                .map((x) => `${inputsOf(x).datasetId}.${inputsOf(x).tableId}`)
                .sort();
            const raw = loadTableSpecs("schemas/bigquery", DATASETS)
                .filter((x) => x.dataset !== "curated")
                .map((x) => `${datasetId(x.dataset, "staging")}.${x.tableId}`);
            assert.deepEqual(tables, [...raw, `${datasetId("curated", "staging")}.orders_daily`].sort());
            await assert.rejects(
                variantPlan("staging", (c) => {
                    c["dataplatform:warehouse"].datasets[0].tables = ["nope"];
                }),
                (e: unknown) =>
                    e instanceof SchemaFileError &&
                    /dataplatform:warehouse\.datasets\[0\]\.tables: 'nope' has no schema file schemas\/bigquery\/raw\/nope\.json/.test(e.message),
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
                    assert.equal(i.deleteContentsOnDestroy, !prod);
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
                const grants = plan.resources.filter(
                    (r) => /IamMember|IAMMember|IamBinding|IAMBinding/.test(r.type) && JSON.stringify(inputsOf(r)).includes(member),
                );
                assert.deepEqual(
                    grants.map((g) => [g.type, inputsOf(g).role]).sort(),
                    [
                        ["gcp:bigquery/datasetIamMember:DatasetIamMember", BI_DATASET_ROLE],
                        ...BI_PROJECT_ROLES.map((r) => ["gcp:projects/iAMMember:IAMMember", r]),
                    ].sort(),
                );
                const viewer = grants.find((g) => g.type === "gcp:bigquery/datasetIamMember:DatasetIamMember")!;
                assert.equal(inputsOf(viewer).datasetId, datasetId(cfg.warehouse.biDataset, stack));
                for (const g of grants.filter((x) => x.type === "gcp:projects/iAMMember:IAMMember")) assert.equal(inputsOf(g).project, cfg.warehouseProject);

                const impersonation = ofType(plan, "gcp:serviceaccount/iAMMember:IAMMember").filter((r) => r.parent?.endsWith("warehouse-bi"));
                assert.deepEqual(
                    impersonation.map((r) => inputsOf(r).member),
                    [...cfg.warehouse.biPrincipals],
                );
                for (const r of impersonation) {
                    assert.equal(inputsOf(r).role, "roles/iam.serviceAccountTokenCreator");
                    assert.ok(String(inputsOf(r).serviceAccountId).includes("bi-reader") || r.dependencies.includes(sa.urn), "on the BI reader only");
                }
                assert.equal(ofType(plan, "gcp:serviceaccount/key:Key").length, 0, "no service account key is created");
            });
        });
    }
});
