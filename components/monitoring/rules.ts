import * as pulumi from "@pulumi/pulumi";
import { CustomResource } from "@pulumi/kubernetes/apiextensions";
import type { Provider } from "@pulumi/kubernetes/provider";
import type { MonitoredPlatform } from "./stack";

export interface AlertRule {
    alert: string;
    expr: string;
    for: string;
    labels: { severity: "critical" | "warning"; area: string };
    annotations: { summary: string; description: string; runbook_url: string };
}
export interface RuleGroup {
    name: string;
    rules: AlertRule[];
}

/** The runbook of an alert: `<monitoring.runbookBaseUrl>/<Alert>.md` (docs/runbooks/ in this repository). */
function runbookUrl(cfg: MonitoredPlatform, alert: string): string {
    return `${cfg.monitoring.runbookBaseUrl}/${alert}.md`;
}

/**
 * Failures a counter recorded in the last 15 minutes, as one value that is always present: its increase, plus the
 * series that appeared in that window (a counter first exported at 1 has no increase). Each term falls back to 0, since
 * a sum with an empty vector is empty (https://prometheus.io/docs/prometheus/latest/querying/operators/#arithmetic-binary-operators).
 */
function newFailures(counter: string): string {
    return `(sum(increase(${counter}[15m])) or vector(0)) + (sum(${counter} unless ${counter} offset 15m) or vector(0)) > 0`;
}

/** The platform's alerts, thresholds from the stack's monitoring.alerts. */
export function alertGroups(cfg: MonitoredPlatform): RuleGroup[] {
    const a = cfg.monitoring.alerts;
    const kns = `namespace="${cfg.kafka.namespace}"`;
    const rule = (
        alert: string,
        area: string,
        severity: "critical" | "warning",
        expr: string,
        forDuration: string,
        summary: string,
        description: string,
    ): AlertRule => ({
        alert,
        expr,
        for: forDuration,
        labels: { severity, area },
        annotations: { summary, description, runbook_url: runbookUrl(cfg, alert) },
    });
    // kube-state-metrics sets kube_job_failed{condition="true"} once the Job's Failed condition is True (retries exhausted);
    // a Job whose retry succeeded never gets it (https://github.com/kubernetes/kube-state-metrics/blob/main/docs/metrics/workload/job-metrics.md).
    const streamJobFailed = (offset = "") =>
        `kube_job_failed{namespace="${cfg.spark.jobNamespace}", job_name=~"stream-events-.*", condition="true"}${offset} == 1`;
    return [
        {
            name: "kafka",
            rules: [
                rule(
                    "KafkaConsumerGroupLagHigh",
                    "kafka",
                    "warning",
                    `sum by (consumergroup, topic) (kafka_consumergroup_lag{${kns}}) > ${a.consumerLagMessages}`,
                    `${a.consumerLagMinutes}m`,
                    "Consumer group {{ $labels.consumergroup }} lags on {{ $labels.topic }}",
                    `Lag is {{ $value }} messages, above ${a.consumerLagMessages} for ${a.consumerLagMinutes} minutes: consumers are not keeping up (check KEDA scaling and consumer errors).`,
                ),
                rule(
                    "KafkaUnderReplicatedPartitions",
                    "kafka",
                    "warning",
                    `sum by (pod) (kafka_server_replicamanager_underreplicatedpartitions{${kns}}) > 0`,
                    "10m",
                    "Broker {{ $labels.pod }} has under-replicated partitions",
                    "{{ $value }} partitions led by this broker have followers out of sync.",
                ),
                rule(
                    "KafkaOfflinePartitions",
                    "kafka",
                    "critical",
                    `sum(kafka_controller_kafkacontroller_offlinepartitionscount{${kns}}) > 0`,
                    "1m",
                    "Kafka has offline partitions",
                    "{{ $value }} partitions have no leader: producers and consumers of them are failing.",
                ),
                rule(
                    "KafkaUnderMinIsrPartitions",
                    "kafka",
                    "critical",
                    `sum by (pod) (kafka_server_replicamanager_underminisrpartitioncount{${kns}}) > 0`,
                    "5m",
                    "Partitions under min.insync.replicas on {{ $labels.pod }}",
                    `{{ $value }} partitions have fewer than ${cfg.kafka.minInsyncReplicas} in-sync replicas: acks=all producers are rejected.`,
                ),
                rule(
                    "KafkaBrokerDown",
                    "kafka",
                    "critical",
                    `(count(kafka_server_replicamanager_leadercount{${kns}}) or vector(0)) < ${cfg.kafka.brokers}`,
                    "5m",
                    "A Kafka broker is down",
                    `Only {{ $value }} of ${cfg.kafka.brokers} brokers report metrics.`,
                ),
                rule(
                    "StrimziCertificateExpiring",
                    "kafka",
                    "critical",
                    // The cluster operator tags the gauge with cluster, type (cluster-ca, client-ca) and resource-namespace
                    // (strimzi-kafka-operator: cluster-operator/.../assembly/KafkaAssemblyOperatorMetricsHolder.java).
                    `(min by (cluster, type, resource_namespace) (strimzi_certificate_expiration_timestamp_ms{${kns}}) / 1000 - time()) < ${a.certificateExpiryDays * 86400}`,
                    "15m",
                    "Strimzi {{ $labels.type }} certificate of {{ $labels.resource_namespace }}/{{ $labels.cluster }} expires soon",
                    `The certificate expires within ${a.certificateExpiryDays} days, so the Strimzi renewal did not happen: check the cluster operator.`,
                ),
            ],
        },
        {
            name: "autoscaling",
            rules: [
                rule(
                    "KedaScalerErrors",
                    "keda",
                    "warning",
                    // The workload's namespace is exported_namespace: `namespace` is KEDA's own (the scrape target).
                    // KEDA 2.21 exports keda_scaler_detail_errors_total only (https://keda.sh/docs/2.21/integrations/prometheus/).
                    "sum by (exported_namespace, scaledObject, scaler) (rate(keda_scaler_detail_errors_total[5m])) > 0",
                    "10m",
                    "KEDA scaler {{ $labels.scaler }} of {{ $labels.exported_namespace }}/{{ $labels.scaledObject }} is failing",
                    "The scaler cannot read its metric (Kafka lag): the workload no longer scales with load.",
                ),
            ],
        },
        {
            name: "processing",
            rules: [
                rule(
                    "SparkApplicationFailed",
                    "spark",
                    "warning",
                    newFailures("spark_application_failure_count"),
                    "1m",
                    "Spark applications failed",
                    "Spark applications failed in the last 15 minutes (see the SparkApplication status and driver logs).",
                ),
                rule(
                    "SparkApplicationSubmissionFailed",
                    "spark",
                    "warning",
                    newFailures("spark_application_failed_submission_count"),
                    "1m",
                    "Spark applications could not be submitted",
                    "The Spark operator failed to submit applications in the last 15 minutes (image, RBAC or quota problems).",
                ),
                rule(
                    "SparkStreamingRunFailed",
                    "spark",
                    "warning",
                    // Streaming runs are KEDA Jobs (client-mode drivers), not SparkApplications: their failures are Job failures.
                    // Only Jobs that turned Failed in the last 15 minutes: a failed Job stays until its TTL.
                    `sum by (job_name) ((${streamJobFailed()}) unless (${streamJobFailed(" offset 15m")})) > 0`,
                    "1m",
                    "Streaming run {{ $labels.job_name }} failed",
                    "A backlog-draining Spark run started by KEDA failed after all its retries; the lag stays and KEDA starts another run.",
                ),
                rule(
                    "AirflowSchedulerHeartbeatMissing",
                    "airflow",
                    "critical",
                    "(sum(rate(airflow_scheduler_heartbeat[2m])) or vector(0)) == 0",
                    `${a.schedulerHeartbeatMinutes}m`,
                    "Airflow scheduler heartbeat missing",
                    `No scheduler heartbeat for ${a.schedulerHeartbeatMinutes} minutes: no task is being scheduled.`,
                ),
            ],
        },
        {
            name: "storage",
            rules: [
                rule(
                    "PersistentVolumeAlmostFull",
                    "storage",
                    "warning",
                    `100 * max by (namespace, persistentvolumeclaim) (kubelet_volume_stats_used_bytes / kubelet_volume_stats_capacity_bytes) > ${a.pvcUsagePercent}`,
                    "10m",
                    "Volume {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is almost full",
                    `{{ $value | humanize }}% used, above ${a.pvcUsagePercent}%.`,
                ),
            ],
        },
    ];
}

export interface AlertRulesArgs {
    platform: MonitoredPlatform;
    provider: Provider;
    namespace: pulumi.Input<string>;
    dependsOn: pulumi.Resource[];
}

/** The PrometheusRule holding the platform's alerts. */
export class AlertRules extends pulumi.ComponentResource {
    readonly rule: CustomResource;

    constructor(name: string, args: AlertRulesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplatform:monitoring:AlertRules", name, {}, opts);
        this.rule = new CustomResource(
            name,
            {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "PrometheusRule",
                metadata: { name: "dataplatform-alerts", namespace: args.namespace },
                spec: { groups: alertGroups(args.platform) },
            },
            { parent: this, provider: args.provider, dependsOn: args.dependsOn },
        );
        this.registerOutputs({});
    }
}
