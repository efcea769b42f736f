import type * as pulumi from "@pulumi/pulumi";
import type { Provider } from "@pulumi/kubernetes/provider";
import type { PlatformConfig } from "./config";
import type { BucketRef, ClusterNetwork, DatasetRef, KubernetesLayerArgs, ManagedDatabase } from "./interfaces";
import type { KafkaPlatform } from "./contracts/kafka-client";
import type { AirflowSecretNames, SecretConsumers } from "./contracts/vault-secrets";
import { ARCHIVE_BUCKET, targetTable } from "./contracts/datapath";
import { KEDA_NAMESPACE, namespacePlan, type Namespaces, type NamespacesArgs } from "./k8s/namespaces";
import { platformNetworkPolicies } from "./k8s/flows";
import type { NetworkFlowsArgs } from "./k8s/network-policies";
import { chartRelease } from "./k8s/releases";
import type { KafkaLayerArgs } from "./kafka/layer";
import type { VaultLayerArgs } from "./vault/layer";
import { vaultApps } from "./vault/apps";
import { syncedSecrets } from "./vault/vso";
import type { SparkData } from "./spark/specs";
import type { LagConsumer } from "./keda/autoscaling";
import { AIRFLOW_ROLLOUT, type AirflowData } from "./airflow/specs";
import type { ProcessingArgs } from "./processing";
import { GRAFANA_ROLLOUT, type MonitoredPlatform } from "./monitoring/stack";
import type { MonitoringArgs } from "./monitoring/monitoring";
import type { WorkloadsArgs } from "./workloads";

/**
 * The one place where stack config becomes the Kubernetes layers' args. Every fact a layer takes from another
 * layer's part of the config (a namespace, a Kafka user, the curated or archive bucket, a Secret name, a rollout
 * target) is resolved here, so it shows in a signature instead of inside a component. Layers never import each
 * other; what they exchange is typed in components/contracts/ and handed over here.
 */

type Buckets = Readonly<Record<string, BucketRef>>;
type Datasets = Readonly<Record<string, DatasetRef>>;

/** A data-layer object a layer needs; fails naming the layer and what the data layer has. */
function need<T>(layer: string, what: string, m: Readonly<Record<string, T>>, key: string): T {
    const v = m[key];
    if (!v) throw new Error(`${layer}: ${what} ${key} is not provided by the data layer (known: ${Object.keys(m).join(", ")})`);
    return v;
}

/** A configured Kafka user with its consumer group (validated config: consumers and monitors' readers have one). */
function kafkaUser(cfg: Pick<PlatformConfig, "kafka">, name: string): { name: string; group: string; topics: readonly string[] } {
    const u = cfg.kafka.users.find((x) => x.name === name);
    if (!u) throw new Error(`kafka user ${name} is not configured (dataplatform:kafka.users)`);
    return { name: u.name, group: u.group ?? "", topics: u.topics };
}

export function namespacesArgs(cfg: PlatformConfig, provider: Provider): NamespacesArgs {
    return { plan: namespacePlan(cfg), provider };
}

/** The platform's flow table (k8s/flows.ts, which reads every layer's part of the config by design) as policies. */
export function networkFlowsArgs(cfg: PlatformConfig, provider: Provider, namespaces: Namespaces, network: ClusterNetwork): NetworkFlowsArgs {
    return { provider, namespaces, policies: platformNetworkPolicies(cfg, network) };
}

/** Kafka: its own section, plus the credentials copy KEDA needs beside its operator. */
export function kafkaArgs(cfg: PlatformConfig, k8s: KubernetesLayerArgs): KafkaLayerArgs {
    return {
        ...k8s,
        kafka: cfg.kafka,
        environment: cfg.environment,
        releases: {
            strimzi: chartRelease(cfg, "strimzi"),
            strimziAccess: chartRelease(cfg, "strimzi-access-operator"),
            reloader: chartRelease(cfg, "reloader"),
        },
        // KEDA caches scaler credentials: a copy of the lag reader's Secret beside the KEDA operator lets Reloader
        // restart it on rotation and serves the ClusterTriggerAuthentication (only where KEDA is a client namespace).
        extraAccess: cfg.kafka.clientNamespaces.includes(KEDA_NAMESPACE) ? [{ user: cfg.autoscaling.kafkaUser, namespace: KEDA_NAMESPACE }] : [],
    };
}

/** Who restarts when a synced Secret changes: the workloads Airflow and Monitoring name. */
export function secretConsumers(): SecretConsumers {
    return { airflow: AIRFLOW_ROLLOUT, grafana: GRAFANA_ROLLOUT };
}

/** Vault: its section; the applications with a role and the secrets synced for them, from every layer's config. */
export function vaultArgs(
    cfg: PlatformConfig,
    k8s: KubernetesLayerArgs,
    cluster: Pick<VaultLayerArgs, "clusterEndpoint" | "clusterCaCertificate" | "apiAudience">,
): VaultLayerArgs {
    const apps = vaultApps(cfg);
    return {
        ...k8s,
        ...cluster,
        settings: { vault: cfg.vault, vaultToken: cfg.vaultToken, stack: cfg.stack },
        release: chartRelease(cfg, "vault-secrets-operator"),
        apps,
        secrets: syncedSecrets(cfg, apps, secretConsumers()),
    };
}

/** The Spark jobs' data: the curated zone (spark.compaction.sourceBucket), the raw zone, the target table's dataset. */
export function sparkData(cfg: Pick<PlatformConfig, "spark">, buckets: Buckets, datasets: Datasets): SparkData {
    const c = cfg.spark.compaction;
    return {
        ...(c.sourceBucket !== "raw" && buckets.raw ? { raw: buckets.raw } : {}),
        curated: need("spark", "bucket", buckets, c.sourceBucket),
        target: need("spark", "dataset", datasets, targetTable(c.targetTable).dataset),
    };
}

/** Airflow's data: the logs bucket (lake purpose logs) and airflow.datasets. */
export function airflowData(cfg: Pick<PlatformConfig, "lake" | "airflow">, buckets: Buckets, datasets: Datasets): AirflowData {
    const logs = cfg.lake.buckets.find((b) => b.purpose === "logs")!;
    return {
        logs: need("airflow", "logs bucket", buckets, logs.name),
        datasets: cfg.airflow.datasets.map((d) => need("airflow", "dataset", datasets, d)),
    };
}

/** The sink Deployments with what their Kafka users consume. */
function lagConsumers(cfg: Pick<PlatformConfig, "kafka" | "autoscaling">): LagConsumer[] {
    return cfg.autoscaling.deployments.consumers.map((deployment) => {
        const u = kafkaUser(cfg, deployment.kafkaUser);
        return { deployment, group: u.group, topics: u.topics };
    });
}

interface ProcessingInputs {
    buckets: Buckets;
    datasets: Datasets;
    kafka: KafkaPlatform;
    /** Airflow's managed metadata database (Cloud SQL / RDS). */
    airflowDatabase: ManagedDatabase;
    /** The Secrets VSO keeps for Airflow (VaultLayer.airflowSecrets). */
    airflowSecrets: AirflowSecretNames;
    /** Resources Airflow needs first (the Vault role of its ServiceAccount). */
    airflowDependsOn?: pulumi.Resource[];
}

/** Spark, KEDA and Airflow: each part's section and the facts it takes from Kafka, the lake, BigQuery and Vault. */
export function processingArgs(cfg: PlatformConfig, k8s: KubernetesLayerArgs, i: ProcessingInputs): ProcessingArgs {
    return {
        ...k8s,
        sparkOperator: { environment: cfg.environment, spark: cfg.spark, release: chartRelease(cfg, "spark-operator") },
        sparkJobs: {
            settings: {
                spark: cfg.spark,
                warehouseProject: cfg.warehouseProject,
                autoscaling: { streaming: { maxExecutors: cfg.autoscaling.streaming.maxExecutors } },
            },
            data: sparkData(cfg, i.buckets, i.datasets),
            streamingUser: kafkaUser(cfg, cfg.spark.streaming.kafkaUser),
            kafka: i.kafka,
        },
        keda: { environment: cfg.environment, release: chartRelease(cfg, "keda"), lagReaderSecret: i.kafka.secretName(cfg.autoscaling.kafkaUser) },
        autoscaling: {
            kafka: i.kafka,
            triggers: { autoscaling: cfg.autoscaling, kafka: { version: cfg.kafka.version } },
            lagReader: cfg.autoscaling.kafkaUser,
            consumers: lagConsumers(cfg),
            archive: i.buckets[ARCHIVE_BUCKET],
        },
        airflow: {
            settings: { airflow: cfg.airflow, environment: cfg.environment, vault: cfg.vault },
            release: chartRelease(cfg, "airflow"),
            data: airflowData(cfg, i.buckets, i.datasets),
            secrets: i.airflowSecrets,
            sparkJobNamespace: cfg.spark.jobNamespace,
            database: i.airflowDatabase,
            dependsOn: i.airflowDependsOn,
        },
    };
}

/** What Monitoring watches: its section and where the other layers run. */
function monitoredPlatform(cfg: PlatformConfig): MonitoredPlatform {
    const k = cfg.kafka;
    return {
        monitoring: cfg.monitoring,
        kafka: { namespace: k.namespace, clusterName: k.clusterName, brokers: k.brokers, minInsyncReplicas: k.minInsyncReplicas },
        spark: { operatorNamespace: cfg.spark.operatorNamespace, jobNamespace: cfg.spark.jobNamespace },
        airflow: { namespace: cfg.airflow.namespace },
        autoscaling: { lagThreshold: cfg.autoscaling.lagThreshold },
    };
}

export function monitoringArgs(cfg: PlatformConfig, k8s: KubernetesLayerArgs, vault: Pick<MonitoringArgs, "secrets" | "secretsReady">): MonitoringArgs {
    return { ...k8s, ...vault, platform: monitoredPlatform(cfg), release: chartRelease(cfg, "kps") };
}

export function workloadsArgs(cfg: PlatformConfig, k8s: KubernetesLayerArgs, data: Pick<WorkloadsArgs, "buckets" | "datasets" | "kafka">): WorkloadsArgs {
    return { workloads: cfg.workloads, identity: k8s.identity, namespaces: k8s.namespaces, ...data };
}
