import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
    AIRFLOW_ROLLOUT,
    airflowGrants,
    airflowValues,
    KEYS_NEWER_THAN_SCHEMA,
    METADATA_SECRET,
    metadataConnection,
    OIDC_SECRET_DIR,
    VAULT_JWT_PATH,
} from "../components/airflow/specs";
import { AIRFLOW_SECRET_KEYS } from "../components/contracts/vault-secrets";
import { airflowData, secretConsumers } from "../components/wiring";
import { vaultApps } from "../components/vault/apps";
import { AIRFLOW_SECRET_NAMES, staticSecretSpec, syncedSecrets } from "../components/vault/vso";
import { CHARTS } from "../components/versions";
import { CapturedResource, Secret } from "../plan/capture";
import { inputsOf, ofType, shippedPlan, STACKS } from "./support/plans";
import { expectAnyProblem, Raw, stackConfig } from "./support/config";
import { fakeBucket, fakeDataset } from "./support/refs";
import { errorsOf, jsonSchemaValidator, readSchema } from "./support/schemas";

const SCHEMA = "airflow-chart/values.schema.json";
/** Components that run pods; each must have requests and the shared ServiceAccount. */
const COMPONENTS = [
    "scheduler",
    "apiServer",
    "dagProcessor",
    "triggerer",
    "workers",
    "statsd",
    "migrateDatabaseJob",
    "createUserJob",
    "cleanup",
    "databaseCleanup",
];

function schemaHas(schema: any, dotted: string): boolean {
    let node = schema;
    for (const k of dotted.split(".")) {
        node = node?.properties?.[k];
        if (!node) return false;
    }
    return true;
}

function without(values: Raw, dotted: string): Raw {
    const copy = structuredClone(values);
    const keys = dotted.split(".");
    const parent = keys.slice(0, -1).reduce((o, k) => o?.[k], copy);
    if (parent) delete parent[keys[keys.length - 1]];
    return copy;
}

/**
 * Validates values against the shared schema (chart main of 2026-02-20, older than the pinned 1.22). Its root has
 * no `additionalProperties: false`, so a top-level key it lacks would pass unnoticed: each must be a named 1.22
 * addition, as must any nested key; those are checked to be really absent and taken out before validating.
 */
function assertValidValues(values: Raw): void {
    const schema = readSchema(SCHEMA) as any;
    for (const k of KEYS_NEWER_THAN_SCHEMA) assert.ok(!schemaHas(schema, k), `${k} is in the shared schema: remove it from KEYS_NEWER_THAN_SCHEMA`);
    const checked = KEYS_NEWER_THAN_SCHEMA.reduce(without, values);
    const unknown = Object.keys(checked).filter((k) => !(k in schema.properties));
    assert.deepEqual(unknown, [], "top-level keys outside the shared schema must be named in KEYS_NEWER_THAN_SCHEMA");
    const v = jsonSchemaValidator(SCHEMA);
    assert.ok(v(checked), errorsOf(v));
}

/** Every key path of an object (arrays by index), for "nowhere in the values" checks. */
function keyPaths(o: unknown, prefix = ""): string[] {
    if (Array.isArray(o)) return o.flatMap((x, i) => keyPaths(x, `${prefix}[${i}]`));
    if (o !== null && typeof o === "object") return Object.entries(o).flatMap(([k, x]) => [`${prefix}${k}`, ...keyPaths(x, `${prefix}${k}.`)]);
    return [];
}

/**
 * The long-running workloads the Airflow chart renders for these values, named as its templates name them:
 * `<fullname>-<component>`, fullname = the release name when it contains "airflow"
 * (chart/templates/_helpers.yaml "airflow.fullname"); scheduler/api-server/dag-processor Deployments
 * (chart/templates/*\/*-deployment.yaml); the triggerer a StatefulSet only with triggerer.persistence.enabled
 * (chart/templates/triggerer/triggerer-deployment.yaml). statsd reads no Airflow secret. Read from the chart on
 * main of early 2026 (closest to the pinned 1.22 available offline): the README asks to re-check with helm template.
 */
function chartWorkloads(values: Raw, release = "airflow"): { kind: string; name: string }[] {
    const full = release.includes("airflow") ? release : `${release}-airflow`;
    const out = [{ kind: "Deployment", name: `${full}-scheduler` }];
    if (values.apiServer?.enabled !== false) out.push({ kind: "Deployment", name: `${full}-api-server` });
    if (values.dagProcessor?.enabled) out.push({ kind: "Deployment", name: `${full}-dag-processor` });
    if (values.triggerer?.enabled !== false)
        out.push({ kind: values.triggerer?.persistence?.enabled ? "StatefulSet" : "Deployment", name: `${full}-triggerer` });
    return out;
}

/** Runs the generated webserver_config.py with stand-ins for the FAB modules; returns the providers it configures. */
function runApiServerConfig(source: string, secret: string | undefined): { providers: any[]; mapping: Raw; authType: number } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "airflow-auth-"));
    const mk = (rel: string, body: string) => {
        fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
        fs.writeFileSync(path.join(dir, rel), body);
    };
    mk("flask_appbuilder/__init__.py", "");
    mk("flask_appbuilder/security/__init__.py", "");
    mk("flask_appbuilder/security/manager.py", "AUTH_OAUTH = 4\n");
    for (const p of [
        "airflow",
        "airflow/providers",
        "airflow/providers/fab",
        "airflow/providers/fab/auth_manager",
        "airflow/providers/fab/auth_manager/security_manager",
    ])
        mk(`${p}/__init__.py`, "");
    mk("airflow/providers/fab/auth_manager/security_manager/override.py", "class FabAirflowSecurityManagerOverride:\n    pass\n");
    const secretDir = path.join(dir, "oidc");
    fs.mkdirSync(secretDir);
    if (secret !== undefined) fs.writeFileSync(path.join(secretDir, AIRFLOW_SECRET_KEYS.oidcClientSecret), `${secret}\n`);
    mk(
        "webserver_config.py",
        source.replace(
            JSON.stringify(`${OIDC_SECRET_DIR}/${AIRFLOW_SECRET_KEYS.oidcClientSecret}`),
            JSON.stringify(path.join(secretDir, AIRFLOW_SECRET_KEYS.oidcClientSecret)),
        ),
    );
    const r = spawnSync(
        "/usr/bin/python3",
        [
            "-c",
            "import json, webserver_config as w; print(json.dumps({'providers': w.OAUTH_PROVIDERS, 'mapping': w.AUTH_ROLES_MAPPING, 'authType': w.AUTH_TYPE}))",
        ],
        { cwd: dir, encoding: "utf8" },
    );
    fs.rmSync(dir, { recursive: true, force: true });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout);
}

describe("airflow: values builder", () => {
    for (const stack of STACKS) {
        const cfg = stackConfig(stack);
        const values = airflowValues({
            cfg,
            secrets: AIRFLOW_SECRET_NAMES,
            logsUrl: "gs://logs",
            identity: { env: [{ name: "GOOGLE_CLOUD_PROJECT", value: "p" }], volumes: [], volumeMounts: [] },
        });

        it(`${stack}: the values pass the chart's newer values.schema.json (no defaultUser anywhere)`, () => {
            assertValidValues(values);
            assert.deepEqual(
                keyPaths(values).filter((k) => /defaultUser/.test(k)),
                [],
            );
            assert.equal(values.databaseCleanup.enabled, true);
            assert.equal(values.databaseCleanup.retentionDays, cfg.airflow.dbRetentionDays);
        });

        it(`${stack}: no Helm hook a waiting release depends on: migrations are a plain Job, no user-creation job`, () => {
            // As a post-install hook the migration Job would start only after Helm's wait, which waits for pods
            // that wait for the migrations (chart/templates/jobs/migrate-database-job.yaml, helm.sh/hook when useHelmHooks).
            assert.deepEqual(
                [values.migrateDatabaseJob.useHelmHooks, values.migrateDatabaseJob.applyCustomEnv, values.migrateDatabaseJob.enabled],
                [false, false, undefined],
            );
            assert.deepEqual([values.createUserJob.enabled, values.createUserJob.useHelmHooks], [false, false]);
        });

        it(`${stack}: people log in through the identity provider (FAB OAuth), client secret from a Vault-synced optional mount`, () => {
            const a = cfg.airflow.auth;
            assert.equal(values.config.core.auth_manager, "airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager");
            const conf: string = values.apiServer.apiServerConfig;
            assert.ok(conf.includes(`OIDC_ISSUER = ${JSON.stringify(a.issuer)}`) && conf.includes(`OIDC_CLIENT_ID = ${JSON.stringify(a.clientId)}`));
            assert.deepEqual(
                keyPaths(values).filter((k) => /password/i.test(k)),
                [],
                "no password anywhere in the values",
            );
            const [vol] = values.apiServer.extraVolumes;
            assert.deepEqual(vol.secret, { secretName: AIRFLOW_SECRET_NAMES.oidc, optional: true });
            assert.deepEqual(values.apiServer.extraVolumeMounts, [{ name: vol.name, mountPath: OIDC_SECRET_DIR, readOnly: true }]);
            // Reloader restarts the API server when VSO first creates the Secret (VSO itself only restarts on a change).
            assert.equal(values.apiServer.annotations["secret.reloader.stakater.com/reload"], AIRFLOW_SECRET_NAMES.oidc);
            const oidc = syncedSecrets(cfg, vaultApps(cfg), secretConsumers()).find((x) => x.secretName === AIRFLOW_SECRET_NAMES.oidc)!;
            assert.deepEqual([oidc.path, oidc.source], ["airflow/k8s/oidc", { kind: "people", keys: [AIRFLOW_SECRET_KEYS.oidcClientSecret] }]);
        });

        it(`${stack}: the JWT secret, API/webserver secret keys and Fernet key come from one generated, Vault-synced Secret`, () => {
            for (const k of ["fernetKeySecretName", "jwtSecretName", "apiSecretKeySecretName", "webserverSecretKeySecretName"])
                assert.equal(values[k], AIRFLOW_SECRET_NAMES.keys, k);
            for (const k of ["fernetKey", "jwtSecret", "apiSecretKey", "webserverSecretKey"])
                assert.equal(values[k], undefined, `${k} must not be set in values`);
            const keys = syncedSecrets(cfg, vaultApps(cfg), secretConsumers()).find((x) => x.secretName === AIRFLOW_SECRET_NAMES.keys)!;
            assert.equal(keys.source.kind, "generated");
            // The key names the chart reads (chart/templates/_helpers.yaml and secrets/*.yaml).
            assert.deepEqual(Object.keys(keys.source.kind === "generated" ? keys.source.values : {}).sort(), [
                "api-secret-key",
                "fernet-key",
                "jwt-secret",
                "webserver-secret-key",
            ]);
        });

        it(`${stack}: a rotated Secret restarts every Airflow workload the chart renders that reads it`, () => {
            const expected = chartWorkloads(values)
                .map((w) => `${w.kind}/${w.name}`)
                .sort();
            assert.deepEqual(AIRFLOW_ROLLOUT.all.map((t) => `${t.kind}/${t.name}`).sort(), expected);
            for (const s of syncedSecrets(cfg, vaultApps(cfg), secretConsumers()).filter((x) => x.id === "airflowKeys" || x.id === "airflowConnections")) {
                assert.deepEqual(
                    staticSecretSpec(cfg, s)
                        .rolloutRestartTargets.map((t) => `${t.kind}/${t.name}`)
                        .sort(),
                    expected,
                    s.id,
                );
            }
        });

        it(`${stack}: task pods run the platform image (images.pod_template), not the chart's default`, () => {
            assert.deepEqual(
                [values.images.pod_template.repository, values.images.pod_template.tag],
                [values.images.airflow.repository, values.images.airflow.tag],
            );
            assert.equal(`${values.images.pod_template.repository}:${values.images.pod_template.tag}`, cfg.airflow.image ?? "apache/airflow:3.2.2");
            // config.kubernetes.worker_container_* would override pod_template (chart values.yaml note).
            assert.equal(values.config.kubernetes?.worker_container_repository, undefined);
            assert.equal(values.config.kubernetes_executor?.worker_container_repository, undefined);
        });

        it(`${stack}: git-sync authenticates with the Vault-synced credential of airflow.dags.credential`, () => {
            const g = values.dags.gitSync;
            const git = syncedSecrets(cfg, vaultApps(cfg), secretConsumers()).find((x) => x.id === "airflowGit");
            switch (cfg.airflow.dags.credential) {
                case "ssh":
                    assert.deepEqual([g.sshKeySecret, g.credentialsSecret, g.knownHosts], [AIRFLOW_SECRET_NAMES.git, undefined, cfg.airflow.dags.knownHosts]);
                    assert.deepEqual(git?.source, { kind: "people", keys: [AIRFLOW_SECRET_KEYS.gitSshKey] });
                    break;
                case "token":
                    assert.deepEqual([g.credentialsSecret, g.sshKeySecret], [AIRFLOW_SECRET_NAMES.git, undefined]);
                    // People write username/password once; VSO renders the names the chart reads for git-sync v3 and v4.
                    assert.deepEqual(Object.keys(staticSecretSpec(cfg, git!).destination.transformation!.templates).sort(), [
                        "GITSYNC_PASSWORD",
                        "GITSYNC_USERNAME",
                        "GIT_SYNC_PASSWORD",
                        "GIT_SYNC_USERNAME",
                    ]);
                    break;
                case "none":
                    assert.deepEqual([g.credentialsSecret, g.sshKeySecret, git], [undefined, undefined, undefined]);
                    break;
                default:
                    assert.fail(`airflow.dags.credential is ${String(cfg.airflow.dags.credential)}`);
            }
            assert.ok(!/\/\/[^/]*@/.test(g.repo), "no credential in the repository URL");
        });

        it(`${stack}: production settings (executor, external DB, git DAGs, Vault, ClusterIP, network policies, cleanup)`, () => {
            assert.equal(values.executor, "KubernetesExecutor");
            assert.equal(values.postgresql.enabled, false);
            assert.equal(values.data.metadataSecretName, METADATA_SECRET);
            assert.deepEqual(
                {
                    enabled: values.dags.gitSync.enabled,
                    repo: values.dags.gitSync.repo,
                    branch: values.dags.gitSync.branch,
                    subPath: values.dags.gitSync.subPath,
                },
                { enabled: true, repo: cfg.airflow.dags.repo, branch: cfg.airflow.dags.branch, subPath: cfg.airflow.dags.subPath },
            );
            assert.equal(values.apiServer.service.type, "ClusterIP");
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
            assert.equal(
                values.volumes.find((v: Raw) => v.name === "vault-token"),
                undefined,
            );
        });

        it(`${stack}: the generated webserver_config.py is valid Python and offers the IdP only once the client secret exists`, () => {
            const conf: string = values.apiServer.apiServerConfig;
            const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "airflow-conf-")), "webserver_config.py");
            fs.writeFileSync(file, conf);
            const flakes = spawnSync("pyflakes3", [file], { encoding: "utf8" });
            fs.rmSync(path.dirname(file), { recursive: true, force: true });
            assert.equal(flakes.status, 0, flakes.stdout + flakes.stderr);
            const before = runApiServerConfig(conf, undefined);
            assert.deepEqual(before.providers, [], "no provider (and no fallback login) without the client secret");
            const after = runApiServerConfig(conf, "s3cr3t");
            assert.equal(after.providers.length, 1);
            const app = after.providers[0].remote_app;
            assert.deepEqual(
                [app.client_id, app.client_secret, app.server_metadata_url],
                [cfg.airflow.auth.clientId, "s3cr3t", `${cfg.airflow.auth.issuer}/.well-known/openid-configuration`],
            );
            assert.deepEqual(after.mapping, cfg.airflow.auth.roles);
            assert.equal(after.authType, 4, "AUTH_OAUTH");
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
            const grants = airflowGrants(airflowData(cfg, buckets, datasets)).map((g) =>
                g.kind === "bucket"
                    ? `bucket:${g.bucket.logicalName}:${g.access}:${g.prefix}`
                    : g.kind === "dataset"
                      ? `dataset:${g.dataset.logicalName}:${g.access}`
                      : g.kind,
            );
            assert.deepEqual(grants.sort(), ["bigqueryJobs", "bucket:logs:readwrite:airflow/", ...cfg.airflow.datasets.map((d) => `dataset:${d}:edit`)].sort());
        });
    }

    it("the metadata URL escapes the password and requires TLS", () => {
        assert.equal(
            metadataConnection({ host: "10.0.0.3", port: 5432, database: "airflow", username: "airflow", password: "a/b@c" }),
            "postgresql://airflow:a%2Fb%40c@10.0.0.3:5432/airflow?sslmode=require",
        );
    });
});

describe("airflow: shipped plans", () => {
    const release = (rs: CapturedResource[]) =>
        rs
            .filter((r) => r.type === "kubernetes:helm.sh/v3:Release")
            .map(inputsOf)
            .find((i) => i.chart === "airflow")!;
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
                    assert.ok(
                        rdsKey.urn && ofType(plan, "aws:rds/instance:Instance")[0].dependencies.includes(rdsKey.urn),
                        "the instance must use the rds CMK",
                    );
                    assert.ok(ofType(plan, "aws:rds/instance:Instance")[0].inputs.password instanceof Secret, "the database password must be a Pulumi secret");
                    assert.equal(db.publiclyAccessible, false);
                    assert.equal(db.deletionProtection, prod);
                    assert.ok(db.backupRetentionPeriod >= 1);
                    const ingress = ofType(plan, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
                        .map(inputsOf)
                        .filter((i) => i.fromPort === 5432);
                    assert.equal(ingress.length, 1);
                    assert.ok(ingress[0].referencedSecurityGroupId && !ingress[0].cidrIpv4);
                }
            });
        });
    }
});

describe("airflow: bad config is rejected by key name", () => {
    const cases: [string, string, (r: Raw) => void, string, RegExp][] = [
        [
            "staging",
            "unknown executor",
            (r) => (r.airflow.executor = "SequentialExecutor"),
            "dataplatform:airflow.executor",
            /expected one of "KubernetesExecutor"/,
        ],
        [
            "prod",
            "prod metadata DB without HA",
            (r) => (r.airflow.database.highAvailability = false),
            "dataplatform:airflow.database.highAvailability",
            /must be true in prod/,
        ],
        ["staging", "DAG repo not git", (r) => (r.airflow.dags.repo = "https://github.com/acme/data-dags"), "dataplatform:airflow.dags.repo", /git URL/],
        ["staging", "dataset not in the warehouse", (r) => r.airflow.datasets.push("marts"), "dataplatform:airflow.datasets[3]", /is not a dataset/],
        ["staging", "Airflow image on latest", (r) => (r.airflow.image = "apache/airflow:latest"), "dataplatform:airflow.image", /latest/],
        ["staging", "DB retention below a week", (r) => (r.airflow.dbRetentionDays = 3), "dataplatform:airflow.dbRetentionDays", /too small/],
        [
            "staging",
            "token inside the DAG repo URL",
            (r) => (r.airflow.dags.repo = "https://x-access-token:ghp_0123456789abcdef@github.com/acme/data-dags.git"),
            "dataplatform:airflow.dags.repo",
            /must not contain a user or token.*airflow\.dags\.credential: token/,
        ],
        [
            "staging",
            "user inside the DAG repo URL",
            (r) => (r.airflow.dags.repo = "https://bot@github.com/acme/data-dags.git"),
            "dataplatform:airflow.dags.repo",
            /must not contain a user or token/,
        ],
        ["staging", "ssh credential on an https URL", (r) => (r.airflow.dags.credential = "ssh"), "dataplatform:airflow.dags.credential", /ssh clone URL/],
        ["prod", "ssh without known hosts", (r) => delete r.airflow.dags.knownHosts, "dataplatform:airflow.dags.knownHosts", /required with credential ssh/],
        ["prod", "ssh URL without a key", (r) => (r.airflow.dags.credential = "none"), "dataplatform:airflow.dags.credential", /always needs a key/],
        [
            "staging",
            "OIDC issuer over http",
            (r) => (r.airflow.auth.issuer = "http://login.acme.example/realms/data"),
            "dataplatform:airflow.auth.issuer",
            /https/,
        ],
        [
            "staging",
            "no IdP group mapped to Admin",
            (r) => (r.airflow.auth.roles = { "data-engineers": ["User"] }),
            "dataplatform:airflow.auth.roles",
            /at least one identity-provider group to Admin/,
        ],
        ["staging", "no identity provider", (r) => delete r.airflow.auth, "dataplatform:airflow.auth", /expected object|required/i],
    ];
    for (const [stack, what, mutate, key, message] of cases) {
        it(`${stack}: ${what} → ${key}`, () => {
            const problems = expectAnyProblem(stack, mutate, key, message);
            assert.ok(!problems.some((p) => p.includes("ghp_0123456789abcdef")), "a token is never echoed back");
        });
    }
});
