import * as pulumi from "@pulumi/pulumi";
import { Release } from "@pulumi/kubernetes/helm/v3/release";
import type { Provider } from "@pulumi/kubernetes/provider";
import type { PlatformConfig } from "../config";
import { CHARTS } from "../versions";
import { NODE_EXPORTER_NAMESPACE } from "../k8s/namespaces";
import { KPS_RELEASE, releaseChart, type ChartRelease } from "../k8s/releases";
import type { MonitoringSecretNames, RolloutTarget } from "../contracts/vault-secrets";

/**
 * What the monitoring layer reads from config: its own section and the facts of the layers it watches (where Kafka,
 * Spark and Airflow run, Kafka's size and ISR floor, KEDA's lag threshold), resolved in the wiring.
 */
export interface MonitoredPlatform {
    readonly monitoring: PlatformConfig["monitoring"];
    readonly kafka: Pick<PlatformConfig["kafka"], "namespace" | "clusterName" | "brokers" | "minInsyncReplicas">;
    readonly spark: Pick<PlatformConfig["spark"], "operatorNamespace" | "jobNamespace">;
    readonly airflow: Pick<PlatformConfig["airflow"], "namespace">;
    readonly autoscaling: Pick<PlatformConfig["autoscaling"], "lagThreshold">;
}

/** The Grafana Deployment the chart names after the release: VSO restarts it when its admin Secret changes. */
export const GRAFANA_ROLLOUT: readonly RolloutTarget[] = [{ kind: "Deployment", name: `${KPS_RELEASE}-grafana` }];

/** Where Alertmanager mounts the Secrets listed in alertmanagerSpec.secrets (prometheus-operator: /etc/alertmanager/secrets/<name>). */
export const SECRETS_DIR = "/etc/alertmanager/secrets";

/** Where Alertmanager mounts the receivers' Secret (the operator's path, kept for the optional mount too). */
function secretDir(secretName: string): string {
    return `${SECRETS_DIR}/${secretName}`;
}

export function secretFile(secretName: string, key: string): string {
    return `${secretDir(secretName)}/${key}`;
}

type Receiver = PlatformConfig["monitoring"]["receivers"][number];

function receiverConfig(r: Receiver, secretName: string): Record<string, unknown> {
    switch (r.type) {
        case "slack":
            return { name: r.name, slack_configs: [{ api_url_file: secretFile(secretName, r.vaultKey), channel: r.target, send_resolved: true }] };
        case "pagerduty":
            return { name: r.name, pagerduty_configs: [{ routing_key_file: secretFile(secretName, r.vaultKey), send_resolved: true }] };
    }
}

/** The receiver that drops what it gets (the chart's default receiver). */
export const NULL_RECEIVER = "null";

/** The receiver of alerts that page no one: the first chat (non-pager) receiver, preferring one for warnings. */
export function chatReceiver(cfg: Pick<PlatformConfig, "monitoring">): string {
    const chat = cfg.monitoring.receivers.filter((r) => r.type !== "pagerduty");
    return (chat.find((r) => r.severity === "warning") ?? chat[0])?.name ?? NULL_RECEIVER;
}

/**
 * Alertmanager's configuration: receivers from config, routed by severity; secrets only as file paths.
 * Helm deep-merges these values over the chart's `alertmanager.config`, so keys left out here keep the chart's
 * defaults: its inhibit_rules (critical mutes warning/info, warning mutes info, InfoInhibitor mutes info) and templates
 * (kube-prometheus-stack values.yaml, alertmanager.config).
 */
export function alertmanagerConfig(cfg: Pick<PlatformConfig, "monitoring">, secretName: string): Record<string, unknown> {
    const receivers = cfg.monitoring.receivers;
    return {
        global: { resolve_timeout: "5m" },
        route: {
            // Anything no severity route takes (no severity, info, an unknown one) goes to chat, never to a pager.
            receiver: chatReceiver(cfg),
            group_by: ["alertname", "namespace"],
            group_wait: "30s",
            group_interval: "5m",
            repeat_interval: "4h",
            routes: [
                // The chart's always-firing alerts: Watchdog proves the pipeline works, InfoInhibitor only mutes info alerts.
                { receiver: NULL_RECEIVER, matchers: ['alertname=~"Watchdog|InfoInhibitor"'] },
                ...receivers.map((r) => ({ receiver: r.name, matchers: [`severity="${r.severity}"`], continue: true })),
            ],
        },
        receivers: [{ name: NULL_RECEIVER }, ...receivers.map((r) => receiverConfig(r, secretName))],
    };
}

const req = (cpu: string, memory: string) => ({ requests: { cpu, memory }, limits: { memory } });

/** The Secrets VSO keeps for Grafana and Alertmanager (names from the Vault layer). */
export type StackSecrets = MonitoringSecretNames;

/** kube-prometheus-stack values built from config. */
export function stackValues(cfg: Pick<PlatformConfig, "monitoring">, storageClassName: pulumi.Input<string>, namespace: string, secrets: StackSecrets) {
    const m = cfg.monitoring;
    const pvc = (size: string) => ({
        volumeClaimTemplate: { spec: { storageClassName, accessModes: ["ReadWriteOnce"], resources: { requests: { storage: size } } } },
    });
    return {
        // Managed control planes (GKE, EKS) do not expose these; scraping them would only raise TargetDown.
        kubeControllerManager: { enabled: false },
        kubeScheduler: { enabled: false },
        kubeEtcd: { enabled: false },
        kubeProxy: { enabled: false },
        kubeStateMetrics: { enabled: true },
        "kube-state-metrics": { resources: req("20m", "128Mi") },
        nodeExporter: { enabled: true },
        // Its own privileged namespace (k8s/namespaces.ts): the rest of monitoring stays restricted.
        "prometheus-node-exporter": { namespaceOverride: NODE_EXPORTER_NAMESPACE, resources: req("20m", "64Mi") },
        prometheusOperator: {
            resources: req("50m", "128Mi"),
            prometheusConfigReloader: { resources: req("10m", "32Mi") },
            admissionWebhooks: { patch: { resources: req("10m", "32Mi") } },
        },
        prometheus: {
            prometheusSpec: {
                retention: `${m.retentionDays}d`,
                // Leave headroom on the volume so Prometheus drops old blocks before the disk fills.
                retentionSize: `${Math.floor(m.storageSizeGi * 0.85)}GB`,
                storageSpec: pvc(`${m.storageSizeGi}Gi`),
                resources: req(m.prometheus.cpu, m.prometheus.memory),
                serviceMonitorSelectorNilUsesHelmValues: false,
                podMonitorSelectorNilUsesHelmValues: false,
                ruleSelectorNilUsesHelmValues: false,
                probeSelectorNilUsesHelmValues: false,
                scrapeConfigSelectorNilUsesHelmValues: false,
            },
        },
        alertmanager: {
            enabled: true,
            config: alertmanagerConfig(cfg, secrets.alertmanagerReceivers),
            alertmanagerSpec: {
                // Not alertmanagerSpec.secrets (a required mount): the webhook URLs and routing keys are written by
                // people and may not exist at first deploy. Optional, Alertmanager starts without them; the kubelet
                // projects the Secret once VSO creates it, and the *_file fields are read at each notification.
                volumes: [{ name: "receivers", secret: { secretName: secrets.alertmanagerReceivers, optional: true } }],
                volumeMounts: [{ name: "receivers", mountPath: secretDir(secrets.alertmanagerReceivers), readOnly: true }],
                resources: req("20m", "64Mi"),
                storage: pvc("2Gi"),
            },
        },
        grafana: {
            enabled: true,
            admin: { existingSecret: secrets.grafanaAdmin, userKey: "admin-user", passwordKey: "admin-password" },
            service: { type: "ClusterIP" },
            ingress: { enabled: false },
            defaultDashboardsTimezone: "utc",
            resources: req("50m", "192Mi"),
            sidecar: {
                resources: req("10m", "64Mi"),
                dashboards: { enabled: true, label: "grafana_dashboard", labelValue: "1", searchNamespace: namespace },
            },
        },
    };
}

export interface PrometheusStackArgs {
    monitoring: PlatformConfig["monitoring"];
    release: ChartRelease;
    provider: Provider;
    namespace: pulumi.Input<string>;
    storageClassName: pulumi.Input<string>;
    secrets: StackSecrets;
    /** The synced Secrets Grafana and Alertmanager mount. */
    dependsOn: pulumi.Resource[];
}

/** kube-prometheus-stack: Prometheus, Alertmanager, Grafana, operator, kube-state-metrics, node-exporter. */
export class PrometheusStack extends pulumi.ComponentResource {
    readonly release: Release;

    constructor(name: string, args: PrometheusStackArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplatform:monitoring:PrometheusStack", name, {}, opts);
        const cfg = { monitoring: args.monitoring };
        this.release = new Release(
            name,
            {
                name: KPS_RELEASE,
                ...releaseChart(CHARTS.kubePrometheusStack, args.release),
                namespace: args.namespace,
                values: stackValues(cfg, args.storageClassName, cfg.monitoring.namespace, args.secrets),
            },
            { parent: this, provider: args.provider, dependsOn: args.dependsOn },
        );
        this.registerOutputs({ release: this.release.name });
    }
}
