import * as pulumi from "@pulumi/pulumi";
import type { KafkaClientAccess, KafkaPlatform, KubernetesLayerArgs } from "../interfaces";
import { KEDA_NAMESPACE } from "../k8s/namespaces";
import { KafkaAccesses } from "./access";
import { KafkaCluster } from "./cluster";
import { KafkaOperators } from "./operator";
import { accessKeys, accessTargets, bootstrapServers } from "./specs";
import { KafkaUsers } from "./users";

/** Pod template annotation that makes Reloader roll a workload when its Kafka credentials Secret changes. */
export const RELOAD_ANNOTATION = "secret.reloader.stakater.com/reload";

/** Annotations for a Deployment/StatefulSet that mounts these credentials (comma-joined when several). */
export function reloadAnnotations(...access: KafkaClientAccess[]): Record<string, pulumi.Output<string>> {
    return { [RELOAD_ANNOTATION]: pulumi.all(access.map((a) => a.secretName)).apply((names) => [...new Set(names)].join(",")) };
}

/**
 * Kafka on Kubernetes, cloud-agnostic: Strimzi (KRaft, mTLS or SCRAM over TLS, simple ACLs), topics,
 * users, credentials delivered into client namespaces by KafkaAccess (its NetworkPolicies come from k8s/flows.ts).
 */
export class KafkaLayer extends pulumi.ComponentResource implements KafkaPlatform {
    readonly clusterName: string;
    readonly namespace: string;
    readonly bootstrapServers: string;
    readonly ready: pulumi.Resource[];
    readonly operators: KafkaOperators;
    readonly cluster: KafkaCluster;
    readonly users: KafkaUsers;
    readonly accesses: KafkaAccesses;
    private readonly args: KubernetesLayerArgs;

    constructor(name: string, args: KubernetesLayerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplatform:kafka:KafkaLayer", name, {}, opts);
        const cfg = args.config;
        const k = cfg.kafka;
        this.args = args;
        this.clusterName = k.clusterName;
        this.namespace = k.namespace;
        this.bootstrapServers = bootstrapServers(k);
        const base = { config: cfg, provider: args.provider };
        const ns = args.namespaces.name(k.namespace);

        this.operators = new KafkaOperators(`${name}-operators`, { ...base, namespace: ns }, { parent: this });
        this.cluster = new KafkaCluster(`${name}-cluster`, {
            ...base, namespace: ns, storageClassName: args.storageClassName, operator: this.operators.strimzi,
        }, { parent: this });
        this.users = new KafkaUsers(`${name}-users`, { ...base, namespace: ns, cluster: this.cluster.kafka }, { parent: this });
        this.accesses = new KafkaAccesses(`${name}-access`, {
            ...base,
            namespace: (n) => args.namespaces.name(n),
            kedaNamespace: KEDA_NAMESPACE,
            operator: this.operators.access,
            users: this.users.users,
        }, { parent: this });

        this.ready = [this.cluster.kafka, ...this.cluster.topics, ...Object.values(this.users.users), ...Object.values(this.accesses.accesses)];
        this.registerOutputs({
            clusterName: this.clusterName,
            namespace: this.namespace,
            bootstrapServers: this.bootstrapServers,
            accesses: Object.keys(this.accesses.accesses),
        });
    }

    /** Credentials of a configured user in one of its namespaces; throws for anything not configured. */
    access(user: string, namespace: string): KafkaClientAccess {
        const k = this.args.config.kafka;
        const targets = accessTargets(k, KEDA_NAMESPACE);
        const ka = this.accesses.accesses[`${user}/${namespace}`];
        if (!ka) {
            const known = targets.filter((t) => t.user === user).map((t) => t.namespace);
            throw new Error(known.length === 0
                ? `kafka user ${user} is not configured (dataplatform:kafka.users: ${k.users.map((u) => u.name).join(", ")})`
                : `kafka user ${user} has no credentials in namespace ${namespace} (its namespaces: ${known.join(", ")}); add it to dataplatform:kafka.users[].namespaces`);
        }
        return {
            user,
            namespace,
            // The Access Operator names the Secret after the KafkaAccess; the Output carries the dependency.
            secretName: ka.metadata.name as pulumi.Output<string>,
            bootstrapServers: this.bootstrapServers,
            authentication: k.authentication,
            keys: accessKeys(k.authentication),
        };
    }
}
