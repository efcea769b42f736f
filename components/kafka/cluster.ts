import * as pulumi from "@pulumi/pulumi";
import { CustomResource } from "@pulumi/kubernetes/apiextensions";
import { ConfigMap } from "@pulumi/kubernetes/core/v1";
import type { Provider } from "@pulumi/kubernetes/provider";
import type { PlatformConfig } from "../config";
import { kafkaResource, metricsConfigMapName, metricsConfigYaml, METRICS_KEY, nodePoolResources } from "./cluster-specs";
import type { StrimziObject } from "./strimzi-specs";
import { topicResources } from "./topic-specs";

export interface KafkaClusterArgs {
    kafka: PlatformConfig["kafka"];
    /** prod: rack awareness, claims kept, cluster, pools and topics protected. */
    environment: PlatformConfig["environment"];
    provider: Provider;
    namespace: pulumi.Input<string>;
    storageClassName: pulumi.Input<string>;
    /** The Strimzi operator release (installs the CRDs and reconciles everything here). */
    operator: pulumi.Resource;
}

/** Registers a Strimzi object with the namespace as an Output (so it waits for the namespace). */
export function registerStrimzi(name: string, obj: StrimziObject, namespace: pulumi.Input<string>, opts: pulumi.CustomResourceOptions): CustomResource {
    return new CustomResource(
        name,
        {
            apiVersion: obj.apiVersion,
            kind: obj.kind,
            metadata: { ...obj.metadata, namespace },
            spec: obj.spec,
        },
        opts,
    );
}

/**
 * The KRaft cluster: metrics ConfigMap, the Kafka resource, controller and broker node pools, and topics.
 * In prod the cluster, its pools and its topics are protected: deleting any of them deletes data.
 */
export class KafkaCluster extends pulumi.ComponentResource {
    readonly kafka: CustomResource;
    readonly nodePools: CustomResource[];
    readonly topics: CustomResource[];

    constructor(name: string, args: KafkaClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplatform:kafka:Cluster", name, {}, opts);
        const cfg = { kafka: args.kafka, environment: args.environment };
        const k = cfg.kafka;
        const protect = cfg.environment === "prod";
        const child = { parent: this, provider: args.provider };

        const metrics = new ConfigMap(
            `${name}-metrics`,
            {
                metadata: { name: metricsConfigMapName(k), namespace: args.namespace },
                data: { [METRICS_KEY]: metricsConfigYaml() },
            },
            child,
        );

        this.kafka = registerStrimzi(name, kafkaResource(cfg), args.namespace, { ...child, protect, dependsOn: [args.operator, metrics] });

        this.nodePools = nodePoolResources(cfg, args.storageClassName).map((pool) =>
            registerStrimzi(`${name}-${pool.metadata.name}`, pool, args.namespace, { ...child, protect, dependsOn: [args.operator, this.kafka] }),
        );

        // The topic operator creates them once the cluster is up.
        this.topics = topicResources(k).map((t) =>
            registerStrimzi(`${name}-topic-${t.metadata.name}`, t, args.namespace, { ...child, protect, dependsOn: [this.kafka] }),
        );

        this.registerOutputs({ kafka: this.kafka.id, topics: this.topics.map((t) => t.id) });
    }
}
