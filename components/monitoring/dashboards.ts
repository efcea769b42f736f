import * as pulumi from "@pulumi/pulumi";
import { ConfigMap } from "@pulumi/kubernetes/core/v1";
import type { Provider } from "@pulumi/kubernetes/provider";
import type { MonitoredPlatform } from "./stack";

/** The label the Grafana dashboard sidecar watches. */
const DASHBOARD_LABEL = { grafana_dashboard: "1" };
// kube-prometheus-stack provisions its Prometheus datasource with this uid.
const DS = { type: "prometheus", uid: "prometheus" };

interface Target {
    expr: string;
    legend: string;
}

function timeseries(id: number, title: string, targets: Target[], unit: string, x: number, y: number, thresholds?: number): Record<string, unknown> {
    return {
        id,
        title,
        type: "timeseries",
        datasource: DS,
        gridPos: { h: 8, w: 12, x, y },
        fieldConfig: {
            defaults: {
                unit,
                thresholds: {
                    mode: "absolute",
                    steps: [{ color: "green", value: null }, ...(thresholds !== undefined ? [{ color: "red", value: thresholds }] : [])],
                },
                custom: thresholds !== undefined ? { thresholdsStyle: { mode: "line" } } : {},
            },
            overrides: [],
        },
        options: { legend: { displayMode: "table", placement: "bottom", calcs: ["lastNotNull", "max"] }, tooltip: { mode: "multi" } },
        targets: targets.map((t, i) => ({ refId: String.fromCharCode(65 + i), datasource: DS, expr: t.expr, legendFormat: t.legend })),
    };
}

function stat(id: number, title: string, expr: string, x: number, y: number, red: number): Record<string, unknown> {
    return {
        id,
        title,
        type: "stat",
        datasource: DS,
        gridPos: { h: 4, w: 6, x, y },
        fieldConfig: {
            defaults: {
                thresholds: {
                    mode: "absolute",
                    steps: [
                        { color: "green", value: null },
                        { color: "red", value: red },
                    ],
                },
            },
            overrides: [],
        },
        options: { reduceOptions: { calcs: ["lastNotNull"], fields: "", values: false }, colorMode: "background" },
        targets: [{ refId: "A", datasource: DS, expr }],
    };
}

function dashboard(uid: string, title: string, panels: Record<string, unknown>[]): Record<string, unknown> {
    return {
        uid,
        title,
        tags: ["dataplatform"],
        timezone: "utc",
        schemaVersion: 39,
        version: 1,
        editable: false,
        time: { from: "now-6h", to: "now" },
        refresh: "30s",
        templating: { list: [] },
        annotations: { list: [] },
        panels,
    };
}

/** Dashboards as code: Kafka brokers, consumer lag, KEDA autoscaling. */
export function dashboards(cfg: MonitoredPlatform): Record<string, Record<string, unknown>> {
    const k = `namespace="${cfg.kafka.namespace}"`;
    const lag = cfg.monitoring.alerts.consumerLagMessages;
    return {
        "kafka-brokers": dashboard("dp-kafka-brokers", `Kafka brokers (${cfg.kafka.clusterName})`, [
            stat(1, "Brokers up", `count(kafka_server_replicamanager_leadercount{${k}})`, 0, 0, cfg.kafka.brokers + 1),
            stat(2, "Under-replicated partitions", `sum(kafka_server_replicamanager_underreplicatedpartitions{${k}})`, 6, 0, 1),
            stat(3, "Offline partitions", `sum(kafka_controller_kafkacontroller_offlinepartitionscount{${k}})`, 12, 0, 1),
            stat(4, "Under min ISR", `sum(kafka_server_replicamanager_underminisrpartitioncount{${k}})`, 18, 0, 1),
            timeseries(
                5,
                "Bytes in per broker",
                [{ expr: `sum by (pod) (rate(kafka_server_brokertopicmetrics_bytesin_total{${k},topic=""}[5m]))`, legend: "{{pod}}" }],
                "Bps",
                0,
                4,
            ),
            timeseries(
                6,
                "Bytes out per broker",
                [{ expr: `sum by (pod) (rate(kafka_server_brokertopicmetrics_bytesout_total{${k},topic=""}[5m]))`, legend: "{{pod}}" }],
                "Bps",
                12,
                4,
            ),
            timeseries(
                7,
                "Messages in per topic",
                [{ expr: `sum by (topic) (rate(kafka_server_brokertopicmetrics_messagesin_total{${k},topic!=""}[5m]))`, legend: "{{topic}}" }],
                "short",
                0,
                12,
            ),
            timeseries(
                8,
                "Partition leaders per broker",
                [{ expr: `sum by (pod) (kafka_server_replicamanager_leadercount{${k}})`, legend: "{{pod}}" }],
                "short",
                12,
                12,
            ),
            timeseries(
                9,
                "Log volume usage",
                [
                    {
                        expr: `100 * max by (persistentvolumeclaim) (kubelet_volume_stats_used_bytes{${k}} / kubelet_volume_stats_capacity_bytes{${k}})`,
                        legend: "{{persistentvolumeclaim}}",
                    },
                ],
                "percent",
                0,
                20,
                cfg.monitoring.alerts.pvcUsagePercent,
            ),
        ]),
        "kafka-consumer-lag": dashboard("dp-kafka-lag", "Kafka consumer lag", [
            timeseries(
                1,
                "Lag per consumer group and topic",
                [{ expr: `sum by (consumergroup, topic) (kafka_consumergroup_lag{${k}})`, legend: "{{consumergroup}} / {{topic}}" }],
                "short",
                0,
                0,
                lag,
            ),
            timeseries(
                2,
                "Lag per partition",
                [{ expr: `max by (consumergroup, topic, partition) (kafka_consumergroup_lag{${k}})`, legend: "{{consumergroup}} {{topic}}/{{partition}}" }],
                "short",
                12,
                0,
            ),
            timeseries(
                3,
                "Consumption rate",
                [{ expr: `sum by (consumergroup, topic) (rate(kafka_consumergroup_current_offset{${k}}[5m]))`, legend: "{{consumergroup}} / {{topic}}" }],
                "short",
                0,
                8,
            ),
            timeseries(
                4,
                "Production rate",
                [{ expr: `sum by (topic) (rate(kafka_topic_partition_current_offset{${k}}[5m]))`, legend: "{{topic}}" }],
                "short",
                12,
                8,
            ),
        ]),
        "keda-autoscaling": dashboard("dp-keda", "KEDA autoscaling", [
            timeseries(
                1,
                "Scaler metric value (lag) vs threshold",
                [{ expr: "sum by (exported_namespace, scaledObject, metric) (keda_scaler_metrics_value)", legend: "{{exported_namespace}}/{{scaledObject}}" }],
                "short",
                0,
                0,
                cfg.autoscaling.lagThreshold,
            ),
            timeseries(
                2,
                "Replicas (HPA current / desired)",
                [
                    {
                        expr: 'sum by (namespace, horizontalpodautoscaler) (kube_horizontalpodautoscaler_status_current_replicas{horizontalpodautoscaler=~"keda-hpa-.*"})',
                        legend: "current {{namespace}}/{{horizontalpodautoscaler}}",
                    },
                    {
                        expr: 'sum by (namespace, horizontalpodautoscaler) (kube_horizontalpodautoscaler_status_desired_replicas{horizontalpodautoscaler=~"keda-hpa-.*"})',
                        legend: "desired {{namespace}}/{{horizontalpodautoscaler}}",
                    },
                ],
                "short",
                12,
                0,
            ),
            timeseries(
                3,
                "Scaler errors",
                [
                    {
                        expr: "sum by (exported_namespace, scaledObject, scaler) (rate(keda_scaler_detail_errors_total[5m]))",
                        legend: "{{exported_namespace}}/{{scaledObject}} {{scaler}}",
                    },
                ],
                "short",
                0,
                8,
                0,
            ),
            timeseries(
                4,
                "Scaled jobs / objects active",
                [{ expr: "sum by (exported_namespace, scaledObject) (keda_scaler_active)", legend: "{{exported_namespace}}/{{scaledObject}}" }],
                "short",
                12,
                8,
            ),
        ]),
    };
}

export interface DashboardsArgs {
    platform: MonitoredPlatform;
    provider: Provider;
    namespace: pulumi.Input<string>;
}

/** One ConfigMap per dashboard, picked up by the Grafana sidecar. */
export class Dashboards extends pulumi.ComponentResource {
    readonly configMaps: ConfigMap[];

    constructor(name: string, args: DashboardsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplatform:monitoring:Dashboards", name, {}, opts);
        this.configMaps = Object.entries(dashboards(args.platform)).map(
            ([key, json]) =>
                new ConfigMap(
                    `${name}-${key}`,
                    {
                        metadata: { name: `dashboard-${key}`, namespace: args.namespace, labels: DASHBOARD_LABEL },
                        data: { [`${key}.json`]: JSON.stringify(json) },
                    },
                    { parent: this, provider: args.provider },
                ),
        );
        this.registerOutputs({ dashboards: this.configMaps.length });
    }
}
