import * as pulumi from "@pulumi/pulumi";
import { Release } from "@pulumi/kubernetes/helm/v3/release";
import type { KubernetesLayerArgs } from "../interfaces";
import type { PlatformConfig } from "../config";
import { CHARTS } from "../versions";
import { KEDA_NAMESPACE } from "../k8s/namespaces";
import { RELOAD_ANNOTATION } from "../contracts/pod";
import { releaseChart, type ChartRelease } from "../k8s/releases";

/**
 * KEDA chart values (kedacore/keda): requests on every component, metrics for the monitoring layer.
 * `lagReaderSecret`: the lag reader's credentials Secret in KEDA's namespace (KafkaPlatform.secretName).
 */
export function kedaValues(cfg: Pick<PlatformConfig, "environment">, lagReaderSecret: string): Record<string, any> {
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
        podAnnotations: { keda: { [RELOAD_ANNOTATION]: lagReaderSecret } },
    };
}

export interface KedaArgs extends KubernetesLayerArgs {
    /** prod: two replicas and disruption budgets. */
    environment: PlatformConfig["environment"];
    release: ChartRelease;
    /** The lag reader's credentials Secret in KEDA's namespace: a renewed certificate restarts the operator. */
    lagReaderSecret: string;
}

/** KEDA: drives the HPAs of consumer Deployments and starts the streaming ScaledJobs from Kafka lag. */
export class Keda extends pulumi.ComponentResource {
    readonly release: Release;

    constructor(name: string, args: KedaArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplatform:keda:Keda", name, {}, opts);
        this.release = new Release(
            name,
            {
                name: "keda",
                ...releaseChart(CHARTS.keda, args.release),
                namespace: args.namespaces.name(KEDA_NAMESPACE),
                values: kedaValues(args, args.lagReaderSecret),
                atomic: true,
            },
            { parent: this, provider: args.provider },
        );
        this.registerOutputs({ release: this.release.status });
    }
}
