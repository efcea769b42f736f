import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "../config";
import type { KubernetesLayerArgs } from "../interfaces";
import type { KafkaClientAccess, KafkaPlatform } from "../contracts/kafka-client";
import { KafkaAccesses } from "./access";
import { KafkaCluster } from "./cluster";
import { KafkaOperators, type KafkaReleases } from "./operator";
import { accessKeys, accessName, accessTargets, type AccessTarget } from "./access-specs";
import { bootstrapServers } from "./strimzi-specs";
import { KafkaUsers } from "./users";

export interface KafkaLayerArgs extends KubernetesLayerArgs {
    kafka: PlatformConfig["kafka"];
    /** prod: rack awareness, claims kept, cluster, pools and topics protected. */
    environment: PlatformConfig["environment"];
    releases: KafkaReleases;
    /** Credentials copies other layers ask for in their own namespaces, beyond kafka.users[].namespaces (KEDA's lag reader). */
    extraAccess: readonly AccessTarget[];
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
    private readonly kafka: PlatformConfig["kafka"];
    private readonly targets: AccessTarget[];

    constructor(name: string, args: KafkaLayerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplatform:kafka:KafkaLayer", name, {}, opts);
        const k = args.kafka;
        this.kafka = k;
        this.targets = accessTargets(k, args.extraAccess);
        this.clusterName = k.clusterName;
        this.namespace = k.namespace;
        this.bootstrapServers = bootstrapServers(k);
        const base = { kafka: k, provider: args.provider };
        const ns = args.namespaces.name(k.namespace);

        this.operators = new KafkaOperators(`${name}-operators`, { releases: args.releases, provider: args.provider, namespace: ns }, { parent: this });
        this.cluster = new KafkaCluster(
            `${name}-cluster`,
            {
                ...base,
                environment: args.environment,
                namespace: ns,
                storageClassName: args.storageClassName,
                operator: this.operators.strimzi,
            },
            { parent: this },
        );
        this.users = new KafkaUsers(`${name}-users`, { ...base, namespace: ns, cluster: this.cluster.kafka }, { parent: this });
        this.accesses = new KafkaAccesses(
            `${name}-access`,
            {
                ...base,
                namespace: (n) => args.namespaces.name(n),
                extraTargets: args.extraAccess,
                operator: this.operators.access,
                users: this.users.users,
            },
            { parent: this },
        );

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
        const k = this.kafka;
        const ka = this.accesses.accesses[`${user}/${namespace}`];
        if (!ka) {
            const known = this.targets.filter((t) => t.user === user).map((t) => t.namespace);
            throw new Error(
                known.length === 0
                    ? `kafka user ${user} is not configured (dataplatform:kafka.users: ${k.users.map((u) => u.name).join(", ")})`
                    : `kafka user ${user} has no credentials in namespace ${namespace} (its namespaces: ${known.join(", ")}); add it to dataplatform:kafka.users[].namespaces`,
            );
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

    /** Name of a user's credentials Secret (the same in each of its namespaces), for references that must not wait on it. */
    secretName(user: string): string {
        if (!this.targets.some((t) => t.user === user)) throw new Error(`kafka user ${user} has no credentials Secret (dataplatform:kafka.users)`);
        return accessName(this.kafka, user);
    }
}
