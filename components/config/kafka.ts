import { z } from "zod";
import { cidr, name, posInt, quantity, Report } from "./common";

const topic = z.strictObject({
    name: z.string().regex(/^[a-z][a-z0-9._-]{0,200}$/, "must be a topic name of lower-case letters, digits, '.', '_' or '-'"),
    partitions: posInt.max(1000),
    /** Defaults to kafka.replicationFactor. */
    replicas: posInt.optional(),
    retentionHours: z.number().int().min(1).max(24 * 365 * 10).default(168),
    cleanupPolicy: z.enum(["delete", "compact", "compact,delete"]).default("delete"),
});

const user = z.strictObject({
    name,
    /** producer: Write/Describe on its topics; consumer: Read/Describe plus Read on its group; monitor: Describe only. */
    role: z.enum(["producer", "consumer", "monitor"]),
    topics: z.array(z.string()).min(1),
    /** Consumer group the consumer reads with (required for consumers). */
    group: z.string().optional(),
    /** Namespaces that receive this user's credentials (KafkaAccess). */
    namespaces: z.array(name).min(1),
});

export const kafkaSchema = z.strictObject({
    /** Kafka version; must be supported by the pinned Strimzi release. */
    version: z.enum(["4.2.0", "4.2.1", "4.3.0", "4.3.1"]),
    namespace: name.default("kafka"),
    clusterName: name.default("events"),
    brokers: posInt.max(30),
    controllers: z.union([z.literal(1), z.literal(3), z.literal(5)]),
    storageSizeGi: posInt.max(16384),
    /** JBOD volumes per broker. */
    volumesPerBroker: posInt.max(8).default(1),
    replicationFactor: posInt,
    minInsyncReplicas: posInt,
    /** How clients authenticate: mutual TLS (default) or SCRAM-SHA-512 over TLS. */
    authentication: z.enum(["tls", "scram-sha-512"]).default("tls"),
    /** An external listener; always TLS with authentication. */
    external: z.strictObject({
        enabled: z.boolean(),
        type: z.enum(["loadbalancer", "ingress"]).default("loadbalancer"),
        /** Bootstrap host name for an ingress listener; brokers get broker-<id>.<host>. */
        host: z.string().regex(/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/, "must be a DNS host name").optional(),
        /** Source ranges allowed to reach a load balancer listener. */
        allowedCidrs: z.array(cidr).default([]),
    }).default({ enabled: false, type: "loadbalancer", allowedCidrs: [] }),
    certificates: z.strictObject({
        clusterCaValidityDays: posInt.default(365),
        clusterCaRenewalDays: posInt.default(30),
        clientsCaValidityDays: posInt.default(365),
        clientsCaRenewalDays: posInt.default(30),
    }).default({ clusterCaValidityDays: 365, clusterCaRenewalDays: 30, clientsCaValidityDays: 365, clientsCaRenewalDays: 30 }),
    /** Quartz cron windows in which Strimzi may roll pods for certificate renewal (prod). */
    maintenanceWindows: z.array(z.string().min(11)).default([]),
    /** Namespaces whose pods may reach the brokers. */
    clientNamespaces: z.array(name).min(1),
    /** Kafka Connect's KafkaUser and internal topics (the KafkaConnect cluster itself is deployed with its connectors). */
    kafkaConnect: z.boolean().default(false),
    topics: z.array(topic).min(1),
    users: z.array(user).min(1),
    broker: z.strictObject({ cpu: quantity, memory: quantity }).default({ cpu: "1", memory: "4Gi" }),
    /** KRaft controllers: small metadata-only volume and modest resources. */
    controller: z.strictObject({ cpu: quantity, memory: quantity, storageSizeGi: posInt.max(1024) }).default({ cpu: "500m", memory: "2Gi", storageSizeGi: 20 }),
    exporterGroupRegex: z.string().default(".*"),
});
export type KafkaConfig = z.infer<typeof kafkaSchema>;

export function kafkaRules(environment: "staging" | "prod", k: KafkaConfig, report: Report): void {
    const at = (...p: (string | number)[]) => ["kafka", ...p];
    if (environment === "prod" && k.brokers < 3) report(at("brokers"), k.brokers, "must be at least 3 in prod");
    if (environment === "prod" && k.controllers !== 3 && k.controllers !== 5) report(at("controllers"), k.controllers, "must be 3 or 5 in prod (KRaft quorum)");
    if (k.replicationFactor > k.brokers) report(at("replicationFactor"), k.replicationFactor, `is larger than kafka.brokers (${k.brokers})`);
    if (k.minInsyncReplicas >= k.replicationFactor && k.replicationFactor > 1) {
        report(at("minInsyncReplicas"), k.minInsyncReplicas, `must be smaller than kafka.replicationFactor (${k.replicationFactor})`);
    }
    if (environment === "prod" && k.replicationFactor < 3) report(at("replicationFactor"), k.replicationFactor, "must be at least 3 in prod");
    if (environment === "prod" && k.minInsyncReplicas < 2) report(at("minInsyncReplicas"), k.minInsyncReplicas, "must be at least 2 in prod");
    const c = k.certificates;
    if (c.clusterCaRenewalDays >= c.clusterCaValidityDays) report(at("certificates", "clusterCaRenewalDays"), c.clusterCaRenewalDays, `must be smaller than kafka.certificates.clusterCaValidityDays (${c.clusterCaValidityDays})`);
    if (c.clientsCaRenewalDays >= c.clientsCaValidityDays) report(at("certificates", "clientsCaRenewalDays"), c.clientsCaRenewalDays, `must be smaller than kafka.certificates.clientsCaValidityDays (${c.clientsCaValidityDays})`);
    if (environment === "prod" && k.maintenanceWindows.length === 0) report(at("maintenanceWindows"), [], "must list at least one window in prod (certificate renewals roll brokers)");

    const topics = new Set<string>();
    k.topics.forEach((t, i) => {
        if (topics.has(t.name)) report(at("topics", i, "name"), t.name, "is a duplicate topic name");
        topics.add(t.name);
        const rf = t.replicas ?? k.replicationFactor;
        if (rf > k.brokers) report(at("topics", i, "replicas"), rf, `is larger than kafka.brokers (${k.brokers})`);
        if (rf <= k.minInsyncReplicas && rf > 1) report(at("topics", i, "replicas"), rf, `must be larger than kafka.minInsyncReplicas (${k.minInsyncReplicas})`);
    });
    const users = new Set<string>();
    k.users.forEach((u, i) => {
        if (users.has(u.name)) report(at("users", i, "name"), u.name, "is a duplicate user name");
        users.add(u.name);
        u.topics.forEach((t, j) => {
            if (!topics.has(t)) report(at("users", i, "topics", j), t, `is not a topic in kafka.topics (${[...topics].join(", ")})`);
        });
        if (u.role === "consumer" && !u.group) report(at("users", i, "group"), undefined, "is required for a consumer (its consumer group)");
        if (u.role !== "consumer" && u.group) report(at("users", i, "group"), u.group, `is only for consumers (role is ${u.role})`);
    });
    const clientNs = new Set([k.namespace, ...k.clientNamespaces]);
    const groupsOf = (topicsRead: string[]) => k.users.filter((c) => c.role === "consumer" && c.group && c.topics.some((t) => topicsRead.includes(t)));
    k.users.forEach((u, i) => {
        u.namespaces.forEach((ns, j) => {
            if (!clientNs.has(ns)) report(at("users", i, "namespaces", j), ns, `is not in kafka.clientNamespaces (${k.clientNamespaces.join(", ")}): its pods could not reach the brokers`);
        });
        if (u.role === "monitor" && groupsOf(u.topics).length === 0) report(at("users", i, "topics"), u.topics, "no consumer in kafka.users reads these topics, so there is no consumer group whose lag it could read");
    });
    if (k.external.enabled && k.external.type === "ingress" && !k.external.host) report(at("external", "host"), undefined, "is required for an ingress listener (bootstrap host; brokers get broker-<id>.<host>)");
    if (k.external.type === "ingress" && k.external.allowedCidrs.length > 0) report(at("external", "allowedCidrs"), k.external.allowedCidrs, "only applies to a loadbalancer listener (restrict an ingress at the ingress controller)");
    if (k.kafkaConnect && users.has("kafka-connect")) report(at("users"), "kafka-connect", "must not contain kafka-connect: kafka.kafkaConnect creates that user");
    if (!k.users.some((u) => u.role === "monitor")) report(at("users"), k.users.map((u) => u.name), "must include a user with role monitor (the autoscaler reads lag with it)");
}
