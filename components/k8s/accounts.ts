/**
 * ServiceAccount names shared between layers: the identity binder creates them, Vault roles bind to them,
 * charts are told to use them. One name per workload, so each Vault role binds exactly one namespace + account.
 */
export const SERVICE_ACCOUNTS = {
    /** Scheduler, workers, triggerer, API server and DAG processor share one identity (logs bucket, datasets, Vault). */
    airflow: "airflow",
    /** Spark drivers/executors of the batch and streaming jobs. */
    sparkJobs: "spark-jobs",
    /** The ingestion producer and Deployment consumers (sinks). */
    ingestion: "ingestion",
    grafana: "grafana",
    alertmanager: "alertmanager",
} as const;

/** Vault Kubernetes-auth role names per application. */
export const VAULT_ROLES = {
    airflow: "airflow",
    /**
     * Airflow's own secrets backend logs in with the pod's ServiceAccount token, whose audience is the API
     * server's; Vault reviews the login with that same token, so this role checks that audience instead.
     */
    airflowBackend: "airflow-backend",
    sparkJobs: "spark-jobs",
    ingestion: "ingestion",
    monitoring: "monitoring",
} as const;
