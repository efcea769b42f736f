/**
 * Where each metric the alerts and dashboards query comes from: the exporter, how Prometheus scrapes it, and the
 * upstream source that names the metric. Tests check every query against this table.
 */
export type Exporter =
    "kafka-jmx" | "kafka-exporter" | "strimzi-cluster-operator" | "keda-operator" | "spark-operator" | "airflow-statsd" | "kube-state-metrics" | "kubelet";

/** How each exporter is scraped: a PodMonitor/ServiceMonitor of scrapeTargets(), or a kube-prometheus-stack component. */
export const EXPORTERS: Record<Exporter, { scrapeTarget: string } | { chartComponent: "kubelet" | "kubeStateMetrics" }> = {
    "kafka-jmx": { scrapeTarget: "strimzi-kafka" },
    "kafka-exporter": { scrapeTarget: "kafka-exporter" },
    "strimzi-cluster-operator": { scrapeTarget: "strimzi-cluster-operator" },
    "keda-operator": { scrapeTarget: "keda-operator" },
    "spark-operator": { scrapeTarget: "spark-operator" },
    "airflow-statsd": { scrapeTarget: "airflow-statsd" },
    "kube-state-metrics": { chartComponent: "kubeStateMetrics" },
    kubelet: { chartComponent: "kubelet" },
};

export interface MetricSource {
    exporter: Exporter;
    /** For kafka-jmx: the MBean attribute as the JMX exporter matches it, turned into the name by metricsConfigYaml(). */
    mbean?: string;
    source: string;
}

const KAFKA_EXPORTER = "https://github.com/danielqsj/kafka_exporter#metrics";
const KAFKA_MBEANS = "https://kafka.apache.org/documentation/#monitoring";
const KEDA = "https://keda.sh/docs/2.21/integrations/prometheus/";
const SPARK = 'kubeflow/spark-operator pkg/common/metrics.go (chart prometheus.metrics.prefix "")';
const KSM_JOB = "https://github.com/kubernetes/kube-state-metrics/blob/main/docs/metrics/workload/job-metrics.md";
const KSM_HPA = "https://github.com/kubernetes/kube-state-metrics/blob/main/docs/metrics/workload/horizontalpodautoscaler-metrics.md";
const KUBELET = "https://kubernetes.io/docs/reference/instrumentation/metrics/";

export const METRICS: Record<string, MetricSource> = {
    kafka_server_replicamanager_leadercount: {
        exporter: "kafka-jmx",
        mbean: "kafka.server<type=ReplicaManager, name=LeaderCount><>Value",
        source: KAFKA_MBEANS,
    },
    kafka_server_replicamanager_underreplicatedpartitions: {
        exporter: "kafka-jmx",
        mbean: "kafka.server<type=ReplicaManager, name=UnderReplicatedPartitions><>Value",
        source: KAFKA_MBEANS,
    },
    kafka_server_replicamanager_underminisrpartitioncount: {
        exporter: "kafka-jmx",
        mbean: "kafka.server<type=ReplicaManager, name=UnderMinIsrPartitionCount><>Value",
        source: KAFKA_MBEANS,
    },
    kafka_controller_kafkacontroller_offlinepartitionscount: {
        exporter: "kafka-jmx",
        mbean: "kafka.controller<type=KafkaController, name=OfflinePartitionsCount><>Value",
        source: KAFKA_MBEANS,
    },
    kafka_server_brokertopicmetrics_bytesin_total: {
        exporter: "kafka-jmx",
        mbean: "kafka.server<type=BrokerTopicMetrics, name=BytesInPerSec><>Count",
        source: KAFKA_MBEANS,
    },
    kafka_server_brokertopicmetrics_bytesout_total: {
        exporter: "kafka-jmx",
        mbean: "kafka.server<type=BrokerTopicMetrics, name=BytesOutPerSec><>Count",
        source: KAFKA_MBEANS,
    },
    kafka_server_brokertopicmetrics_messagesin_total: {
        exporter: "kafka-jmx",
        mbean: "kafka.server<type=BrokerTopicMetrics, name=MessagesInPerSec, topic=events><>Count",
        source: KAFKA_MBEANS,
    },
    kafka_consumergroup_lag: { exporter: "kafka-exporter", source: KAFKA_EXPORTER },
    kafka_consumergroup_current_offset: { exporter: "kafka-exporter", source: KAFKA_EXPORTER },
    kafka_topic_partition_current_offset: { exporter: "kafka-exporter", source: KAFKA_EXPORTER },
    strimzi_certificate_expiration_timestamp_ms: {
        exporter: "strimzi-cluster-operator",
        source: "strimzi-kafka-operator cluster-operator/.../assembly/KafkaAssemblyOperatorMetricsHolder.java",
    },
    keda_scaler_detail_errors_total: { exporter: "keda-operator", source: KEDA },
    keda_scaler_metrics_value: { exporter: "keda-operator", source: KEDA },
    keda_scaler_active: { exporter: "keda-operator", source: KEDA },
    spark_application_failure_count: { exporter: "spark-operator", source: SPARK },
    spark_application_failed_submission_count: { exporter: "spark-operator", source: SPARK },
    airflow_scheduler_heartbeat: { exporter: "airflow-statsd", source: "apache/airflow chart/files/statsd-mappings.yml (airflow.scheduler_heartbeat)" },
    kube_job_failed: { exporter: "kube-state-metrics", source: KSM_JOB },
    kube_horizontalpodautoscaler_status_current_replicas: { exporter: "kube-state-metrics", source: KSM_HPA },
    kube_horizontalpodautoscaler_status_desired_replicas: { exporter: "kube-state-metrics", source: KSM_HPA },
    kubelet_volume_stats_used_bytes: { exporter: "kubelet", source: KUBELET },
    kubelet_volume_stats_capacity_bytes: { exporter: "kubelet", source: KUBELET },
};
