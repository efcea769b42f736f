import type { PlatformConfig } from "../../components/config";
import type { AlertRule } from "../../components/monitoring/rules";
import { KEDA_NAMESPACE } from "../../components/k8s/namespaces";

/** One input series in promtool's expanding notation (https://prometheus.io/docs/prometheus/latest/configuration/unit_testing_rules/). */
interface Series {
    series: string;
    values: string;
}
/** An alert expected at an evaluation time: its labels besides the rule's own, and its value for the annotations. */
interface Expected {
    labels: Record<string, string>;
    value: number;
}
/** A scenario: series sampled every minute, and the alerts expected at given minutes (none: the alert must be silent). */
export interface Scenario {
    name: string;
    series: Series[];
    at: { minute: number; alerts: Expected[] }[];
}
export interface AlertCases {
    firing: Scenario[];
    healthy: Scenario[];
}

const sel = (metric: string, labels: Record<string, string>) =>
    `${metric}{${Object.entries(labels)
        .map(([k, v]) => `${k}="${v}"`)
        .join(", ")}}`;
/** `value` for `minutes` + 1 samples. */
const flat = (value: number, minutes: number) => `${value}x${minutes}`;

/**
 * For every alert the program defines, scenarios that must fire it and healthy ones that must not, built from the
 * stack's thresholds (monitoring.alerts, kafka.brokers, namespaces), never from copied numbers.
 */
export function alertCases(cfg: PlatformConfig): Record<string, AlertCases> {
    const a = cfg.monitoring.alerts;
    const kns = cfg.kafka.namespace;
    const cluster = cfg.kafka.clusterName;
    const broker = (i: number) => `${cluster}-broker-${i}`;
    const long = 60;

    // Consumer lag, summed over partitions: two partitions each below the threshold, together above it.
    const N = a.consumerLagMessages,
        M = a.consumerLagMinutes;
    const half = Math.floor(N / 2);
    const lag = (partition: number, values: string) => ({
        series: sel("kafka_consumergroup_lag", {
            namespace: kns,
            pod: `${cluster}-kafka-exporter-0`,
            consumergroup: "stream-events",
            topic: "events",
            partition: String(partition),
        }),
        values,
    });
    const lagLabels = { consumergroup: "stream-events", topic: "events" };

    const gauge = (metric: string, pod: string, values: string) => ({ series: sel(metric, { namespace: kns, pod }), values });

    const B = cfg.kafka.brokers;
    const leaders = (n: number) => Array.from({ length: n }, (_, i) => gauge("kafka_server_replicamanager_leadercount", broker(i), flat(10, long)));

    // Strimzi's certificate gauge, one series per CA (labels as the cluster operator sets them); time() starts at 0 in promtool.
    const D = a.certificateExpiryDays;
    const cert = (type: string, expiresInSeconds: number) => ({
        series: sel("strimzi_certificate_expiration_timestamp_ms", {
            namespace: kns,
            pod: "strimzi-cluster-operator-0",
            kind: "Kafka",
            cluster,
            type,
            resource_namespace: kns,
        }),
        values: flat(expiresInSeconds * 1000, long),
    });
    const certLabels = (type: string) => ({ cluster, type, resource_namespace: kns });

    const keda = (metric: string, values: string) => ({
        series: sel(metric, {
            namespace: KEDA_NAMESPACE,
            exported_namespace: cfg.spark.jobNamespace,
            scaledObject: "stream-events",
            scaler: "kafkaScaler",
            type: "scaledjob",
        }),
        values,
    });
    const kedaLabels = { exported_namespace: cfg.spark.jobNamespace, scaledObject: "stream-events", scaler: "kafkaScaler" };

    // Spark operator counters: first exported at 1 after 5 minutes; a second failure hours later.
    const counter = (metric: string, values: string) => ({
        series: sel(metric, { namespace: cfg.spark.operatorNamespace, pod: "spark-operator-controller-0" }),
        values,
    });
    const sparkCounter = (metric: string): AlertCases => ({
        firing: [
            { name: "first failure", series: [counter(metric, `_x5 ${flat(1, 40)}`)], at: [{ minute: 7, alerts: [{ labels: {}, value: 1 }] }] },
            {
                name: "second failure hours after the first",
                series: [counter(metric, `_x5 ${flat(1, 240)} ${flat(2, 30)}`)],
                at: [{ minute: 250, alerts: [{ labels: {}, value: Number.NaN }] }],
            },
        ],
        healthy: [
            {
                name: "quiet after the first failure",
                series: [counter(metric, `_x5 ${flat(1, 240)} ${flat(2, 30)}`)],
                at: [
                    { minute: 60, alerts: [] },
                    { minute: 200, alerts: [] },
                ],
            },
            {
                name: "no failure",
                series: [counter(metric, flat(0, 120))],
                at: [
                    { minute: 30, alerts: [] },
                    { minute: 100, alerts: [] },
                ],
            },
        ],
    });

    // Streaming runs: Jobs of the KEDA ScaledJob, seen through kube-state-metrics.
    const job = (metric: string, jobName: string, extra: Record<string, string>, values: string) => ({
        series: sel(metric, { namespace: cfg.spark.jobNamespace, job_name: jobName, ...extra }),
        values,
    });
    const failedJob = "stream-events-7x2kq";
    const retriedJob = "stream-events-p4m9z";
    const failedJobSeries = [
        job("kube_job_status_failed", failedJob, { reason: "BackoffLimitExceeded" }, `_x5 ${flat(3, long)}`),
        job("kube_job_failed", failedJob, { condition: "true" }, `_x5 ${flat(1, long)}`),
        job("kube_job_failed", failedJob, { condition: "false" }, `_x5 ${flat(0, long)}`),
        job("kube_job_failed", failedJob, { condition: "unknown" }, `_x5 ${flat(0, long)}`),
    ];
    // One pod failed, the retry succeeded: the Job is Complete and never gets a Failed condition.
    const retriedJobSeries = [
        job("kube_job_status_failed", retriedJob, { reason: "" }, flat(1, long)),
        job("kube_job_status_succeeded", retriedJob, {}, `${flat(0, 5)} ${flat(1, long)}`),
        job("kube_job_complete", retriedJob, { condition: "true" }, `${flat(0, 5)} ${flat(1, long)}`),
    ];

    const H = a.schedulerHeartbeatMinutes;
    const heartbeat = (values: string) => ({
        series: sel("airflow_scheduler_heartbeat", { namespace: cfg.airflow.namespace, pod: "airflow-statsd-0" }),
        values,
    });

    const P = a.pvcUsagePercent;
    const volume = (usedPercent: number) => [
        {
            series: sel("kubelet_volume_stats_used_bytes", { namespace: kns, persistentvolumeclaim: `data-0-${broker(0)}`, node: "node-a" }),
            values: flat(usedPercent * 10, long),
        },
        {
            series: sel("kubelet_volume_stats_capacity_bytes", { namespace: kns, persistentvolumeclaim: `data-0-${broker(0)}`, node: "node-a" }),
            values: flat(1000, long),
        },
    ];
    const volumeLabels = { namespace: kns, persistentvolumeclaim: `data-0-${broker(0)}` };

    const perBroker = (metric: string, forMinutes: number): AlertCases => ({
        firing: [
            {
                name: "above 0",
                series: [gauge(metric, broker(0), flat(2, long)), gauge(metric, broker(1), flat(0, long))],
                at: [{ minute: forMinutes + 1, alerts: [{ labels: { pod: broker(0) }, value: 2 }] }],
            },
        ],
        healthy: [
            {
                name: "all 0",
                series: [gauge(metric, broker(0), flat(0, long)), gauge(metric, broker(1), flat(0, long))],
                at: [{ minute: forMinutes + 1, alerts: [] }],
            },
        ],
    });

    return {
        KafkaConsumerGroupLagHigh: {
            firing: [
                {
                    name: `lag above ${N} for longer than ${M} minutes`,
                    series: [lag(0, flat(half + 1, M + 10)), lag(1, flat(N - half + 1, M + 10))],
                    at: [{ minute: M + 1, alerts: [{ labels: lagLabels, value: N + 2 }] }],
                },
            ],
            healthy: [
                { name: `lag at ${N}`, series: [lag(0, flat(half, M + 10)), lag(1, flat(N - half, M + 10))], at: [{ minute: M + 5, alerts: [] }] },
                {
                    name: `lag above ${N} for less than ${M} minutes`,
                    series: [lag(0, `${flat(half + 1, M - 2)} ${flat(0, 20)}`), lag(1, `${flat(N - half + 1, M - 2)} ${flat(0, 20)}`)],
                    at: [
                        { minute: M - 1, alerts: [] },
                        { minute: M, alerts: [] },
                        { minute: M + 5, alerts: [] },
                    ],
                },
            ],
        },
        KafkaUnderReplicatedPartitions: perBroker("kafka_server_replicamanager_underreplicatedpartitions", 10),
        KafkaUnderMinIsrPartitions: perBroker("kafka_server_replicamanager_underminisrpartitioncount", 5),
        KafkaOfflinePartitions: {
            firing: [
                {
                    name: "offline partitions",
                    series: [gauge("kafka_controller_kafkacontroller_offlinepartitionscount", `${cluster}-controller-3`, flat(4, long))],
                    at: [{ minute: 2, alerts: [{ labels: {}, value: 4 }] }],
                },
            ],
            healthy: [
                {
                    name: "none offline",
                    series: [gauge("kafka_controller_kafkacontroller_offlinepartitionscount", `${cluster}-controller-3`, flat(0, long))],
                    at: [{ minute: 2, alerts: [] }],
                },
            ],
        },
        KafkaBrokerDown: {
            firing: [
                { name: `${B - 1} of ${B} brokers`, series: leaders(B - 1), at: [{ minute: 6, alerts: [{ labels: {}, value: B - 1 }] }] },
                {
                    name: "no broker reports",
                    series: [gauge("kafka_server_replicamanager_underreplicatedpartitions", broker(0), flat(0, 1))],
                    at: [{ minute: 10, alerts: [{ labels: {}, value: 0 }] }],
                },
            ],
            healthy: [{ name: `all ${B} brokers`, series: leaders(B), at: [{ minute: 6, alerts: [] }] }],
        },
        StrimziCertificateExpiring: {
            firing: [
                {
                    name: `cluster CA expires in less than ${D} days`,
                    series: [cert("cluster-ca", D * 86400 - 3600), cert("client-ca", (D + 30) * 86400)],
                    at: [{ minute: 16, alerts: [{ labels: certLabels("cluster-ca"), value: Number.NaN }] }],
                },
            ],
            healthy: [
                {
                    name: `both CAs valid for more than ${D} days`,
                    series: [cert("cluster-ca", D * 86400 + 3 * 3600), cert("client-ca", (D + 30) * 86400)],
                    at: [{ minute: 16, alerts: [] }],
                },
            ],
        },
        KedaScalerErrors: {
            firing: [
                {
                    name: "scaler errors",
                    series: [keda("keda_scaler_detail_errors_total", `0+1x${long}`)],
                    at: [{ minute: 16, alerts: [{ labels: kedaLabels, value: Number.NaN }] }],
                },
            ],
            healthy: [{ name: "no new errors", series: [keda("keda_scaler_detail_errors_total", flat(3, long))], at: [{ minute: 16, alerts: [] }] }],
        },
        SparkApplicationFailed: sparkCounter("spark_application_failure_count"),
        SparkApplicationSubmissionFailed: sparkCounter("spark_application_failed_submission_count"),
        SparkStreamingRunFailed: {
            firing: [
                {
                    name: "a run failed after its retries",
                    series: [...failedJobSeries, ...retriedJobSeries],
                    at: [{ minute: 7, alerts: [{ labels: { job_name: failedJob }, value: 1 }] }],
                },
            ],
            healthy: [
                {
                    name: "a run that failed once then succeeded",
                    series: retriedJobSeries,
                    at: [
                        { minute: 3, alerts: [] },
                        { minute: 10, alerts: [] },
                    ],
                },
                {
                    name: "a failed run kept until its TTL",
                    series: failedJobSeries,
                    at: [
                        { minute: 30, alerts: [] },
                        { minute: long, alerts: [] },
                    ],
                },
            ],
        },
        AirflowSchedulerHeartbeatMissing: {
            firing: [
                {
                    name: `no heartbeat for ${H} minutes`,
                    series: [heartbeat(`0+1x10 _x${long}`)],
                    at: [{ minute: 10 + 3 + H + 1, alerts: [{ labels: {}, value: 0 }] }],
                },
            ],
            healthy: [{ name: "heartbeat every minute", series: [heartbeat(`0+1x${long}`)], at: [{ minute: H + 10, alerts: [] }] }],
        },
        PersistentVolumeAlmostFull: {
            firing: [{ name: `above ${P}%`, series: volume(P + 5), at: [{ minute: 11, alerts: [{ labels: volumeLabels, value: P + 5 }] }] }],
            healthy: [{ name: `below ${P}%`, series: volume(P - 5), at: [{ minute: 11, alerts: [] }] }],
        },
    };
}

/** Go's %.4g (Prometheus' humanize for values between 1 and 1000) and fmt's %v of a float64, for the integers used here. */
function formatValue(v: number, humanize: boolean): string {
    return humanize ? String(Number(v.toPrecision(4))) : String(v);
}

/** An annotation as Prometheus renders it for the given labels and value; only the template forms the rules use. */
export function renderAnnotation(template: string, labels: Record<string, string>, value: number): string {
    const out = template
        .replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, k: string) => {
            if (!(k in labels)) throw new Error(`template uses $labels.${k}, which the alert does not have: ${template}`);
            return labels[k];
        })
        .replace(/\{\{ \$value( \| humanize)? \}\}/g, (_, h?: string) => {
            if (Number.isNaN(value)) throw new Error(`template uses $value but the scenario gives none: ${template}`);
            return formatValue(value, h !== undefined);
        });
    if (out.includes("{{")) throw new Error(`template form not rendered by the tests: ${template}`);
    return out;
}

/** promtool `test rules` groups for a scenario of one alert. */
export function promtoolTests(rule: AlertRule, scenario: Scenario): Record<string, unknown> {
    return {
        name: `${rule.alert}: ${scenario.name}`,
        interval: "1m",
        input_series: scenario.series,
        alert_rule_test: scenario.at.map(({ minute, alerts }) => ({
            eval_time: `${minute}m`,
            alertname: rule.alert,
            exp_alerts: alerts.map((e) => {
                const labels = { ...e.labels, ...rule.labels };
                return {
                    exp_labels: labels,
                    exp_annotations: Object.fromEntries(Object.entries(rule.annotations).map(([k, t]) => [k, renderAnnotation(t, labels, e.value)])),
                };
            }),
        })),
    };
}
