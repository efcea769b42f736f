import * as pulumi from "@pulumi/pulumi";
import { Release } from "@pulumi/kubernetes/helm/v3/release";
import type { KubernetesLayerArgs } from "../interfaces";
import type { PlatformConfig } from "../config";
import { CHARTS } from "../versions";
import { SERVICE_ACCOUNTS } from "../k8s/accounts";
import { releaseChart, type ChartRelease } from "../k8s/releases";

/** The operator's settings: the job namespace it watches, replicas in prod. */
export type SparkOperatorSettings = Pick<PlatformConfig, "environment"> & { spark: Pick<PlatformConfig["spark"], "operatorNamespace" | "jobNamespace"> };

/** Spark operator chart values (kubeflow spark-operator); every key exists in the chart's values.yaml. */
export function sparkOperatorValues(cfg: SparkOperatorSettings): Record<string, any> {
    const res = (cpu: string, memory: string) => ({ requests: { cpu, memory }, limits: { memory } });
    const prod = cfg.environment === "prod";
    return {
        controller: {
            replicas: prod ? 2 : 1,
            leaderElection: { enable: true },
            resources: res("100m", "256Mi"),
            podDisruptionBudget: { enable: prod, minAvailable: 1 },
            uiService: { enable: true },
            uiIngress: { enable: false },
        },
        webhook: {
            enable: true,
            replicas: prod ? 2 : 1,
            failurePolicy: "Fail",
            resources: res("50m", "128Mi"),
            podDisruptionBudget: { enable: prod, minAvailable: 1 },
        },
        spark: {
            // The operator only watches (and only gets namespaced Roles in) the job namespace.
            jobNamespaces: [cfg.spark.jobNamespace],
            // The job ServiceAccount is created by the identity binder; the chart only binds its Role to it.
            serviceAccount: { create: false, name: SERVICE_ACCOUNTS.sparkJobs },
            rbac: { create: true },
        },
        // No CRD-upgrade hook: chart 2.5.x hard-codes its Job's security context (templates/hook/job.yaml: no
        // runAsNonRoot, no seccompProfile, a fixed CPU limit) and no value reaches it, so the restricted operator
        // namespace refuses its pod and the release fails. Helm installs crds/ on first install; on a chart bump the
        // CRDs are applied first, by hand (README, "Pod Security and chart defaults").
        hook: { upgradeCrd: false },
        prometheus: {
            metrics: { enable: true, port: 8080, portName: "metrics", endpoint: "/metrics" },
            // The monitoring layer owns PodMonitors (and their CRDs).
            podMonitor: { create: false },
        },
    };
}

export interface SparkOperatorArgs extends KubernetesLayerArgs, SparkOperatorSettings {
    release: ChartRelease;
    /** Resources the job namespace's ServiceAccount depends on (the chart binds Roles to it). */
    dependsOn?: pulumi.Resource[];
}

/** The Spark operator: controller + admission webhook, namespaced to the job namespace. */
export class SparkOperator extends pulumi.ComponentResource {
    readonly release: Release;

    constructor(name: string, args: SparkOperatorArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplatform:spark:SparkOperator", name, {}, opts);
        const cfg = args;
        // Both namespaces must exist first: the chart puts Roles into the job namespace.
        const namespace = pulumi.all([args.namespaces.name(cfg.spark.operatorNamespace), args.namespaces.name(cfg.spark.jobNamespace)]).apply(([ns]) => ns);
        this.release = new Release(
            name,
            {
                name: "spark-operator",
                ...releaseChart(CHARTS.sparkOperator, args.release),
                namespace,
                values: sparkOperatorValues(cfg),
                atomic: true,
            },
            { parent: this, provider: args.provider, dependsOn: args.dependsOn },
        );
        this.registerOutputs({ release: this.release.status });
    }
}
