import type { PlatformConfig } from "../config";
import type { BucketRef, DatasetRef, Grant } from "../interfaces";
import { poolScheduling } from "../labels";
import { IMAGES } from "../versions";
import { SERVICE_ACCOUNTS } from "../k8s/accounts";
import { STREAM_ENV } from "../contracts/python-env";
import { targetTable } from "../contracts/datapath";
import { kafkaClientEnv, kafkaClientMount, kafkaClientVolume, type KafkaConsumer } from "../contracts/kafka-client";
import type { Obj, PodIdentity } from "../contracts/pod";

/** The Spark version the job image is built from (docker/spark builds FROM IMAGES.spark). */
export function sparkVersion(): string {
    return IMAGES.spark.split(":")[1];
}

/** The data the Spark jobs use, resolved from the data layer in the wiring. */
export interface SparkData {
    /** The raw zone (read), unless it is the curated zone itself. */
    readonly raw?: BucketRef;
    /** The curated zone (spark.compaction.sourceBucket): the streaming run writes it, the compaction reads it. */
    readonly curated: BucketRef;
    /** The dataset of spark.compaction.targetTable. */
    readonly target: DatasetRef;
}

/** Spark job identity: read the raw zone, read/write the curated zone, edit the target table's dataset, run BigQuery jobs. */
export function sparkJobGrants(d: SparkData): Grant[] {
    const grants: Grant[] = [];
    if (d.raw) grants.push({ kind: "bucket", bucket: d.raw, access: "read" });
    grants.push({ kind: "bucket", bucket: d.curated, access: "readwrite" });
    grants.push({ kind: "dataset", dataset: d.target, access: "edit" });
    grants.push({ kind: "bigqueryJobs" });
    return grants;
}

/** What the Spark builders read from config: the Spark section and the warehouse project. */
type SparkSettings = Pick<PlatformConfig, "spark" | "warehouseProject">;

/** Lake filesystem settings from the workload identity, plus the BigQuery connector's. */
function sparkConf(cfg: Pick<PlatformConfig, "warehouseProject">, identity: PodIdentity): Record<string, string> {
    return {
        ...(identity.sparkConf ?? {}),
        "spark.datasource.bigquery.parentProject": cfg.warehouseProject,
        "spark.datasource.bigquery.writeMethod": "direct",
        "spark.sql.sources.partitionOverwriteMode": "dynamic",
        // Lake partitions (dt) and BigQuery day partitions are UTC days.
        "spark.sql.session.timeZone": "UTC",
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
    cfg: SparkSettings;
    namespace: string;
    /** URL of the lake dataset the streaming run writes (gs://… or s3a://…), streamPaths().sink. */
    sourceUrl: string;
    /** BigQuery dataset id of spark.compaction.targetTable's dataset. */
    datasetId: string;
    identity: PodIdentity;
}

/**
 * The daily compaction as a ScheduledSparkApplication (sparkoperator.k8s.io/v1beta2) on the Spot spark pool: loads the
 * streaming run's lake dataset into the schema-managed table spark.compaction.targetTable.
 */
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
                arguments: ["--source", i.sourceUrl, "--table", `${cfg.warehouseProject}.${i.datasetId}.${targetTable(c.targetTable).table}`],
                sparkVersion: sparkVersion(),
                sparkConf: sparkConf(cfg, i.identity),
                restartPolicy: {
                    type: "OnFailure",
                    onFailureRetries: 2,
                    onFailureRetryInterval: 300,
                    onSubmissionFailureRetries: 3,
                    onSubmissionFailureRetryInterval: 60,
                },
                timeToLiveSeconds: 86400,
                volumes: i.identity.volumes,
                driver: pod(c.driver),
                executor: { ...pod(c.executor), instances: c.executor.instances, deleteOnTermination: true },
            },
        },
    };
}

const EXECUTOR_TEMPLATE_DIR = "/opt/spark/pod-templates";

/** Where a run writes, and how it is sized: its deadline, throughput per core and executor bounds (from config). */
interface StreamRun {
    checkpointUrl: string;
    sinkUrl: string;
    deadlineSeconds: number;
    recordsPerCoreSecond: number;
    executorCores: number;
    minExecutors: number;
    maxExecutors: number;
}

/** Environment of the streaming driver: where Kafka, the checkpoint and the sink are. The job reads only these. */
function streamingEnv(k: KafkaConsumer, r: StreamRun): Obj[] {
    return [
        { name: STREAM_ENV.podName, valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
        { name: STREAM_ENV.podIp, valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
        { name: STREAM_ENV.podNamespace, valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
        ...kafkaClientEnv(k),
        { name: STREAM_ENV.checkpoint, value: r.checkpointUrl },
        { name: STREAM_ENV.sink, value: r.sinkUrl },
        { name: STREAM_ENV.deadlineSeconds, value: String(r.deadlineSeconds) },
        { name: STREAM_ENV.recordsPerCoreSecond, value: String(r.recordsPerCoreSecond) },
        { name: STREAM_ENV.executorCores, value: String(r.executorCores) },
        { name: STREAM_ENV.minExecutors, value: String(r.minExecutors) },
        { name: STREAM_ENV.maxExecutors, value: String(r.maxExecutors) },
    ];
}

/** Besides Spark's settings, the executor bound a streaming run may scale to (autoscaling.streaming.maxExecutors). */
export type SparkJobSettings = SparkSettings & { autoscaling: { streaming: Pick<PlatformConfig["autoscaling"]["streaming"], "maxExecutors"> } };

export interface StreamingInput {
    cfg: SparkJobSettings;
    namespace: string;
    kafka: KafkaConsumer;
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
 * pod (the driver), executors on the spark pool sized by the run from the backlog, the query on
 * Trigger.AvailableNow with bounded batches, so the Job ends when the backlog it saw at start is processed or
 * before its deadline. KEDA starts these Jobs (ScaledJob, one at a time) from the consumer group's lag.
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
        // spark.executor.instances is set by the run itself, from the backlog (jobs/stream_core.py plan_run).
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
    const run: StreamRun = {
        checkpointUrl: i.checkpointUrl,
        sinkUrl: i.sinkUrl,
        deadlineSeconds: s.maxRunSeconds,
        recordsPerCoreSecond: s.recordsPerCoreSecond,
        executorCores: s.executor.cores,
        minExecutors: s.executor.instances,
        maxExecutors: i.cfg.autoscaling.streaming.maxExecutors,
    };
    return {
        parallelism: 1,
        completions: 1,
        backoffLimit: 2,
        // A retry starts only once the failed driver pod is gone, never beside it (default: as soon as it terminates).
        // https://kubernetes.io/docs/concepts/workloads/controllers/job/#pod-replacement-policy
        podReplacementPolicy: "Failed",
        activeDeadlineSeconds: s.maxRunSeconds,
        ttlSecondsAfterFinished: 3600,
        template: {
            metadata: { labels: { "app.kubernetes.io/name": "stream-events", "app.kubernetes.io/component": "driver" } },
            spec: {
                serviceAccountName: SERVICE_ACCOUNTS.sparkJobs,
                restartPolicy: "Never",
                nodeSelector: pool.nodeSelector,
                tolerations: pool.tolerations,
                containers: [
                    {
                        name: "driver",
                        image: i.cfg.spark.image,
                        command: ["/opt/spark/bin/spark-submit"],
                        args,
                        env: [...streamingEnv(i.kafka, run), ...i.identity.env],
                        resources: {
                            requests: { cpu: String(s.driver.cores), memory: podMemory(s.driver.memory) },
                            limits: { memory: podMemory(s.driver.memory) },
                        },
                        volumeMounts: [
                            kafkaClientMount(),
                            { name: "pod-templates", mountPath: EXECUTOR_TEMPLATE_DIR, readOnly: true },
                            ...i.identity.volumeMounts,
                        ],
                    },
                ],
                volumes: [kafkaClientVolume(i.kafka), { name: "pod-templates", configMap: { name: i.templateConfigMap } }, ...i.identity.volumes],
            },
        },
    };
}
