import { z } from "zod";
import { cidr, name, posInt, quantity, Report } from "./common";

const topic = z.strictObject({
    name: z
        .string()
        .regex(/^[a-z][a-z0-9._-]{0,200}$/, "must be a topic name of lower-case letters, digits, '.', '_' or '-'")
        .describe("topic name"),
    partitions: posInt.max(1000).describe("number of partitions (can only grow)"),
    replicas: posInt.optional().describe("Defaults to kafka.replicationFactor."),
    retentionHours: z
        .number()
        .int()
        .min(1)
        .max(24 * 365 * 10)
        .default(168)
        .describe("retention.ms in hours (a lower value drops messages; see review.retentionFloorHours)"),
    cleanupPolicy: z.enum(["delete", "compact", "compact,delete"]).default("delete").describe("cleanup.policy of the topic"),
});

const user = z.strictObject({
    name: name.describe("KafkaUser name: also its SCRAM/TLS principal and the Secret of its credentials"),
    role: z
        .enum(["producer", "consumer", "monitor"])
        .describe("producer: Write/Describe on its topics; consumer: Read/Describe plus Read on its group; monitor: Describe only."),
    topics: z.array(z.string()).min(1).describe("topics the user may use (producer: write, consumer: read, monitor: describe)"),
    group: z.string().optional().describe("Consumer group the consumer reads with (required for consumers)."),
    namespaces: z.array(name).min(1).describe("Namespaces that receive this user's credentials (KafkaAccess)."),
});

export const kafkaSchema = z.strictObject({
    version: z.enum(["4.2.0", "4.2.1", "4.3.0", "4.3.1"]).describe("Kafka version; must be supported by the pinned Strimzi release."),
    namespace: name.default("kafka").describe("namespace of the Kafka cluster"),
    clusterName: name.default("events").describe("name of the Kafka custom resource (bootstrap service <clusterName>-kafka-bootstrap)"),
    brokers: posInt.max(30).describe("number of brokers (KafkaNodePool replicas), spread over the zones"),
    controllers: z.union([z.literal(1), z.literal(3), z.literal(5)]).describe("number of KRaft controllers (3 or 5 in prod)"),
    storageSizeGi: posInt.max(16384).describe("persistent volume size of each broker volume, in GiB"),
    volumesPerBroker: posInt.max(8).default(1).describe("JBOD volumes per broker."),
    replicationFactor: posInt.describe("default replication factor; ≤ brokers, 3 in prod"),
    minInsyncReplicas: posInt.describe("min.insync.replicas; below replicationFactor, so one broker can be down"),
    authentication: z.enum(["tls", "scram-sha-512"]).default("tls").describe("How clients authenticate: mutual TLS (default) or SCRAM-SHA-512 over TLS."),
    external: z
        .strictObject({
            enabled: z.boolean().describe("turn the external listener on"),
            type: z.enum(["loadbalancer", "ingress"]).default("loadbalancer").describe("loadbalancer (internal load balancer) or ingress"),
            host: z
                .string()
                .regex(/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/, "must be a DNS host name")
                .optional()
                .describe("Bootstrap host name for an ingress listener; brokers get broker-<id>.<host>."),
            allowedCidrs: z.array(cidr).default([]).describe("Source ranges allowed to reach a load balancer listener."),
        })
        .default({ enabled: false, type: "loadbalancer", allowedCidrs: [] })
        .describe("An external listener; always TLS with authentication."),
    certificates: z
        .strictObject({
            clusterCaValidityDays: posInt.default(365).describe("cluster CA certificate validity in days"),
            clusterCaRenewalDays: posInt.default(30).describe("days before cluster CA expiry that Strimzi renews it"),
            clientsCaValidityDays: posInt.default(365).describe("clients CA certificate validity in days"),
            clientsCaRenewalDays: posInt.default(30).describe("days before clients CA expiry that Strimzi renews it"),
        })
        .default({ clusterCaValidityDays: 365, clusterCaRenewalDays: 30, clientsCaValidityDays: 365, clientsCaRenewalDays: 30 })
        .describe("Strimzi cluster and clients CA validity and renewal (days)"),
    maintenanceWindows: z.array(z.string().min(11)).default([]).describe("Quartz cron windows in which Strimzi may roll pods for certificate renewal (prod)."),
    clientNamespaces: z.array(name).min(1).describe("Namespaces whose pods may reach the brokers."),
    kafkaConnect: z
        .boolean()
        .default(false)
        .describe("Kafka Connect's KafkaUser and internal topics (the KafkaConnect cluster itself is deployed with its connectors)."),
    topics: z.array(topic).min(1).describe("topics (KafkaTopic resources)"),
    users: z.array(user).min(1).describe("users (KafkaUser resources) with their ACLs"),
    broker: z
        .strictObject({ cpu: quantity.describe("CPU request of each broker"), memory: quantity.describe("memory request and limit of each broker") })
        .default({ cpu: "1", memory: "4Gi" })
        .describe("broker resources"),
    controller: z
        .strictObject({
            cpu: quantity.describe("CPU request of each controller"),
            memory: quantity.describe("memory request and limit of each controller"),
            storageSizeGi: posInt.max(1024).describe("metadata volume of each controller, in GiB"),
        })
        .default({ cpu: "500m", memory: "2Gi", storageSizeGi: 20 })
        .describe("KRaft controllers: small metadata-only volume and modest resources."),
    exporterGroupRegex: z.string().default(".*").describe("consumer groups the Kafka exporter reports lag for (regex)"),
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
    if (c.clusterCaRenewalDays >= c.clusterCaValidityDays)
        report(
            at("certificates", "clusterCaRenewalDays"),
            c.clusterCaRenewalDays,
            `must be smaller than kafka.certificates.clusterCaValidityDays (${c.clusterCaValidityDays})`,
        );
    if (c.clientsCaRenewalDays >= c.clientsCaValidityDays)
        report(
            at("certificates", "clientsCaRenewalDays"),
            c.clientsCaRenewalDays,
            `must be smaller than kafka.certificates.clientsCaValidityDays (${c.clientsCaValidityDays})`,
        );
    if (environment === "prod" && k.maintenanceWindows.length === 0)
        report(at("maintenanceWindows"), [], "must list at least one window in prod (certificate renewals roll brokers)");

    const topics = new Set<string>();
    k.topics.forEach((t, i) => {
        if (topics.has(t.name)) report(at("topics", i, "name"), t.name, "is a duplicate topic name");
        topics.add(t.name);
        const rf = t.replicas ?? k.replicationFactor;
        if (rf > k.brokers) report(at("topics", i, "replicas"), rf, `is larger than kafka.brokers (${k.brokers})`);
        if (rf <= k.minInsyncReplicas && rf > 1)
            report(at("topics", i, "replicas"), rf, `must be larger than kafka.minInsyncReplicas (${k.minInsyncReplicas})`);
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
            if (!clientNs.has(ns))
                report(
                    at("users", i, "namespaces", j),
                    ns,
                    `is not in kafka.clientNamespaces (${k.clientNamespaces.join(", ")}): its pods could not reach the brokers`,
                );
        });
        if (u.role === "monitor" && groupsOf(u.topics).length === 0)
            report(at("users", i, "topics"), u.topics, "no consumer in kafka.users reads these topics, so there is no consumer group whose lag it could read");
    });
    if (k.external.enabled && k.external.type === "ingress" && !k.external.host)
        report(at("external", "host"), undefined, "is required for an ingress listener (bootstrap host; brokers get broker-<id>.<host>)");
    if (k.external.type === "ingress" && k.external.allowedCidrs.length > 0)
        report(
            at("external", "allowedCidrs"),
            k.external.allowedCidrs,
            "only applies to a loadbalancer listener (restrict an ingress at the ingress controller)",
        );
    if (k.kafkaConnect && users.has("kafka-connect"))
        report(at("users"), "kafka-connect", "must not contain kafka-connect: kafka.kafkaConnect creates that user");
    if (!k.users.some((u) => u.role === "monitor"))
        report(
            at("users"),
            k.users.map((u) => u.name),
            "must include a user with role monitor (the autoscaler reads lag with it)",
        );
}
