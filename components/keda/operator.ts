import * as pulumi from "@pulumi/pulumi";
import { Release } from "@pulumi/kubernetes/helm/v3/release";
import type { KubernetesLayerArgs } from "../interfaces";
import type { PlatformConfig } from "../config";
import { CHARTS } from "../versions";
import { KEDA_NAMESPACE } from "../k8s/namespaces";
import { accessName } from "../kafka/specs";
import { RELOAD_ANNOTATION } from "../kafka/layer";
import { releaseAwait } from "../k8s/releases";

/** KEDA chart values (kedacore/keda): requests on every component, metrics for the monitoring layer. */
export function kedaValues(cfg: PlatformConfig): Record<string, any> {
    const prod = cfg.environment === "prod";
    // Memory-only limits: `cpu: null` deletes the chart's default CPU limit (1) that Helm's map merge would keep.
    const res = (cpu: string, memory: string) => ({ requests: { cpu, memory }, limits: { memory, cpu: null } });
    return {
        operator: { replicaCount: prod ? 2 : 1 },
        metricsServer: { replicaCount: prod ? 2 : 1 },
        webhooks: { enabled: true, replicaCount: prod ? 2 : 1 },
        podDisruptionBudget: prod ? { operator: { minAvailable: 1 }, metricServer: { minAvailable: 1 }, webhooks: { minAvailable: 1 } } : {},
        resources: {
            operator: res("100m", "256Mi"),
            metricServer: res("100m", "256Mi"),
            webhooks: res("50m", "128Mi"),
        },
        prometheus: {
            operator: { enabled: true },
            metricServer: { enabled: true },
            webhooks: { enabled: true },
        },
        logging: { operator: { level: "info", format: "json" } },
        // KEDA caches scaler credentials: when the lag reader's certificate is rotated, Reloader restarts the
        // operator (pod-template annotation) so it reads the renewed Secret instead of waiting for a failure.
        podAnnotations: { keda: { [RELOAD_ANNOTATION]: accessName(cfg.kafka, cfg.autoscaling.kafkaUser) } },
    };
}

/** KEDA: drives the HPAs of consumer Deployments and starts the streaming ScaledJobs from Kafka lag. */
export class Keda extends pulumi.ComponentResource {
    readonly release: Release;

    constructor(name: string, args: KubernetesLayerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplatform:keda:Keda", name, {}, opts);
        const cfg = args.config;
        this.release = new Release(name, {
            name: "keda",
            chart: CHARTS.keda.chart,
            version: cfg.charts.keda,
            repositoryOpts: { repo: CHARTS.keda.repo },
            namespace: args.namespaces.name(KEDA_NAMESPACE),
            values: kedaValues(cfg),
            atomic: true,
            ...releaseAwait(cfg, "keda"),
        }, { parent: this, provider: args.provider });
        this.registerOutputs({ release: this.release.status });
    }
}
