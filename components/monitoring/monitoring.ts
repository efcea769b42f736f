import * as pulumi from "@pulumi/pulumi";
import type { KubernetesLayerArgs } from "../interfaces";
import type { ChartRelease } from "../k8s/releases";
import { PrometheusStack, StackSecrets, type MonitoredPlatform } from "./stack";
import { ScrapeConfigs } from "./podmonitors";
import { AlertRules } from "./rules";
import { Dashboards } from "./dashboards";
import { NODE_EXPORTER_NAMESPACE } from "../k8s/namespaces";

export type MonitoringArgs = KubernetesLayerArgs & {
    platform: MonitoredPlatform;
    /** kube-prometheus-stack. */
    release: ChartRelease;
    /** Names of the VSO-synced Secrets (from VaultLayer.monitoringSecrets). */
    secrets: StackSecrets;
    /** The VaultStaticSecrets behind them: Grafana must not start before its admin Secret exists. */
    secretsReady: pulumi.Resource[];
};

/** Observability of the platform: the Prometheus stack, scrape targets, alerts and dashboards. */
export class Monitoring extends pulumi.ComponentResource {
    readonly stack: PrometheusStack;
    readonly namespace: pulumi.Output<string>;

    constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplatform:monitoring:Monitoring", name, {}, opts);
        const cfg = args.platform;
        this.namespace = args.namespaces.name(cfg.monitoring.namespace);
        const common = { platform: cfg, provider: args.provider, namespace: this.namespace };
        this.stack = new PrometheusStack(
            `${name}-stack`,
            {
                monitoring: cfg.monitoring,
                release: args.release,
                provider: args.provider,
                namespace: this.namespace,
                storageClassName: args.storageClassName,
                secrets: args.secrets,
                // node-exporter is installed into its own namespace, which must exist first.
                dependsOn: [...args.secretsReady, args.namespaces.get(NODE_EXPORTER_NAMESPACE)],
            },
            { parent: this },
        );
        const afterChart = [this.stack.release];
        new ScrapeConfigs(`${name}-scrape`, { ...common, dependsOn: afterChart }, { parent: this });
        new AlertRules(`${name}-rules`, { ...common, dependsOn: afterChart }, { parent: this });
        new Dashboards(`${name}-dashboards`, common, { parent: this });
        this.registerOutputs({ namespace: this.namespace });
    }
}
