import * as pulumi from "@pulumi/pulumi";
import { NetworkPolicy } from "@pulumi/kubernetes/networking/v1";
import type { Provider } from "@pulumi/kubernetes/provider";
import type * as k8sInput from "@pulumi/kubernetes/types/input";
import type { PlatformConfig } from "../config";
import { PORTS } from "./specs";

type Peer = k8sInput.networking.v1.NetworkPolicyPeer;
type Rule = k8sInput.networking.v1.NetworkPolicyIngressRule;

const NS_LABEL = "kubernetes.io/metadata.name";

function inNamespaces(names: string[]): Peer {
    return { namespaceSelector: { matchExpressions: [{ key: NS_LABEL, operator: "In", values: [...new Set(names)].sort() }] } };
}

function rule(port: number, from: Peer[]): Rule {
    return { ports: [{ protocol: "TCP", port }], from };
}

/** Namespaces whose pods may use the client listener: the declared clients and the Kafka namespace itself. */
export function clientNamespacesOf(cfg: Pick<PlatformConfig, "kafka">): string[] {
    return [...new Set([cfg.kafka.namespace, ...cfg.kafka.clientNamespaces])].sort();
}

/**
 * Ingress to the Kafka pods (brokers and controllers), replacing Strimzi's generated policy (disabled in
 * the operator): quorum and replication only from the cluster's own components and the operator, the
 * TLS client listener only from client namespaces, metrics only from monitoring, the external listener
 * (when enabled) from anywhere because it authenticates and the load balancer has its own source ranges.
 */
export function kafkaNetworkPolicySpec(cfg: Pick<PlatformConfig, "kafka" | "monitoring">): k8sInput.networking.v1.NetworkPolicySpec {
    const k = cfg.kafka;
    const c = k.clusterName;
    const pods = (labels: Record<string, string>): Peer => ({ podSelector: { matchLabels: labels } });
    const kafkaPods = pods({ "strimzi.io/cluster": c, "strimzi.io/kind": "Kafka" });
    const operator = pods({ "strimzi.io/kind": "cluster-operator" });
    const internal = [
        operator, kafkaPods,
        pods({ "strimzi.io/name": `${c}-entity-operator` }),
        pods({ "strimzi.io/name": `${c}-kafka-exporter` }),
        pods({ "strimzi.io/name": `${c}-cruise-control` }),
    ];
    const ingress: Rule[] = [
        rule(PORTS.controlPlane, [kafkaPods, operator]),
        rule(PORTS.replication, internal),
        rule(PORTS.agent, [operator]),
        rule(PORTS.tls, [inNamespaces(clientNamespacesOf(cfg))]),
        rule(PORTS.metrics, [inNamespaces([cfg.monitoring.namespace])]),
    ];
    if (k.external.enabled) ingress.push({ ports: [{ protocol: "TCP", port: PORTS.external }] });
    return {
        podSelector: { matchLabels: { "strimzi.io/cluster": c, "strimzi.io/kind": "Kafka" } },
        policyTypes: ["Ingress"],
        ingress,
    };
}

export interface KafkaNetworkPolicyArgs {
    config: PlatformConfig;
    provider: Provider;
    namespace: pulumi.Input<string>;
}

/** The NetworkPolicy guarding the brokers and controllers. */
export class KafkaNetworkPolicy extends pulumi.ComponentResource {
    readonly policy: NetworkPolicy;

    constructor(name: string, args: KafkaNetworkPolicyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplatform:kafka:NetworkPolicy", name, {}, opts);
        this.policy = new NetworkPolicy(name, {
            metadata: { name: `${args.config.kafka.clusterName}-kafka-ingress`, namespace: args.namespace },
            spec: kafkaNetworkPolicySpec(args.config),
        }, { parent: this, provider: args.provider });
        this.registerOutputs({ policy: this.policy.metadata.name });
    }
}
