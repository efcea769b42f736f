import { strict as assert } from "assert";
import { airflowGrants, airflowValues, KEYS_NEWER_THAN_SCHEMA, METADATA_SECRET, metadataConnection, VAULT_JWT_PATH } from "../components/airflow/values";
import { CHARTS } from "../components/versions";
import { CapturedResource, Secret } from "../plan/capture";
import { inputsOf, ofType, shippedPlan, STACKS } from "./support/plans";
import { configProblems, Raw, stackConfig } from "./support/config";
import { fakeBucket, fakeDataset } from "./support/refs";
import { errorsOf, jsonSchemaValidator, readSchema } from "./support/schemas";

const SCHEMA = "airflow-chart/values.schema.json";
/** Components that run pods; each must have requests and the shared ServiceAccount. */
const COMPONENTS = ["scheduler", "apiServer", "webserver", "dagProcessor", "triggerer", "workers", "statsd", "migrateDatabaseJob", "createUserJob", "cleanup", "databaseCleanup"];

/**
 * Validates values against the shared schema. The schema predates chart 1.22 and has no root
 * `additionalProperties: false`, so keys it lacks would pass unnoticed: each must be a named 1.22 addition.
 */
function assertValidValues(values: Raw): void {
    const known = Object.keys((readSchema(SCHEMA) as { properties: Raw }).properties);
    const unknown = Object.keys(values).filter((k) => !known.includes(k));
    assert.deepEqual(unknown, [...KEYS_NEWER_THAN_SCHEMA], "keys outside the shared schema must be named chart 1.22 additions");
    const v = jsonSchemaValidator(SCHEMA);
    assert.ok(v(values), errorsOf(v));
}


describe("airflow: values builder", () => {
    for (const stack of STACKS) {
        const cfg = stackConfig(stack);
        const values = airflowValues({ cfg, logsUrl: "gs://logs", identity: { env: [{ name: "GOOGLE_CLOUD_PROJECT", value: "p" }], volumes: [], volumeMounts: [] } });

        it(`${stack}: the values pass the chart's values.schema.json; databaseCleanup (chart 1.22) is the only key it lacks`, () => {
            assertValidValues(values);
            assert.equal(values.databaseCleanup.enabled, true);
            assert.equal(values.databaseCleanup.retentionDays, cfg.airflow.dbRetentionDays);
        });

        it(`${stack}: production settings (executor, external DB, git DAGs, Vault, ClusterIP, network policies, cleanup)`, () => {
            assert.equal(values.executor, "KubernetesExecutor");
            assert.equal(values.postgresql.enabled, false);
            assert.equal(values.data.metadataSecretName, METADATA_SECRET);
            assert.deepEqual(
                { enabled: values.dags.gitSync.enabled, repo: values.dags.gitSync.repo, branch: values.dags.gitSync.branch, subPath: values.dags.gitSync.subPath },
                { enabled: true, ...cfg.airflow.dags },
            );
            assert.equal(values.apiServer.service.type, "ClusterIP");
            assert.equal(values.webserver.service.type, "ClusterIP");
            // The chart's own policies are off; the flow table (k8s/flows.ts) generates the namespace's policies.
            assert.equal(values.networkPolicies.enabled, false);
            assert.equal(values.cleanup.enabled, true);
            assert.equal(values.config.secrets.backend, "airflow.providers.hashicorp.secrets.vault.VaultBackend");
            const kw = JSON.parse(values.config.secrets.backend_kwargs);
            assert.deepEqual(
                [kw.auth_type, kw.kubernetes_role, kw.auth_mount_point, kw.url, kw.mount_point, kw.kubernetes_jwt_path],
                ["kubernetes", "airflow-backend", cfg.vault.authMount, cfg.vault.address, cfg.vault.kvMount, VAULT_JWT_PATH],
            );
            // The role checks the API audience: the default ServiceAccount token, no single-audience projected token.
            assert.equal(values.volumes.find((v: Raw) => v.name === "vault-token"), undefined);
        });

        it(`${stack}: every component has requests and runs as the shared airflow ServiceAccount`, () => {
            for (const c of COMPONENTS) {
                assert.ok(values[c].resources.requests.cpu && values[c].resources.requests.memory, `${c}.resources.requests`);
                assert.deepEqual(values[c].serviceAccount, { create: false, name: "airflow" }, `${c}.serviceAccount`);
            }
            assert.ok(values.dags.gitSync.resources.requests.cpu);
        });

        it(`${stack}: remote logs go to the logs bucket with default credentials (no connection)`, () => {
            const env = Object.fromEntries(values.env.map((e: Raw) => [e.name, e.value]));
            assert.equal(env.AIRFLOW__LOGGING__REMOTE_LOGGING, "True");
            assert.equal(env.AIRFLOW__LOGGING__REMOTE_BASE_LOG_FOLDER, "gs://logs/airflow/logs");
            assert.equal(env.AIRFLOW__LOGGING__REMOTE_LOG_CONN_ID, "");
            assert.equal(env.GOOGLE_CLOUD_PROJECT, "p");
        });

        it(`${stack}: the Airflow identity has exactly logs read/write under airflow/, edit on airflow.datasets, BigQuery jobs`, () => {
            const buckets = Object.fromEntries(["raw", "curated", "archive", "logs"].map((b) => [b, fakeBucket(b)]));
            const datasets = Object.fromEntries(["raw", "staging", "curated"].map((d) => [d, fakeDataset(d)]));
            const grants = airflowGrants(cfg, buckets, datasets).map((g) =>
                g.kind === "bucket" ? `bucket:${g.bucket.logicalName}:${g.access}:${g.prefix}` : g.kind === "dataset" ? `dataset:${g.dataset.logicalName}:${g.access}` : g.kind);
            assert.deepEqual(grants.sort(), ["bigqueryJobs", "bucket:logs:readwrite:airflow/", ...cfg.airflow.datasets.map((d) => `dataset:${d}:edit`)].sort());
        });
    }

    it("the metadata URL escapes the password and requires TLS", () => {
        assert.equal(metadataConnection({ host: "10.0.0.3", port: 5432, database: "airflow", username: "airflow", password: "a/b@c" }), "postgresql://airflow:a%2Fb%40c@10.0.0.3:5432/airflow?sslmode=require");
    });
});

describe("airflow: shipped plans", () => {
    const release = (rs: CapturedResource[]) => rs.filter((r) => r.type === "kubernetes:helm.sh/v3:Release").map(inputsOf).find((i) => i.chart === "airflow")!;
    for (const stack of STACKS) {
        describe(stack, () => {
            it("the Airflow release is the pinned official chart and its values pass the schema", async () => {
                const plan = await shippedPlan(stack);
                const r = release(plan.resources);
                assert.equal(r.version, plan.config.charts.airflow);
                assert.equal(r.repositoryOpts.repo, CHARTS.airflow.repo);
                assert.equal(r.namespace, plan.config.airflow.namespace);
                assertValidValues(r.values);
                const folder = r.values.env.find((e: Raw) => e.name === "AIRFLOW__LOGGING__REMOTE_BASE_LOG_FOLDER").value;
                assert.match(folder, plan.config.cloud === "gcp" ? /^gs:\/\/.+-logs\/airflow\/logs$/ : /^s3:\/\/.+-logs\/airflow\/logs$/);
            });

            it("the metadata Secret is a Pulumi secret holding a postgresql URL to the managed database", async () => {
                const plan = await shippedPlan(stack);
                const s = ofType(plan, "kubernetes:core/v1:Secret").find((x) => inputsOf(x).metadata?.name === METADATA_SECRET)!;
                assert.ok(s);
                const sd = (s.inputs as Raw).stringData;
                assert.ok(sd instanceof Secret || sd?.connection instanceof Secret, "the connection must be a Pulumi secret");
                const url = inputsOf(s).stringData.connection as string;
                assert.match(url, /^postgresql:\/\/airflow:[^@]+@[^/]+:5432\/airflow\?sslmode=require$/);
                if (plan.config.cloud === "gcp") assert.ok(url.includes("@10.100.0.3:5432"));
                else assert.match(url, /\.rds\.amazonaws\.com:5432/);
            });

            it("the managed database is private, backed up, and HA / protected in prod", async () => {
                const plan = await shippedPlan(stack);
                const prod = plan.config.environment === "prod";
                if (plan.config.cloud === "gcp") {
                    const [db] = ofType(plan, "gcp:sql/databaseInstance:DatabaseInstance").map(inputsOf);
                    assert.equal(db.settings.ipConfiguration.ipv4Enabled, false);
                    assert.ok(db.settings.ipConfiguration.privateNetwork);
                    assert.equal(db.settings.availabilityType, prod ? "REGIONAL" : "ZONAL");
                    assert.equal(db.settings.backupConfiguration.enabled, true);
                    assert.equal(db.settings.backupConfiguration.pointInTimeRecoveryEnabled, true);
                    assert.equal(db.deletionProtection, prod);
                    assert.equal(ofType(plan, "gcp:servicenetworking/connection:Connection").length, 1);
                    const [user] = ofType(plan, "gcp:sql/user:User");
                    assert.ok(user.inputs.password instanceof Secret, "the database password must be a Pulumi secret");
                } else {
                    const [db] = ofType(plan, "aws:rds/instance:Instance").map(inputsOf);
                    const rdsKey = ofType(plan, "aws:kms/key:Key").find((k) => k.name.endsWith("-rds"));
                    assert.equal(db.multiAz, prod);
                    assert.equal(db.storageEncrypted, true);
                    assert.ok(rdsKey, "no rds CMK in the plan");
                    assert.match(db.kmsKeyId, /^arn:aws:kms:/);
                    assert.ok(rdsKey.urn && ofType(plan, "aws:rds/instance:Instance")[0].dependencies.includes(rdsKey.urn), "the instance must use the rds CMK");
                    assert.ok(ofType(plan, "aws:rds/instance:Instance")[0].inputs.password instanceof Secret, "the database password must be a Pulumi secret");
                    assert.equal(db.publiclyAccessible, false);
                    assert.equal(db.deletionProtection, prod);
                    assert.ok(db.backupRetentionPeriod >= 1);
                    const ingress = ofType(plan, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").map(inputsOf).filter((i) => i.fromPort === 5432);
                    assert.equal(ingress.length, 1);
                    assert.ok(ingress[0].referencedSecurityGroupId && !ingress[0].cidrIpv4);
                }
            });
        });
    }
});

describe("airflow: bad config is rejected by key name", () => {
    const cases: [string, string, (r: Raw) => void, string, RegExp][] = [
        ["staging", "unknown executor", (r) => (r.airflow.executor = "SequentialExecutor"), "dataplatform:airflow.executor", /expected one of "KubernetesExecutor"/],
        ["prod", "prod metadata DB without HA", (r) => (r.airflow.database.highAvailability = false), "dataplatform:airflow.database.highAvailability", /must be true in prod/],
        ["staging", "DAG repo not git", (r) => (r.airflow.dags.repo = "https://github.com/acme/data-dags"), "dataplatform:airflow.dags.repo", /git URL/],
        ["staging", "dataset not in the warehouse", (r) => r.airflow.datasets.push("marts"), "dataplatform:airflow.datasets[3]", /is not a dataset/],
        ["staging", "Airflow image on latest", (r) => (r.airflow.image = "apache/airflow:latest"), "dataplatform:airflow.image", /latest/],
        ["staging", "DB retention below a week", (r) => (r.airflow.dbRetentionDays = 3), "dataplatform:airflow.dbRetentionDays", /too small/],
    ];
    for (const [stack, what, mutate, key, message] of cases) {
        it(`${stack}: ${what} → ${key}`, () => {
            const found = configProblems(stack, mutate).filter((p) => p.startsWith(`${key}:`));
            assert.ok(found.some((p) => message.test(p)), `no problem for ${key} matching ${message}: ${configProblems(stack, mutate).join("\n")}`);
        });
    }
});
