import * as pulumi from "@pulumi/pulumi";
import { CustomResource } from "@pulumi/kubernetes/apiextensions";
import type { Provider } from "@pulumi/kubernetes/provider";
import type { MonitoredPlatform } from "./stack";
import { KEDA_NAMESPACE } from "../k8s/namespaces";

/** A PodMonitor or ServiceMonitor as plain data (validated with @kubernetes-models in tests). */
export interface ScrapeTarget {
    kind: "PodMonitor" | "ServiceMonitor";
    name: string;
    spec: Record<string, any>;
}

// Keep the pod name as a label so alerts and dashboards can name the broker.
const podLabel = [{ sourceLabels: ["__meta_kubernetes_pod_name"], targetLabel: "pod", action: "replace" }];

function podMonitor(
    name: string,
    namespace: string,
    matchLabels: Record<string, string>,
    ports: string | readonly string[],
    extra: Record<string, any> = {},
): ScrapeTarget {
    return {
        kind: "PodMonitor",
        name,
        spec: {
            namespaceSelector: { matchNames: [namespace] },
            selector: { matchLabels, ...(extra.matchExpressions ? { matchExpressions: extra.matchExpressions } : {}) },
            podMetricsEndpoints: [ports].flat().map((port) => ({ port, path: "/metrics", interval: "30s", relabelings: podLabel })),
        },
    };
}

/**
 * The entity operator pod runs the Topic and the User Operator side by side, each serving /metrics on its own
 * health port; Strimzi names them apart (cluster-operator/.../model/EntityTopicOperator.java and
 * EntityUserOperator.java: HEALTHCHECK_PORT_NAME "healthcheck-to" on 8080, "healthcheck-uo" on 8081).
 */
const ENTITY_OPERATOR_METRICS_PORTS = ["healthcheck-to", "healthcheck-uo"] as const;

/**
 * What Prometheus scrapes besides the chart's own targets (kubelet, node-exporter, kube-state-metrics).
 * Strimzi labels its pods with strimzi.io/kind and strimzi.io/name (= <cluster>-<component>).
 */
export function scrapeTargets(cfg: MonitoredPlatform): ScrapeTarget[] {
    const kns = cfg.kafka.namespace;
    const cluster = cfg.kafka.clusterName;
    return [
        // Brokers and controllers (node pools carry strimzi.io/pool-name; the exporter and operators do not).
        podMonitor("strimzi-kafka", kns, { "strimzi.io/kind": "Kafka", "strimzi.io/cluster": cluster }, "tcp-prometheus", {
            matchExpressions: [{ key: "strimzi.io/pool-name", operator: "Exists" }],
        }),
        podMonitor("strimzi-cluster-operator", kns, { "strimzi.io/kind": "cluster-operator" }, "http"),
        podMonitor("strimzi-entity-operator", kns, { "strimzi.io/name": `${cluster}-entity-operator` }, ENTITY_OPERATOR_METRICS_PORTS),
        // Consumer-group lag (kafka_consumergroup_lag).
        podMonitor("kafka-exporter", kns, { "strimzi.io/name": `${cluster}-kafka-exporter` }, "tcp-prometheus"),
        podMonitor("keda-operator", KEDA_NAMESPACE, { "app.kubernetes.io/name": "keda-operator" }, "metrics"),
        podMonitor(
            "spark-operator",
            cfg.spark.operatorNamespace,
            { "app.kubernetes.io/name": "spark-operator", "app.kubernetes.io/component": "controller" },
            "metrics",
        ),
        // Airflow's StatsD metrics, translated by the chart's statsd exporter Service.
        {
            kind: "ServiceMonitor",
            name: "airflow-statsd",
            spec: {
                namespaceSelector: { matchNames: [cfg.airflow.namespace] },
                selector: { matchLabels: { tier: "airflow", component: "statsd" } },
                endpoints: [{ port: "statsd-scrape", path: "/metrics", interval: "30s" }],
            },
        },
    ];
}

export interface ScrapeConfigsArgs {
    platform: MonitoredPlatform;
    provider: Provider;
    namespace: pulumi.Input<string>;
    /** The chart (CRDs, operator) must exist first. */
    dependsOn: pulumi.Resource[];
}

/** PodMonitors/ServiceMonitors of the platform's components, in the monitoring namespace. */
export class ScrapeConfigs extends pulumi.ComponentResource {
    readonly monitors: CustomResource[];

    constructor(name: string, args: ScrapeConfigsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplatform:monitoring:ScrapeConfigs", name, {}, opts);
        this.monitors = scrapeTargets(args.platform).map(
            (t) =>
                new CustomResource(
                    `${name}-${t.name}`,
                    {
                        apiVersion: "monitoring.coreos.com/v1",
                        kind: t.kind,
                        metadata: { name: t.name, namespace: args.namespace },
                        spec: t.spec,
                    },
                    { parent: this, provider: args.provider, dependsOn: args.dependsOn },
                ),
        );
        this.registerOutputs({ monitors: scrapeTargets(args.platform).map((t) => t.name) });
    }
}
