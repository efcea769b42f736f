import type { KafkaConfig } from "../config/kafka";
import { clusterLabel, STRIMZI_API, type StrimziObject } from "./strimzi-specs";
import { connectNames } from "./topic-specs";

/** KafkaUser objects: one per configured user (and Kafka Connect), with least-privilege simple ACLs. */

/** Kafka Connect's user (only when `kafka.kafkaConnect`). */
const CONNECT_USER = "kafka-connect";

type AclOperation = "Read" | "Write" | "Describe";
interface Acl {
    type: "allow";
    resource: { type: "topic" | "group"; name: string; patternType: "literal" };
    operations: AclOperation[];
}

type KafkaUserConfig = KafkaConfig["users"][number];

/** Consumer groups whose lag a monitor may read: those of the consumers of its topics. */
function monitoredGroups(k: KafkaConfig, u: KafkaUserConfig): string[] {
    const groups = k.users.filter((c) => c.role === "consumer" && c.group && c.topics.some((t) => u.topics.includes(t))).map((c) => c.group as string);
    return [...new Set(groups)].sort();
}

/**
 * Least-privilege ACLs, literal names only, nothing cluster-wide:
 * - producer: Write + Describe on its topics (idempotence needs no cluster ACL since KIP-679);
 * - consumer: Read + Describe on its topics, Read on its group;
 * - monitor (KEDA's lag reader): Describe on its topics (metadata, latest offsets) and Describe on the
 *   consumers' groups (committed offsets); KEDA needs neither Read nor DescribeConfigs.
 */
export function aclsFor(k: KafkaConfig, u: KafkaUserConfig): Acl[] {
    const topic = (name: string, operations: AclOperation[]): Acl => ({ type: "allow", resource: { type: "topic", name, patternType: "literal" }, operations });
    const group = (name: string, operations: AclOperation[]): Acl => ({ type: "allow", resource: { type: "group", name, patternType: "literal" }, operations });
    switch (u.role) {
        case "producer":
            return u.topics.map((t) => topic(t, ["Write", "Describe"]));
        case "consumer":
            return [...u.topics.map((t) => topic(t, ["Read", "Describe"])), group(u.group as string, ["Read"])];
        case "monitor":
            return [...u.topics.map((t) => topic(t, ["Describe"])), ...monitoredGroups(k, u).map((g) => group(g, ["Describe"]))];
    }
}

/**
 * Kafka Connect (sink connectors into the lake): Read/Write/Describe on its own internal topics, Read on its
 * group, Read/Describe on the configured data topics; it never writes data topics.
 */
function connectAcls(k: KafkaConfig): Acl[] {
    const n = connectNames(k);
    const topic = (name: string, operations: AclOperation[]): Acl => ({ type: "allow", resource: { type: "topic", name, patternType: "literal" }, operations });
    return [
        ...[n.configs, n.offsets, n.status].map((t) => topic(t, ["Read", "Write", "Describe"])),
        ...k.topics.map((t) => topic(t.name, ["Read", "Describe"])),
        { type: "allow", resource: { type: "group", name: n.group, patternType: "literal" }, operations: ["Read"] },
    ];
}

export function userResources(k: KafkaConfig): StrimziObject[] {
    const user = (name: string, acls: Acl[]): StrimziObject => ({
        apiVersion: STRIMZI_API,
        kind: "KafkaUser",
        metadata: { name, namespace: k.namespace, labels: clusterLabel(k) },
        spec: { authentication: { type: k.authentication }, authorization: { type: "simple", acls } },
    });
    const out = k.users.map((u) => user(u.name, aclsFor(k, u)));
    if (k.kafkaConnect) out.push(user(CONNECT_USER, connectAcls(k)));
    return out;
}
