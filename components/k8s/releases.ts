import type { PlatformConfig } from "../config";
import type { ChartKey } from "../versions";

/** How Pulumi's Helm Release of one chart waits, and why. */
export interface ReleaseWait {
    /** true: Helm does not wait for readiness (`skipAwait`); hooks still run and are waited for. */
    readonly skipAwait: boolean;
    /** Seconds for the whole install/upgrade, hooks included (Pulumi's default would be 300). */
    readonly timeoutSeconds: number;
    /** What Helm waits for (Deployments, StatefulSets, DaemonSets, Jobs... the chart itself renders). */
    readonly waitsFor: string;
    /** Why it waits or not. */
    readonly why: string;
    /** The chart's Helm hooks with these values, and why none of them is something the waited-for pods need. */
    readonly hooks: string;
}

/** Helm release names of the program (the `name` of each Release). */
export const RELEASE_NAMES = ["strimzi", "strimzi-access-operator", "reloader", "keda", "spark-operator", "vault-secrets-operator", "kps", "airflow"] as const;
export type ReleaseName = (typeof RELEASE_NAMES)[number];
/** Release name of kube-prometheus-stack (fixes the names of its Deployments, e.g. `kps-grafana`). */
export const KPS_RELEASE: ReleaseName = "kps";

/** The stack's chart version of each release (`dataplatform:charts`, defaults in versions.ts). */
const RELEASE_CHARTS: Record<ReleaseName, ChartKey> = {
    strimzi: "strimzi",
    "strimzi-access-operator": "strimziAccess",
    reloader: "reloader",
    keda: "keda",
    "spark-operator": "sparkOperator",
    "vault-secrets-operator": "vaultSecretsOperator",
    kps: "kubePrometheusStack",
    airflow: "airflow",
};

/**
 * Every Helm release, in one table. Helm's wait covers only objects the chart renders; objects an operator
 * creates later (Prometheus/Alertmanager StatefulSets, Kafka pods) are not waited for here.
 */
export function releaseWaits(cfg: Pick<PlatformConfig, "airflow">): Record<ReleaseName, ReleaseWait> {
    const gitCredential = cfg.airflow.dags.credential !== "none";
    return {
        strimzi: {
            skipAwait: false,
            timeoutSeconds: 600,
            waitsFor: "the cluster operator Deployment (CRDs are installed from crds/ first)",
            why: "Kafka, KafkaNodePool, KafkaTopic and KafkaUser objects and the Access Operator follow it and need its CRDs and a running operator",
            hooks: "none: the chart renders no Helm hook",
        },
        "strimzi-access-operator": {
            skipAwait: false,
            timeoutSeconds: 300,
            waitsFor: "the access operator Deployment",
            why: "the KafkaAccess Secrets KEDA and the sinks read are written only by a running operator; a broken operator should fail the deploy",
            hooks: "none: the chart renders no Helm hook",
        },
        reloader: {
            skipAwait: false,
            timeoutSeconds: 300,
            waitsFor: "the Reloader Deployment",
            why: "a Reloader that never starts would silently stop credential rollouts; waiting costs seconds",
            hooks: "none: the chart renders no Helm hook",
        },
        keda: {
            skipAwait: false,
            timeoutSeconds: 600,
            waitsFor: "the operator, metrics API server and admission webhook Deployments (atomic: rolled back on failure)",
            why: "ScaledObjects and ScaledJobs are admitted by KEDA's webhook, so they must follow a ready KEDA",
            hooks: "none: the chart renders no Helm hook",
        },
        "spark-operator": {
            skipAwait: false,
            timeoutSeconds: 600,
            waitsFor: "the controller and webhook Deployments (atomic)",
            why: "the webhook mutates SparkApplications: the ScheduledSparkApplication must follow a ready webhook",
            hooks: "hook.upgradeCrd Job is pre-install/pre-upgrade: it runs before the wait and needs nothing the release starts",
        },
        "vault-secrets-operator": {
            skipAwait: false,
            timeoutSeconds: 300,
            waitsFor: "the controller Deployment",
            why: "VaultConnection, VaultAuth and VaultStaticSecret objects follow it; every synced Secret (Grafana, Airflow) comes from a running controller",
            hooks: "pre-upgrade CRD upgrade and pre-delete cleanup Jobs: none runs after install",
        },
        kps: {
            skipAwait: false,
            timeoutSeconds: 900,
            waitsFor:
                "the Prometheus operator, kube-state-metrics and Grafana Deployments and the node-exporter DaemonSet; Grafana needs its generated admin Secret, synced before the release",
            why: "PodMonitors, PrometheusRules and dashboards follow it; Alertmanager's receiver Secret (written by people) is an optional mount and Alertmanager's StatefulSet is the operator's, not waited for",
            hooks: "admission webhook certificate Jobs are pre-install/pre-upgrade and post-install patch Jobs need only the operator's webhook Service, not the waited-for pods",
        },
        airflow: gitCredential
            ? {
                  skipAwait: true,
                  timeoutSeconds: 1200,
                  waitsFor: "nothing but its hooks (none with these values)",
                  why: "the scheduler, DAG processor and triggerer start with git-sync, which needs the DAG repository credential only people write to Vault (airflow/k8s/git); until VSO has synced it the pods wait (CreateContainerConfigError or FailedMount) and start by themselves once it exists, so a waiting release would fail a first deploy against an empty Vault. Status: the airflow-git VaultStaticSecret and the pods",
                  hooks: "none: migrateDatabaseJob.useHelmHooks false (a plain Job the workloads wait for), createUserJob disabled",
              }
            : {
                  skipAwait: false,
                  timeoutSeconds: 1200,
                  waitsFor: "the scheduler, API server, DAG processor, triggerer and statsd Deployments, whose init containers wait for the migration Job",
                  why: "nothing the pods need is written by people (public DAG repository; the OIDC client secret is an optional mount), so a failing Airflow should fail the deploy; time for a fresh Cloud SQL / RDS instance",
                  hooks: "none: migrateDatabaseJob.useHelmHooks false (a plain Job the workloads wait for, a post-install hook would only run after the wait), createUserJob disabled",
              },
    };
}

/** The Release arguments of one release from the table. */
function releaseAwait(cfg: Pick<PlatformConfig, "airflow">, name: ReleaseName): { skipAwait: boolean; timeout: number } {
    const w = releaseWaits(cfg)[name];
    return { skipAwait: w.skipAwait, timeout: w.timeoutSeconds };
}

/** What a layer needs to install one of its charts: the stack's version and how the Release waits (resolved in the wiring). */
export interface ChartRelease {
    readonly version: string;
    readonly skipAwait: boolean;
    readonly timeout: number;
}

export function chartRelease(cfg: Pick<PlatformConfig, "charts" | "airflow">, name: ReleaseName): ChartRelease {
    return { version: cfg.charts[RELEASE_CHARTS[name]], ...releaseAwait(cfg, name) };
}

/** A Release's chart, version, repository and wait, from versions.ts and the stack's ChartRelease. */
export function releaseChart(chart: { readonly chart: string; readonly repo: string | undefined }, r: ChartRelease) {
    return {
        chart: chart.chart,
        version: r.version,
        ...(chart.repo ? { repositoryOpts: { repo: chart.repo } } : {}),
        skipAwait: r.skipAwait,
        timeout: r.timeout,
    };
}
