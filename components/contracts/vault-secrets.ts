/**
 * The Vault secrets contract: the Vault layer syncs KV secrets into Kubernetes Secrets (VSO) and restarts their
 * consumers; consumers receive the Secret names from the Vault layer and hand it their rollout targets, both
 * through the wiring (components/wiring.ts), never by importing each other.
 */

/** A workload VSO restarts (rollout restart) when the Secret it reads changes. */
export interface RolloutTarget {
    readonly kind: "Deployment" | "StatefulSet";
    readonly name: string;
}

/** Airflow's workloads that read the synced Secrets, as Airflow names them. */
export interface AirflowRollout {
    /** Every long-running workload (keys, connections). */
    readonly all: readonly RolloutTarget[];
    /** The API server (the OIDC client secret). */
    readonly apiServer: readonly RolloutTarget[];
    /** Workloads that run git-sync (the DAG repository credential). */
    readonly gitReaders: readonly RolloutTarget[];
}

/** What restarts when a synced Secret changes, per consumer. */
export interface SecretConsumers {
    readonly airflow: AirflowRollout;
    readonly grafana: readonly RolloutTarget[];
}

/** Names of the Kubernetes Secrets VSO keeps for Airflow (VaultLayer.secretName). */
export interface AirflowSecretNames {
    /** Generated once: api-secret-key, webserver-secret-key, jwt-secret, fernet-key (the chart's key names). */
    readonly keys: string;
    /** AIRFLOW_CONN_* bootstrap connections (optional). */
    readonly connections: string;
    /** The identity provider's client secret (optional at first deploy), key AIRFLOW_SECRET_KEYS.oidcClientSecret. */
    readonly oidc: string;
    /** The DAG repository credential, when airflow.dags.credential is not none. */
    readonly git?: string;
}

/** Keys people write into Airflow's synced secrets, read by Airflow under these names. */
export const AIRFLOW_SECRET_KEYS = {
    /** The OIDC client secret in AirflowSecretNames.oidc. */
    oidcClientSecret: "client-secret",
    /** The SSH deploy key: chart/templates/_helpers.yaml mounts subPath gitSshKey of dags.gitSync.sshKeySecret. */
    gitSshKey: "gitSshKey",
} as const;

/** Names of the Secrets VSO keeps for Grafana and Alertmanager (VaultLayer.secretName). */
export interface MonitoringSecretNames {
    /** admin-user / admin-password. */
    readonly grafanaAdmin: string;
    /** One key per receiver's vaultKey (written by people, optional at first deploy). */
    readonly alertmanagerReceivers: string;
}
