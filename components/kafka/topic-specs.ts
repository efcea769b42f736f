import type { KafkaConfig } from "../config/kafka";
import { clusterLabel, STRIMZI_API, type StrimziObject } from "./strimzi-specs";

/** KafkaTopic objects: the configured topics, plus Kafka Connect's internal topics when enabled. */

/** Kubernetes object name of a topic (topic names may contain '_', resource names may not). */
function topicResourceName(topic: string): string {
    return topic.replace(/_/g, "-");
}

/** Kafka Connect's group and internal topics (only when `kafka.kafkaConnect`). */
export function connectNames(k: KafkaConfig): { group: string; configs: string; offsets: string; status: string } {
    const c = `${k.clusterName}-connect`;
    return { group: c, configs: `${c}-configs`, offsets: `${c}-offsets`, status: `${c}-status` };
}

/** Connect's internal topics are compacted and created here, so Connect needs no Create ACL. */
function connectTopics(k: KafkaConfig): KafkaConfig["topics"] {
    const n = connectNames(k);
    const compact = { retentionHours: 24 * 365 * 10, cleanupPolicy: "compact" as const };
    return [
        { name: n.configs, partitions: 1, ...compact },
        { name: n.offsets, partitions: 25, ...compact },
        { name: n.status, partitions: 5, ...compact },
    ];
}

export function topicResources(k: KafkaConfig): StrimziObject[] {
    return [...k.topics, ...(k.kafkaConnect ? connectTopics(k) : [])].map((t) => {
        const replicas = t.replicas ?? k.replicationFactor;
        return {
            apiVersion: STRIMZI_API,
            kind: "KafkaTopic",
            metadata: { name: topicResourceName(t.name), namespace: k.namespace, labels: clusterLabel(k) },
            spec: {
                topicName: t.name,
                partitions: t.partitions,
                replicas,
                config: {
                    "retention.ms": t.retentionHours * 3_600_000,
                    "cleanup.policy": t.cleanupPolicy,
                    "min.insync.replicas": Math.min(k.minInsyncReplicas, replicas),
                },
            },
        };
    });
}
