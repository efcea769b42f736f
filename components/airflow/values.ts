import type { PlatformConfig } from "../config";
import type { BucketRef, DatasetRef, Grant } from "../interfaces";
import { SERVICE_ACCOUNTS, VAULT_ROLES } from "../k8s/accounts";
import { CHARTS, IMAGES } from "../versions";
import type { Obj, PodIdentity } from "../spark/specs";

/**
 * The token Airflow's secrets backend logs in to Vault with: the pod's own ServiceAccount token (API audience),
 * because Vault reviews a login with the client's token and a projected token carries one audience only.
 */
export const VAULT_JWT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount/token";
/** Airflow's paths under the environment's KV mount (the Vault layer's `airflow` policy reads them). */
export const VAULT_PATHS = { connections: "airflow/connections", variables: "airflow/variables" } as const;
export const METADATA_SECRET = "airflow-metadata-db";
/** Synced from Vault by the Vault layer (VSO): keys api-secret-key, webserver-secret-key; AIRFLOW_CONN_* bootstrap connections. */
export const VAULT_SYNCED = { secretKey: "airflow-secret-key", connections: "airflow-connections" } as const;

/**
 * Keys the values set that chart 1.22 has but the shared schema (taken between chart 1.18 and 1.19) lacks.
 * Tests name each of them instead of skipping unknown keys.
 */
export const KEYS_NEWER_THAN_SCHEMA = ["databaseCleanup"] as const;

/** The Airflow identity: task logs in the logs bucket, the datasets its tasks write, BigQuery jobs. */
export function airflowGrants(cfg: PlatformConfig, buckets: Readonly<Record<string, BucketRef>>, datasets: Readonly<Record<string, DatasetRef>>): Grant[] {
    const logs = cfg.lake.buckets.find((b) => b.purpose === "logs")!;
    const bucket = buckets[logs.name];
    if (!bucket) throw new Error(`airflow: logs bucket ${logs.name} is not provided by the data layer`);
    return [
        // Read too: the API server shows task logs from the bucket.
        { kind: "bucket", bucket, access: "readwrite", prefix: "airflow/" },
        ...cfg.airflow.datasets.map((d): Grant => {
            const dataset = datasets[d];
            if (!dataset) throw new Error(`airflow: dataset ${d} is not provided by the data layer`);
            return { kind: "dataset", dataset, access: "edit" };
        }),
        { kind: "bigqueryJobs" },
    ];
}

/** `postgresql://` URL for the chart's metadata Secret (key `connection`); the password is URL-encoded. */
export function metadataConnection(db: { host: string; port: number; database: string; username: string; password: string }): string {
    const e = encodeURIComponent;
    return `postgresql://${e(db.username)}:${e(db.password)}@${db.host}:${db.port}/${e(db.database)}?sslmode=require`;
}

function splitImage(image: string): { repository: string; tag: string } {
    const at = image.lastIndexOf(":");
    return { repository: image.slice(0, at), tag: image.slice(at + 1) };
}

export interface AirflowValuesInput {
    cfg: PlatformConfig;
    /** gs://bucket or s3://bucket of the logs bucket. */
    logsUrl: string;
    identity: PodIdentity;
}

/** Official Apache Airflow chart values for production, from config only (pure; validated against the chart schema in tests). */
export function airflowValues(i: AirflowValuesInput): Obj {
    const { cfg } = i;
    const a = cfg.airflow;
    const prod = cfg.environment === "prod";
    const sa = { create: false, name: SERVICE_ACCOUNTS.airflow };
    const res = (cpu: string, memory: string) => ({ requests: { cpu, memory }, limits: { memory } });
    const scale = (cpu: string, memory: string, pcpu: string, pmemory: string) => (prod ? res(pcpu, pmemory) : res(cpu, memory));
    const image = splitImage(a.image ?? IMAGES.airflow);
    const gitSync = splitImage(IMAGES.gitSync);

    const backendKwargs: Record<string, unknown> = {
        url: cfg.vault.address,
        auth_type: "kubernetes",
        auth_mount_point: cfg.vault.authMount,
        kubernetes_role: VAULT_ROLES.airflowBackend,
        kubernetes_jwt_path: VAULT_JWT_PATH,
        mount_point: cfg.vault.kvMount,
        kv_engine_version: 2,
        connections_path: VAULT_PATHS.connections,
        variables_path: VAULT_PATHS.variables,
        ...(cfg.vault.namespace ? { namespace: cfg.vault.namespace } : {}),
    };
    // The chart's `env` takes name/value pairs only; identity variables with valueFrom go to extraEnv.
    const plainEnv = i.identity.env.filter((e) => typeof e.value === "string" && e.valueFrom === undefined).map((e) => ({ name: e.name, value: e.value }));
    const refEnv = i.identity.env.filter((e) => !(typeof e.value === "string" && e.valueFrom === undefined));

    return {
        useStandardNaming: true,
        airflowVersion: IMAGES.airflow.split(":")[1],
        defaultAirflowTag: IMAGES.airflow.split(":")[1],
        images: {
            airflow: { repository: image.repository, tag: image.tag, pullPolicy: "IfNotPresent" },
            gitSync: { repository: gitSync.repository, tag: gitSync.tag, pullPolicy: "IfNotPresent" },
        },
        executor: a.executor,
        // External managed PostgreSQL: the chart reads the URL from this Secret (key `connection`).
        postgresql: { enabled: false },
        data: { metadataSecretName: METADATA_SECRET },
        pgbouncer: { enabled: false },
        redis: { enabled: a.executor !== "KubernetesExecutor" },
        rbac: { create: true },
        // The chart's policies would deny the API server to task pods and statsd to Prometheus; ours come from k8s/flows.ts.
        networkPolicies: { enabled: false },
        env: [
            // Remote task logs through the pod's workload identity: an empty connection id means default credentials.
            { name: "AIRFLOW__LOGGING__REMOTE_LOGGING", value: "True" },
            { name: "AIRFLOW__LOGGING__REMOTE_BASE_LOG_FOLDER", value: `${i.logsUrl}/airflow/logs` },
            { name: "AIRFLOW__LOGGING__REMOTE_LOG_CONN_ID", value: "" },
            ...plainEnv,
        ],
        ...(refEnv.length > 0 ? { extraEnv: JSON.stringify(refEnv) } : {}),
        // Connections needed before the secrets backend can log in to Vault.
        extraEnvFrom: JSON.stringify([{ secretRef: { name: VAULT_SYNCED.connections, optional: true } }]),
        // Stable keys from Vault instead of chart-generated ones that change per install.
        apiSecretKeySecretName: VAULT_SYNCED.secretKey,
        webserverSecretKeySecretName: VAULT_SYNCED.secretKey,
        volumes: [...i.identity.volumes],
        volumeMounts: [...i.identity.volumeMounts],
        config: {
            core: { load_examples: "False" },
            secrets: {
                backend: "airflow.providers.hashicorp.secrets.vault.VaultBackend",
                backend_kwargs: JSON.stringify(backendKwargs),
            },
            logging: { remote_logging: "True", delete_local_logs: "True" },
            kubernetes_executor: { delete_worker_pods: "True", delete_worker_pods_on_failure: "False" },
        },
        dags: {
            persistence: { enabled: false },
            gitSync: {
                enabled: true,
                repo: a.dags.repo,
                branch: a.dags.branch,
                subPath: a.dags.subPath,
                depth: 1,
                period: "60s",
                resources: res("50m", "128Mi"),
            },
        },
        logs: { persistence: { enabled: false } },
        scheduler: { replicas: prod ? 2 : 1, serviceAccount: sa, resources: scale("500m", "1Gi", "1", "2Gi"), logGroomerSidecar: { resources: res("50m", "128Mi") } },
        apiServer: {
            replicas: prod ? 2 : 1,
            serviceAccount: sa,
            // Reachable only inside the cluster (port-forward or an authenticated ingress in front).
            service: { type: "ClusterIP" },
            defaultUser: { enabled: false },
            resources: scale("250m", "1Gi", "500m", "2Gi"),
        },
        webserver: { serviceAccount: sa, service: { type: "ClusterIP" }, defaultUser: { enabled: false }, resources: scale("250m", "1Gi", "500m", "2Gi") },
        dagProcessor: { enabled: true, replicas: 1, serviceAccount: sa, resources: scale("250m", "1Gi", "500m", "2Gi"), logGroomerSidecar: { resources: res("50m", "128Mi") } },
        triggerer: { replicas: prod ? 2 : 1, serviceAccount: sa, persistence: { enabled: false }, resources: scale("250m", "512Mi", "500m", "1Gi"), logGroomerSidecar: { resources: res("50m", "128Mi") } },
        // KubernetesExecutor task pods use the worker pod template.
        workers: { serviceAccount: sa, resources: scale("250m", "512Mi", "500m", "1Gi"), persistence: { enabled: false } },
        statsd: { enabled: true, serviceAccount: sa, resources: res("50m", "64Mi") },
        migrateDatabaseJob: { serviceAccount: sa, resources: res("250m", "512Mi") },
        createUserJob: { serviceAccount: sa, resources: res("100m", "256Mi") },
        cleanup: { enabled: true, schedule: "*/15 * * * *", serviceAccount: sa, resources: res("50m", "256Mi") },
        // Chart 1.22: `airflow db clean` as a CronJob (not in the shared schema, see KEYS_NEWER_THAN_SCHEMA).
        databaseCleanup: { enabled: true, schedule: "17 4 * * *", retentionDays: a.dbRetentionDays, serviceAccount: sa, resources: res("100m", "512Mi") },
    };
}

/** The chart pinned in versions.ts (stack override in cfg.charts.airflow). */
export const AIRFLOW_CHART = CHARTS.airflow;
