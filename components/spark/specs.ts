import type { PlatformConfig } from "../config";
import type { BucketRef, DatasetRef, Grant } from "../interfaces";
import { poolScheduling } from "../labels";
import { IMAGES } from "../versions";
import { SERVICE_ACCOUNTS } from "../k8s/accounts";

/** Plain (resolved) Kubernetes objects: the pure builders work on these, the components resolve Outputs first. */
export type Obj = Record<string, any>;

/** What a pod needs for keyless cloud access, resolved from the binder's WorkloadIdentity. */
export interface PodIdentity {
    env: Obj[];
    volumes: Obj[];
    volumeMounts: Obj[];
    /** Lake filesystem settings from the identity binder (the Spark layer never knows the cloud). */
    sparkConf?: Readonly<Record<string, string>>;
}

/** The Spark version the job image is built from (docker/spark builds FROM IMAGES.spark). */
export function sparkVersion(): string {
    return IMAGES.spark.split(":")[1];
}

/** Spark job identity: read the raw zone, read/write the compacted zone, edit the target dataset, run BigQuery jobs. */
export function sparkJobGrants(cfg: PlatformConfig, buckets: Readonly<Record<string, BucketRef>>, datasets: Readonly<Record<string, DatasetRef>>): Grant[] {
    const c = cfg.spark.compaction;
    const need = <T>(m: Readonly<Record<string, T>>, k: string, what: string): T => {
        const v = m[k];
        if (!v) throw new Error(`spark: ${what} ${k} is not provided by the data layer (known: ${Object.keys(m).join(", ")})`);
        return v;
    };
    const grants: Grant[] = [];
    if (buckets.raw && c.sourceBucket !== "raw") grants.push({ kind: "bucket", bucket: buckets.raw, access: "read" });
    grants.push({ kind: "bucket", bucket: need(buckets, c.sourceBucket, "bucket"), access: "readwrite" });
    grants.push({ kind: "dataset", dataset: need(datasets, c.targetDataset, "dataset"), access: "edit" });
    grants.push({ kind: "bigqueryJobs" });
    return grants;
}

/** Lake filesystem settings from the workload identity, plus the BigQuery connector's. */
export function sparkConf(cfg: PlatformConfig, identity: PodIdentity): Record<string, string> {
    return {
        ...(identity.sparkConf ?? {}),
        "spark.datasource.bigquery.parentProject": cfg.warehouseProject,
        "spark.datasource.bigquery.writeMethod": "direct",
        "spark.sql.sources.partitionOverwriteMode": "dynamic",
        "spark.ui.prometheus.enabled": "true",
    };
}

/** Kubernetes memory for a Spark JVM size, with Spark's default overhead (10%, at least 384 MiB). */
export function podMemory(sparkMem: string): string {
    const n = Number(sparkMem.slice(0, -1));
    const mi = { k: n / 1024, m: n, g: n * 1024, t: n * 1024 * 1024 }[sparkMem.slice(-1) as "k" | "m" | "g" | "t"];
    return `${Math.ceil(mi + Math.max(384, mi * 0.1))}Mi`;
}

export interface CompactionInput {
    cfg: PlatformConfig;
    namespace: string;
    /** URL of the zone compacted (gs://… or s3a://…). */
    sourceUrl: string;
    datasetId: string;
    identity: PodIdentity;
}

/** The daily compaction as a ScheduledSparkApplication (sparkoperator.k8s.io/v1beta2) on the Spot spark pool. */
export function compactionApplication(i: CompactionInput): Obj {
    const { cfg } = i;
    const c = cfg.spark.compaction;
    const pool = poolScheduling("spark");
    const pod = (r: { cores: number; memory: string }) => ({
        cores: r.cores,
        memory: r.memory,
        serviceAccount: SERVICE_ACCOUNTS.sparkJobs,
        nodeSelector: pool.nodeSelector,
        tolerations: pool.tolerations,
        env: i.identity.env,
        volumeMounts: i.identity.volumeMounts,
        labels: { "app.kubernetes.io/name": "compact-curated" },
    });
    return {
        apiVersion: "sparkoperator.k8s.io/v1beta2",
        kind: "ScheduledSparkApplication",
        metadata: { name: "compact-curated", namespace: i.namespace },
        spec: {
            schedule: c.schedule,
            timeZone: "Etc/UTC",
            concurrencyPolicy: "Forbid",
            successfulRunHistoryLimit: 3,
            failedRunHistoryLimit: 5,
            template: {
                type: "Python",
                pythonVersion: "3",
                mode: "cluster",
                image: cfg.spark.image,
                imagePullPolicy: "IfNotPresent",
                mainApplicationFile: c.mainApplicationFile,
                arguments: ["--source", i.sourceUrl, "--project", cfg.warehouseProject, "--dataset", i.datasetId],
                sparkVersion: sparkVersion(),
                sparkConf: sparkConf(cfg, i.identity),
                restartPolicy: { type: "OnFailure", onFailureRetries: 2, onFailureRetryInterval: 300, onSubmissionFailureRetries: 3, onSubmissionFailureRetryInterval: 60 },
                timeToLiveSeconds: 86400,
                volumes: i.identity.volumes,
                driver: pod(c.driver),
                executor: { ...pod(c.executor), instances: c.executor.instances, deleteOnTermination: true },
            },
        },
    };
}

/** How the streaming consumer reaches Kafka: the client Secret and its keys (from KafkaPlatform.access). */
export interface KafkaMount {
    secretName: string;
    bootstrapServers: string;
    authentication: "tls" | "scram-sha-512";
    keys: { ca: string; cert?: string; key?: string; password?: string };
    group: string;
    topics: string[];
    user: string;
}

export const KAFKA_MOUNT = "/etc/kafka/client";
export const EXECUTOR_TEMPLATE_DIR = "/opt/spark/pod-templates";

/** Environment of the streaming driver: where Kafka, the checkpoint and the sink are. The job reads only these. */
export function streamingEnv(k: KafkaMount, checkpointUrl: string, sinkUrl: string, shards: number): Obj[] {
    const file = (key?: string) => (key ? `${KAFKA_MOUNT}/${key}` : "");
    const env: Obj[] = [
        { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
        { name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
        { name: "POD_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
        { name: "KAFKA_BOOTSTRAP_SERVERS", value: k.bootstrapServers },
        { name: "KAFKA_GROUP", value: k.group },
        { name: "KAFKA_TOPICS", value: k.topics.join(",") },
        { name: "KAFKA_AUTH", value: k.authentication },
        { name: "KAFKA_CA_FILE", value: file(k.keys.ca) },
        { name: "CHECKPOINT_LOCATION", value: checkpointUrl },
        { name: "SINK_URL", value: sinkUrl },
        /** Concurrent runs split the partitions into this many shards, one lease and checkpoint each. */
        { name: "SHARDS", value: String(shards) },
    ];
    if (k.authentication === "tls") {
        env.push({ name: "KAFKA_CERT_FILE", value: file(k.keys.cert) }, { name: "KAFKA_KEY_FILE", value: file(k.keys.key) });
    } else {
        env.push({ name: "KAFKA_USERNAME", value: k.user }, { name: "KAFKA_PASSWORD_FILE", value: file(k.keys.password) });
    }
    return env;
}

export interface StreamingInput {
    cfg: PlatformConfig;
    namespace: string;
    kafka: KafkaMount;
    checkpointUrl: string;
    sinkUrl: string;
    identity: PodIdentity;
    /** ConfigMap holding the executor pod template. */
    templateConfigMap: string;
}

/** Executors: Spot spark pool, same ServiceAccount and identity as the driver. */
export function executorPodTemplate(i: Pick<StreamingInput, "identity">): Obj {
    const pool = poolScheduling("spark");
    return {
        apiVersion: "v1",
        kind: "Pod",
        spec: {
            serviceAccountName: SERVICE_ACCOUNTS.sparkJobs,
            nodeSelector: pool.nodeSelector,
            tolerations: pool.tolerations,
            volumes: i.identity.volumes,
            containers: [{ name: "spark-kubernetes-executor", env: i.identity.env, volumeMounts: i.identity.volumeMounts }],
        },
    };
}

/**
 * The streaming consumer, defined once from config: one bounded run = `spark-submit` in client mode inside a Job
 * pod (the driver), executors on the spark pool, the query on Trigger.AvailableNow, so the Job ends when the
 * backlog it saw at start is processed. KEDA starts these Jobs (ScaledJob) from the consumer group's lag.
 */
export function streamingJobSpec(i: StreamingInput): Obj {
    const s = i.cfg.spark.streaming;
    const pool = poolScheduling("spark");
    const conf: Record<string, string> = {
        "spark.master": "k8s://https://kubernetes.default.svc:443",
        "spark.submit.deployMode": "client",
        "spark.app.name": "stream-events",
        "spark.driver.host": "$(POD_IP)",
        "spark.driver.bindAddress": "0.0.0.0",
        // Fixed ports, so executors (and any NetworkPolicy) know where the driver listens.
        "spark.driver.port": "7078",
        "spark.driver.blockManager.port": "7079",
        // Client mode: the driver talks to the API server with its own ServiceAccount token.
        "spark.kubernetes.authenticate.caCertFile": "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt",
        "spark.kubernetes.authenticate.oauthTokenFile": "/var/run/secrets/kubernetes.io/serviceaccount/token",
        // Executors are owned by the driver pod: deleted with it when the Job ends or is evicted.
        "spark.kubernetes.driver.pod.name": "$(POD_NAME)",
        "spark.kubernetes.namespace": i.namespace,
        "spark.kubernetes.container.image": i.cfg.spark.image,
        "spark.kubernetes.executor.podTemplateFile": `${EXECUTOR_TEMPLATE_DIR}/executor.yaml`,
        "spark.kubernetes.executor.deleteOnTermination": "true",
        "spark.driver.memory": s.driver.memory,
        "spark.driver.cores": String(s.driver.cores),
        "spark.executor.instances": String(s.executor.instances),
        "spark.executor.cores": String(s.executor.cores),
        "spark.executor.memory": s.executor.memory,
        ...sparkConf(i.cfg, i.identity),
    };
    const args = [
        ...Object.entries(conf).flatMap(([k, v]) => ["--conf", `${k}=${v}`]),
        ...(s.mainClass ? ["--class", s.mainClass] : []),
        s.mainApplicationFile,
        ...s.arguments,
    ];
    return {
        parallelism: 1,
        completions: 1,
        backoffLimit: 2,
        activeDeadlineSeconds: s.maxRunSeconds,
        ttlSecondsAfterFinished: 3600,
        template: {
            metadata: { labels: { "app.kubernetes.io/name": "stream-events", "app.kubernetes.io/component": "driver" } },
            spec: {
                serviceAccountName: SERVICE_ACCOUNTS.sparkJobs,
                restartPolicy: "Never",
                nodeSelector: pool.nodeSelector,
                tolerations: pool.tolerations,
                containers: [{
                    name: "driver",
                    image: i.cfg.spark.image,
                    command: ["/opt/spark/bin/spark-submit"],
                    args,
                    env: [...streamingEnv(i.kafka, i.checkpointUrl, i.sinkUrl, i.cfg.autoscaling.streaming.maxJobs), ...i.identity.env],
                    resources: {
                        requests: { cpu: String(s.driver.cores), memory: podMemory(s.driver.memory) },
                        limits: { memory: podMemory(s.driver.memory) },
                    },
                    volumeMounts: [
                        { name: "kafka-client", mountPath: KAFKA_MOUNT, readOnly: true },
                        { name: "pod-templates", mountPath: EXECUTOR_TEMPLATE_DIR, readOnly: true },
                        ...i.identity.volumeMounts,
                    ],
                }],
                volumes: [
                    { name: "kafka-client", secret: { secretName: i.kafka.secretName } },
                    { name: "pod-templates", configMap: { name: i.templateConfigMap } },
                    ...i.identity.volumes,
                ],
            },
        },
    };
}
