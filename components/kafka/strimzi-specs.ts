import type { KafkaConfig } from "../config/kafka";

/**
 * What every Strimzi object builder of the Kafka layer shares (kafka.strimzi.io/v1, the only served version in
 * Strimzi 1.x: KRaft and node pools are mandatory, so no ZooKeeper and no node-pool annotations). The components
 * only register what the builders return; tests validate them against the upstream CRD schemas.
 */

export const STRIMZI_API = "kafka.strimzi.io/v1";

/** Listener and internal ports; the NetworkPolicy and the client bootstrap use the same numbers. */
export const PORTS = {
    /** KRaft controller quorum (Strimzi internal). */
    controlPlane: 9090,
    /** Replication and Strimzi's own clients (operators, exporter), authenticated by cluster-CA certificates. */
    replication: 9091,
    /** Kafka agent: the cluster operator reads broker state from it during rolls. */
    agent: 8443,
    /** The one in-cluster client listener: TLS, authenticated. */
    tls: 9093,
    external: 9094,
    metrics: 9404,
} as const;

export const TLS_LISTENER = "tls";

export type Obj = Record<string, unknown>;

export interface StrimziObject<S = Obj> {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace: string; labels?: Record<string, string>; annotations?: Record<string, string> };
    spec: S;
}

/** In-cluster bootstrap address of the client listener. */
export function bootstrapServers(k: KafkaConfig): string {
    return `${k.clusterName}-kafka-bootstrap.${k.namespace}.svc.cluster.local:${PORTS.tls}`;
}

/** Custom resources of a cluster carry its name so that the entity operators pick them up. */
export function clusterLabel(k: KafkaConfig): Record<string, string> {
    return { "strimzi.io/cluster": k.clusterName };
}
