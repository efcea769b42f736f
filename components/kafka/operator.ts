import * as pulumi from "@pulumi/pulumi";
import { Release } from "@pulumi/kubernetes/helm/v3/release";
import type { Provider } from "@pulumi/kubernetes/provider";
import { CHARTS } from "../versions";
import { releaseChart, type ChartRelease } from "../k8s/releases";

/** Container security context accepted by the restricted Pod Security Standard. */
const RESTRICTED_CONTAINER = {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
    runAsNonRoot: true,
    seccompProfile: { type: "RuntimeDefault" },
};

/**
 * Strimzi cluster operator, installed in the Kafka namespace and watching only that namespace (an empty
 * watchNamespaces list means "the release namespace"; listing it again makes the chart fail on duplicate
 * RoleBindings). The chart's own Deployment is restricted-PSS compliant; the operands (brokers, entity and
 * exporter pods) get the restricted security context from the restricted Pod Security Provider, since the
 * Kafka namespace enforces `restricted`. Network policies are ours (network-policy.ts): Strimzi's generated
 * ones open the metrics port to every pod.
 */
export function strimziValues(): Record<string, unknown> {
    return {
        watchNamespaces: [],
        watchAnyNamespace: false,
        generateNetworkPolicy: false,
        createGlobalResources: true,
        extraEnvs: [{ name: "STRIMZI_POD_SECURITY_PROVIDER_CLASS", value: "restricted" }],
        // Memory-only limits: `cpu: null` deletes the chart's default CPU limit (1000m), which Helm's map merge keeps.
        resources: { requests: { cpu: "200m", memory: "384Mi" }, limits: { memory: "384Mi", cpu: null } },
    };
}

/** Access Operator: turns each KafkaAccess into a Secret in the client's namespace and keeps it current. */
export function accessOperatorValues(): Record<string, unknown> {
    return {
        // `cpu: null` deletes the chart's default CPU limit (500m).
        resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "256Mi", cpu: null } },
        podSecurityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
        securityContext: RESTRICTED_CONTAINER,
    };
}

/**
 * Stakater Reloader: rolls a Deployment/StatefulSet annotated `secret.reloader.stakater.com/reload: <secret>`
 * when that Secret changes, which is how renewed Kafka client certificates reach running Java clients.
 */
export function reloaderValues(): Record<string, unknown> {
    return {
        reloader: {
            watchGlobally: true,
            readOnlyRootFileSystem: true,
            reloadStrategy: "annotations",
            // A Secret that appears after its consumer started (VSO syncing a value written to Vault later, e.g.
            // Airflow's OIDC client secret) restarts the consumers that name it.
            reloadOnCreate: true,
            deployment: {
                securityContext: { runAsNonRoot: true, runAsUser: 65534, seccompProfile: { type: "RuntimeDefault" } },
                containerSecurityContext: RESTRICTED_CONTAINER,
                resources: { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "256Mi" } },
            },
        },
    };
}

/** The Kafka layer's charts: stack version and wait of each Release. */
export interface KafkaReleases {
    strimzi: ChartRelease;
    strimziAccess: ChartRelease;
    reloader: ChartRelease;
}

export interface KafkaOperatorsArgs {
    releases: KafkaReleases;
    provider: Provider;
    /** The Kafka namespace (an Output that carries the namespace's creation). */
    namespace: pulumi.Input<string>;
}

/** The operators the Kafka layer needs: Strimzi, the Strimzi Access Operator and Reloader. */
export class KafkaOperators extends pulumi.ComponentResource {
    readonly strimzi: Release;
    readonly access: Release;
    readonly reloader: Release;

    constructor(name: string, args: KafkaOperatorsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplatform:kafka:Operators", name, {}, opts);
        const r = args.releases;
        const child = { parent: this, provider: args.provider };
        this.strimzi = new Release(
            `${name}-strimzi`,
            {
                name: "strimzi",
                ...releaseChart(CHARTS.strimzi, r.strimzi),
                namespace: args.namespace,
                values: strimziValues(),
            },
            child,
        );
        // Reads Kafka/KafkaUser objects through the v1 API, so it needs Strimzi's CRDs first.
        this.access = new Release(
            `${name}-access`,
            {
                name: "strimzi-access-operator",
                ...releaseChart(CHARTS.strimziAccess, r.strimziAccess),
                namespace: args.namespace,
                values: accessOperatorValues(),
            },
            { ...child, dependsOn: [this.strimzi] },
        );
        this.reloader = new Release(
            `${name}-reloader`,
            {
                name: "reloader",
                ...releaseChart(CHARTS.reloader, r.reloader),
                namespace: args.namespace,
                values: reloaderValues(),
            },
            child,
        );
        this.registerOutputs({ strimzi: this.strimzi.status, access: this.access.status, reloader: this.reloader.status });
    }
}
