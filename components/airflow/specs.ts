import type { PlatformConfig } from "../config";
import type { BucketRef, DatasetRef, Grant } from "../interfaces";
import { SERVICE_ACCOUNTS, VAULT_ROLES } from "../k8s/accounts";
import { CHARTS, IMAGES } from "../versions";
import type { Obj, PodIdentity } from "../contracts/pod";
import { RELOAD_ANNOTATION } from "../contracts/pod";
import { AIRFLOW_SECRET_KEYS, type AirflowRollout, type AirflowSecretNames, type RolloutTarget } from "../contracts/vault-secrets";

/**
 * The token Airflow's secrets backend logs in to Vault with: the pod's own ServiceAccount token (API audience),
 * because Vault reviews a login with the client's token and a projected token carries one audience only.
 */
export const VAULT_JWT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount/token";
/** Airflow's paths under the environment's KV mount (the Vault layer's `airflow` policy reads them). */
const VAULT_PATHS = { connections: "airflow/connections", variables: "airflow/variables" } as const;
export const METADATA_SECRET = "airflow-metadata-db";
/** Where the API server reads the OIDC client secret (key AIRFLOW_SECRET_KEYS.oidcClientSecret of the synced Secret). */
export const OIDC_SECRET_DIR = "/opt/airflow/oidc";

/**
 * Every long-running Airflow workload that reads the synced Secrets (keys, connections, git credential), handed to
 * the Vault layer as rollout targets: the Airflow chart names them `<fullname>-<component>`, fullname "airflow" for
 * release "airflow" (chart/templates/{scheduler,api-server,dag-processor,triggerer}/*-deployment.yaml). The triggerer
 * is a Deployment because the values turn its persistence off (a StatefulSet only with triggerer.persistence.enabled).
 * Task pods (KubernetesExecutor) read the Secrets when they start and need no restart.
 */
const AIRFLOW_DEPLOYMENTS: readonly RolloutTarget[] = [
    { kind: "Deployment", name: "airflow-scheduler" },
    { kind: "Deployment", name: "airflow-api-server" },
    { kind: "Deployment", name: "airflow-dag-processor" },
    { kind: "Deployment", name: "airflow-triggerer" },
];
export const AIRFLOW_ROLLOUT: AirflowRollout = {
    all: AIRFLOW_DEPLOYMENTS,
    apiServer: AIRFLOW_DEPLOYMENTS.filter((t) => t.name === "airflow-api-server"),
    // git-sync runs as init container and sidecar everywhere but in the API server.
    gitReaders: AIRFLOW_DEPLOYMENTS.filter((t) => t.name !== "airflow-api-server"),
};

/** What the Airflow builders read from config: its section, the environment, and where Vault is. */
export type AirflowSettings = Pick<PlatformConfig, "airflow" | "environment"> & {
    vault: Pick<PlatformConfig["vault"], "address" | "authMount" | "kvMount" | "namespace">;
};
/** The auth manager the chart configures for Airflow 3 (values.yaml config.core.auth_manager); OAuth comes from FAB. */
const FAB_AUTH_MANAGER = "airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager";

/**
 * Keys the values set that chart 1.22 has but the shared schema (chart main of 2026-02-20, 1.20.0-dev) lacks, as
 * dotted paths. Tests check each is really absent from the schema and validate everything else.
 */
export const KEYS_NEWER_THAN_SCHEMA: readonly string[] = [];

/** The data Airflow's tasks use, resolved from the data layer in the wiring. */
export interface AirflowData {
    /** The lake bucket of purpose logs (remote task logs under airflow/). */
    readonly logs: BucketRef;
    /** airflow.datasets. */
    readonly datasets: readonly DatasetRef[];
}

/** The Airflow identity: task logs in the logs bucket, the datasets its tasks write, BigQuery jobs. */
export function airflowGrants(d: AirflowData): Grant[] {
    return [
        // Read too: the API server shows task logs from the bucket.
        { kind: "bucket", bucket: d.logs, access: "readwrite", prefix: "airflow/" },
        ...d.datasets.map((dataset): Grant => ({ kind: "dataset", dataset, access: "edit" })),
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
    cfg: AirflowSettings;
    /** The Secrets VSO keeps for Airflow (names from the Vault layer). */
    secrets: AirflowSecretNames;
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
            // Task pods (KubernetesExecutor pod template) run the platform image too, not defaultAirflowRepository:tag
            // (chart/templates/_helpers.yaml "pod_template_image"); config.kubernetes.worker_container_* stay unset.
            pod_template: { repository: image.repository, tag: image.tag, pullPolicy: "IfNotPresent" },
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
        extraEnvFrom: JSON.stringify([{ secretRef: { name: i.secrets.connections, optional: true } }]),
        // Keys generated once and synced from Vault: the chart would otherwise generate them per install, and the
        // JWT secret on every upgrade (chart/templates/secrets/jwt-secret.yaml: randAlphaNum unless jwtSecretName).
        fernetKeySecretName: i.secrets.keys,
        jwtSecretName: i.secrets.keys,
        apiSecretKeySecretName: i.secrets.keys,
        webserverSecretKeySecretName: i.secrets.keys,
        volumes: [...i.identity.volumes],
        volumeMounts: [...i.identity.volumeMounts],
        config: {
            core: { load_examples: "False", auth_manager: FAB_AUTH_MANAGER },
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
                ...gitSyncAuth(cfg, i.secrets),
            },
        },
        logs: { persistence: { enabled: false } },
        scheduler: {
            replicas: prod ? 2 : 1,
            serviceAccount: sa,
            resources: scale("500m", "1Gi", "1", "2Gi"),
            logGroomerSidecar: { resources: res("50m", "128Mi") },
        },
        apiServer: {
            replicas: prod ? 2 : 1,
            serviceAccount: sa,
            // Reachable only inside the cluster (port-forward or an authenticated ingress in front).
            service: { type: "ClusterIP" },
            resources: scale("250m", "1Gi", "500m", "2Gi"),
            // Login through the identity provider (FAB auth manager, OAuth); mounted as webserver_config.py.
            apiServerConfig: apiServerConfig(cfg),
            // The client secret is optional at first deploy: the API server starts without it (no login offered) and
            // Reloader (reloadOnCreate) restarts it once VSO has created the Secret; VSO restarts it on rotation.
            extraVolumes: [{ name: "oidc-client", secret: { secretName: i.secrets.oidc, optional: true } }],
            extraVolumeMounts: [{ name: "oidc-client", mountPath: OIDC_SECRET_DIR, readOnly: true }],
            annotations: { [RELOAD_ANNOTATION]: i.secrets.oidc },
        },
        dagProcessor: {
            enabled: true,
            replicas: 1,
            serviceAccount: sa,
            resources: scale("250m", "1Gi", "500m", "2Gi"),
            logGroomerSidecar: { resources: res("50m", "128Mi") },
        },
        triggerer: {
            replicas: prod ? 2 : 1,
            serviceAccount: sa,
            persistence: { enabled: false },
            resources: scale("250m", "512Mi", "500m", "1Gi"),
            logGroomerSidecar: { resources: res("50m", "128Mi") },
        },
        // KubernetesExecutor task pods use the worker pod template.
        workers: { serviceAccount: sa, resources: scale("250m", "512Mi", "500m", "1Gi"), persistence: { enabled: false } },
        statsd: { enabled: true, serviceAccount: sa, resources: res("50m", "64Mi") },
        // Pulumi's Release waits for the workloads, which wait for migrations: as a post-install hook the migration
        // Job would only start after that wait (deadlock). As a plain Job it runs with the workloads; the chart's
        // documented setting for tools that wait ("Installing the Chart with Argo CD, Flux, Rancher or Terraform",
        // https://airflow.apache.org/docs/helm-chart/stable/index.html), applyCustomEnv off so that a changed env
        // never has to patch the Job's immutable pod template.
        migrateDatabaseJob: { serviceAccount: sa, resources: res("250m", "512Mi"), useHelmHooks: false, applyCustomEnv: false },
        // No local user: everyone logs in through the identity provider (the job would create admin/admin).
        createUserJob: { enabled: false, serviceAccount: sa, resources: res("100m", "256Mi"), useHelmHooks: false, applyCustomEnv: false },
        cleanup: { enabled: true, schedule: "*/15 * * * *", serviceAccount: sa, resources: res("50m", "256Mi") },
        // `airflow db clean` as a CronJob (chart 1.19+).
        databaseCleanup: { enabled: true, schedule: "17 4 * * *", retentionDays: a.dbRetentionDays, serviceAccount: sa, resources: res("100m", "512Mi") },
    };
}

/** git-sync's credential from the Vault-synced Secret (chart dags.gitSync.sshKeySecret / credentialsSecret). */
function gitSyncAuth(cfg: Pick<PlatformConfig, "airflow">, secrets: AirflowSecretNames): Obj {
    const d = cfg.airflow.dags;
    if (d.credential !== "none" && !secrets.git) throw new Error(`airflow: dags.credential is ${d.credential} but Vault syncs no git credential`);
    switch (d.credential) {
        case "none":
            return {};
        case "ssh":
            return { sshKeySecret: secrets.git, knownHosts: d.knownHosts };
        case "token":
            return { credentialsSecret: secrets.git };
    }
}

/**
 * webserver_config.py of the API server: FAB OAuth against the organisation's OIDC provider, groups mapped to
 * roles at every login, unknown users get the empty Public role. Without the client secret file no provider is
 * offered (and it says so in the log): nobody can log in, there is no fallback password.
 * The header still names this file by its former name (values.ts): changing the text would restart the API server.
 */
function apiServerConfig(cfg: Pick<PlatformConfig, "airflow"> & { vault: Pick<PlatformConfig["vault"], "kvMount"> }): string {
    const a = cfg.airflow.auth;
    const py = (v: unknown) => JSON.stringify(v);
    return `# Generated by the platform (components/airflow/values.ts): login through the identity provider only.
import logging

from flask_appbuilder.security.manager import AUTH_OAUTH
from airflow.providers.fab.auth_manager.security_manager.override import FabAirflowSecurityManagerOverride

log = logging.getLogger(__name__)

OIDC_ISSUER = ${py(a.issuer.replace(/\/$/, ""))}
OIDC_CLIENT_ID = ${py(a.clientId)}
OIDC_GROUPS_CLAIM = ${py(a.groupsClaim)}
OIDC_CLIENT_SECRET_FILE = ${py(`${OIDC_SECRET_DIR}/${AIRFLOW_SECRET_KEYS.oidcClientSecret}`)}


def _client_secret():
    try:
        with open(OIDC_CLIENT_SECRET_FILE, encoding="utf-8") as f:
            return f.read().strip() or None
    except FileNotFoundError:
        return None


class OidcSecurityManager(FabAirflowSecurityManagerOverride):
    def get_oauth_user_info(self, provider, resp):
        if provider != "oidc":
            return super().get_oauth_user_info(provider, resp)
        claims = resp.get("userinfo") or self.oauth_remotes[provider].userinfo()
        groups = claims.get(OIDC_GROUPS_CLAIM) or []
        return {
            "username": claims.get("preferred_username") or claims.get("email") or claims["sub"],
            "email": claims.get("email", ""),
            "first_name": claims.get("given_name", ""),
            "last_name": claims.get("family_name", ""),
            "role_keys": groups if isinstance(groups, list) else [groups],
        }


SECURITY_MANAGER_CLASS = OidcSecurityManager
AUTH_TYPE = AUTH_OAUTH
AUTH_USER_REGISTRATION = True
AUTH_USER_REGISTRATION_ROLE = "Public"
AUTH_ROLES_SYNC_AT_LOGIN = True
AUTH_ROLES_MAPPING = ${py(a.roles)}

_secret = _client_secret()
if _secret is None:
    log.warning("OIDC client secret missing at %s: no login until it is written to Vault (%s/airflow/k8s/oidc, key %s)",
                OIDC_CLIENT_SECRET_FILE, ${py(cfg.vault.kvMount)}, ${py(AIRFLOW_SECRET_KEYS.oidcClientSecret)})
OAUTH_PROVIDERS = [] if _secret is None else [{
    "name": "oidc",
    "icon": "fa-key",
    "token_key": "access_token",
    "remote_app": {
        "client_id": OIDC_CLIENT_ID,
        "client_secret": _secret,
        "server_metadata_url": OIDC_ISSUER + "/.well-known/openid-configuration",
        "client_kwargs": {"scope": "openid email profile"},
    },
}]
`;
}

/** The chart pinned in versions.ts (stack override in cfg.charts.airflow). */
export const AIRFLOW_CHART = CHARTS.airflow;
