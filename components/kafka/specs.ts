import type { Input } from "@pulumi/pulumi";
import type { PlatformConfig } from "../config";
import type { KafkaConfig } from "../config/kafka";
import { poolScheduling, POOL_LABEL } from "../labels";

/**
 * Pure builders of every Strimzi object the Kafka layer registers (kafka.strimzi.io/v1, the only served
 * version in Strimzi 1.x: KRaft and node pools are mandatory, so no ZooKeeper and no node-pool annotations).
 * The components only register what these return; tests validate them against the upstream CRD schemas.
 */

export const STRIMZI_API = "kafka.strimzi.io/v1";
export const ACCESS_API = "access.strimzi.io/v1alpha1";
export const ZONE_KEY = "topology.kubernetes.io/zone";

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
export const EXTERNAL_LISTENER = "external";
export const CONTROLLER_POOL = "controllers";
export const BROKER_POOL = "brokers";
export const METRICS_KEY = "kafka-metrics-config.yml";

export type Authentication = KafkaConfig["authentication"];
type Obj = Record<string, unknown>;

export interface StrimziObject<S = Obj> {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace: string; labels?: Record<string, string>; annotations?: Record<string, string> };
    spec: S;
}

export function metricsConfigMapName(k: KafkaConfig): string {
    return `${k.clusterName}-kafka-metrics`;
}

/** In-cluster bootstrap address of the client listener. */
export function bootstrapServers(k: KafkaConfig): string {
    return `${k.clusterName}-kafka-bootstrap.${k.namespace}.svc.cluster.local:${PORTS.tls}`;
}

/** Custom resources of a cluster carry its name so that the entity operators pick them up. */
function clusterLabel(k: KafkaConfig): Record<string, string> {
    return { "strimzi.io/cluster": k.clusterName };
}

export interface Listener {
    name: string;
    port: number;
    type: "internal" | "loadbalancer" | "ingress";
    tls: true;
    authentication: { type: Authentication };
    configuration?: Obj;
}

/** Client listeners: one internal TLS listener, an external one only when configured. Never plaintext. */
export function listeners(k: KafkaConfig): Listener[] {
    const auth = { type: k.authentication };
    const out: Listener[] = [{ name: TLS_LISTENER, port: PORTS.tls, type: "internal", tls: true, authentication: auth }];
    if (k.external.enabled) {
        const ext: Listener = { name: EXTERNAL_LISTENER, port: PORTS.external, type: k.external.type, tls: true, authentication: { ...auth } };
        if (k.external.type === "ingress") {
            ext.configuration = { bootstrap: { host: k.external.host }, hostTemplate: `broker-{nodeId}.${k.external.host}` };
        } else if (k.external.allowedCidrs.length > 0) {
            ext.configuration = { loadBalancerSourceRanges: [...k.external.allowedCidrs] };
        }
        out.push(ext);
    }
    return out;
}

/** Broker defaults from validated config; topics never appear implicitly. */
export function brokerConfig(cfg: Pick<PlatformConfig, "environment" | "kafka">): Record<string, string | number | boolean> {
    const k = cfg.kafka;
    const c: Record<string, string | number | boolean> = {
        "default.replication.factor": k.replicationFactor,
        "min.insync.replicas": k.minInsyncReplicas,
        "offsets.topic.replication.factor": k.replicationFactor,
        "transaction.state.log.replication.factor": k.replicationFactor,
        "transaction.state.log.min.isr": k.minInsyncReplicas,
        "auto.create.topics.enable": false,
    };
    // With racks, consumers fetch from a replica in their own zone (less cross-zone traffic).
    if (rackAware(cfg)) c["replica.selector.class"] = "org.apache.kafka.common.replica.RackAwareReplicaSelector";
    return c;
}

export function rackAware(cfg: Pick<PlatformConfig, "environment">): boolean {
    return cfg.environment === "prod";
}

/** Kafka pods only on the dedicated node pool, spread over nodes (and zones in prod), one at a time disrupted. */
export function kafkaPodTemplate(cfg: Pick<PlatformConfig, "environment" | "kafka">): Obj {
    const k = cfg.kafka;
    const sched = poolScheduling("kafka");
    const selector = { matchLabels: { "strimzi.io/cluster": k.clusterName, "strimzi.io/kind": "Kafka" } };
    const spread = [
        { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway", labelSelector: selector, matchLabelKeys: ["strimzi.io/pool-name"] },
    ];
    if (rackAware(cfg)) {
        spread.push({ maxSkew: 1, topologyKey: ZONE_KEY, whenUnsatisfiable: "DoNotSchedule", labelSelector: selector, matchLabelKeys: ["strimzi.io/pool-name"] });
    }
    return {
        pod: {
            affinity: {
                nodeAffinity: {
                    requiredDuringSchedulingIgnoredDuringExecution: {
                        nodeSelectorTerms: [{ matchExpressions: [{ key: POOL_LABEL, operator: "In", values: [sched.nodeSelector[POOL_LABEL]] }] }],
                    },
                },
            },
            tolerations: sched.tolerations.map((t) => ({ ...t })),
            topologySpreadConstraints: spread,
        },
        podDisruptionBudget: { maxUnavailable: 1 },
    };
}

/** The Kafka custom resource. */
export function kafkaResource(cfg: Pick<PlatformConfig, "environment" | "kafka">): StrimziObject {
    const k = cfg.kafka;
    const c = k.certificates;
    const kafka: Obj = {
        version: k.version,
        listeners: listeners(k),
        // Strimzi's own components authenticate with cluster-CA certificates and are super users implicitly;
        // no client user is a super user.
        authorization: { type: "simple", superUsers: [] as string[] },
        config: brokerConfig(cfg),
        metricsConfig: {
            type: "jmxPrometheusExporter",
            valueFrom: { configMapKeyRef: { name: metricsConfigMapName(k), key: METRICS_KEY } },
        },
        template: kafkaPodTemplate(cfg),
    };
    if (rackAware(cfg)) kafka.rack = { type: "topology-label", topologyKey: ZONE_KEY };
    const spec: Obj = {
        kafka,
        entityOperator: {
            topicOperator: { resources: { requests: { cpu: "100m", memory: "384Mi" }, limits: { memory: "384Mi" } } },
            userOperator: { resources: { requests: { cpu: "100m", memory: "384Mi" }, limits: { memory: "384Mi" } } },
        },
        clusterCa: { generateCertificateAuthority: true, validityDays: c.clusterCaValidityDays, renewalDays: c.clusterCaRenewalDays },
        clientsCa: { generateCertificateAuthority: true, validityDays: c.clientsCaValidityDays, renewalDays: c.clientsCaRenewalDays },
        kafkaExporter: {
            topicRegex: k.topics.map((t) => escapeRegex(t.name)).join("|"),
            groupRegex: k.exporterGroupRegex,
            resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
        },
    };
    if (k.maintenanceWindows.length > 0) spec.maintenanceTimeWindows = [...k.maintenanceWindows];
    return { apiVersion: STRIMZI_API, kind: "Kafka", metadata: { name: k.clusterName, namespace: k.namespace }, spec };
}

function escapeRegex(s: string): string {
    return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Each pool's JBOD: volume 0 also holds the KRaft metadata log. */
function jbod(sizeGi: number, volumes: number, storageClass: Input<string>, deleteClaim: boolean): Obj {
    const per = Math.ceil(sizeGi / volumes);
    return {
        type: "jbod",
        volumes: Array.from({ length: volumes }, (_, id) => ({
            id,
            type: "persistent-claim",
            size: `${per}Gi`,
            class: storageClass,
            deleteClaim,
            ...(id === 0 ? { kraftMetadata: "shared" } : {}),
        })),
    };
}

/**
 * Controller and broker pools on the encrypted StorageClass (a name, or the cloud layer's Output).
 * `kafka.storageSizeGi` is a broker's total, split over its JBOD volumes; claims outlive the pools in prod.
 */
export function nodePoolResources(cfg: Pick<PlatformConfig, "environment" | "kafka">, storageClass: Input<string>): StrimziObject[] {
    const k = cfg.kafka;
    const keepClaims = cfg.environment === "prod";
    const pool = (name: string, role: "controller" | "broker", replicas: number, storage: Obj, cpu: string, memory: string): StrimziObject => ({
        apiVersion: STRIMZI_API,
        kind: "KafkaNodePool",
        metadata: { name, namespace: k.namespace, labels: clusterLabel(k) },
        spec: { replicas, roles: [role], storage, resources: { requests: { cpu, memory }, limits: { memory } } },
    });
    return [
        pool(CONTROLLER_POOL, "controller", k.controllers, jbod(k.controller.storageSizeGi, 1, storageClass, !keepClaims), k.controller.cpu, k.controller.memory),
        pool(BROKER_POOL, "broker", k.brokers, jbod(k.storageSizeGi, k.volumesPerBroker, storageClass, !keepClaims), k.broker.cpu, k.broker.memory),
    ];
}

/** Kubernetes object name of a topic (topic names may contain '_', resource names may not). */
export function topicResourceName(topic: string): string {
    return topic.replace(/_/g, "-");
}

/** Kafka Connect's user, group and internal topics (only when `kafka.kafkaConnect`). */
export const CONNECT_USER = "kafka-connect";
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

export type AclOperation = "Read" | "Write" | "Describe";
export interface Acl {
    type: "allow";
    resource: { type: "topic" | "group"; name: string; patternType: "literal" };
    operations: AclOperation[];
}

type KafkaUserConfig = KafkaConfig["users"][number];

/** Consumer groups whose lag a monitor may read: those of the consumers of its topics. */
export function monitoredGroups(k: KafkaConfig, u: KafkaUserConfig): string[] {
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
export function connectAcls(k: KafkaConfig): Acl[] {
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

/** Name of the KafkaAccess (and of the Secret it writes) for a user in a client namespace. */
export function accessName(k: KafkaConfig, user: string): string {
    return `${k.clusterName}-${user}`;
}

export interface AccessTarget {
    user: string;
    namespace: string;
}

/**
 * Where each user's credentials go: its configured namespaces, plus, for the lag reader, KEDA's own
 * namespace (when it is a client namespace). KEDA caches scaler credentials; a copy beside the KEDA
 * operator lets Reloader restart it on rotation and serves a ClusterTriggerAuthentication.
 */
export function accessTargets(k: KafkaConfig, kedaNamespace: string): AccessTarget[] {
    const out: AccessTarget[] = [];
    for (const u of k.users) {
        const nss = [...u.namespaces];
        if (u.role === "monitor" && k.clientNamespaces.includes(kedaNamespace) && !nss.includes(kedaNamespace)) nss.push(kedaNamespace);
        for (const ns of nss) out.push({ user: u.name, namespace: ns });
    }
    return out;
}

/** One KafkaAccess per target: the Access Operator writes a Secret there and rewrites it on rotation. */
export function accessResources(k: KafkaConfig, kedaNamespace: string): StrimziObject[] {
    return accessTargets(k, kedaNamespace).map(({ user, namespace }) => ({
        apiVersion: ACCESS_API,
        kind: "KafkaAccess",
        metadata: { name: accessName(k, user), namespace },
        spec: {
            kafka: { name: k.clusterName, namespace: k.namespace, listener: TLS_LISTENER },
            user: { kind: "KafkaUser", apiGroup: "kafka.strimzi.io", name: user, namespace: k.namespace },
        },
    }));
}

/**
 * Keys of the Secret a KafkaAccess writes (Access Operator 0.3): bootstrap.servers, security.protocol,
 * ssl.truststore.crt (cluster CA, PEM); for mTLS users ssl.keystore.crt / ssl.keystore.key (PEM) plus
 * ssl.keystore.p12 / ssl.keystore.password; for SCRAM users username, password, sasl.mechanism, sasl.jaas.config.
 */
export const ACCESS_SECRET_KEYS = {
    bootstrapServers: "bootstrap.servers",
    securityProtocol: "security.protocol",
    ca: "ssl.truststore.crt",
    cert: "ssl.keystore.crt",
    key: "ssl.keystore.key",
    keystoreP12: "ssl.keystore.p12",
    keystorePassword: "ssl.keystore.password",
    username: "username",
    password: "password",
    saslMechanism: "sasl.mechanism",
    jaasConfig: "sasl.jaas.config",
} as const;

/** The keys a client needs, per authentication (a SCRAM user name is the KafkaUser name). */
export function accessKeys(auth: Authentication): { ca: string; cert?: string; key?: string; password?: string; jaasConfig?: string } {
    const K = ACCESS_SECRET_KEYS;
    return auth === "tls" ? { ca: K.ca, cert: K.cert, key: K.key } : { ca: K.ca, password: K.password, jaasConfig: K.jaasConfig };
}

/** JMX exporter rules for broker and controller metrics (a compact subset of Strimzi's example). */
export function metricsConfigYaml(): string {
    return [
        "lowercaseOutputName: true",
        "rules:",
        "- pattern: kafka.server<type=(.+), name=(.+), clientId=(.+), topic=(.+), partition=(.*)><>Value",
        "  name: kafka_server_$1_$2",
        "  type: GAUGE",
        "  labels: { clientId: \"$3\", topic: \"$4\", partition: \"$5\" }",
        "- pattern: kafka.server<type=(.+), name=(.+), clientId=(.+), brokerHost=(.+), brokerPort=(.+)><>Value",
        "  name: kafka_server_$1_$2",
        "  type: GAUGE",
        "  labels: { clientId: \"$3\", broker: \"$4:$5\" }",
        "- pattern: kafka.(\\w+)<type=(.+), name=(.+)PerSec\\w*, (.+)=(.+), (.+)=(.+)><>Count",
        "  name: kafka_$1_$2_$3_total",
        "  type: COUNTER",
        "  labels: { \"$4\": \"$5\", \"$6\": \"$7\" }",
        "- pattern: kafka.(\\w+)<type=(.+), name=(.+)PerSec\\w*, (.+)=(.+)><>Count",
        "  name: kafka_$1_$2_$3_total",
        "  type: COUNTER",
        "  labels: { \"$4\": \"$5\" }",
        "- pattern: kafka.(\\w+)<type=(.+), name=(.+)PerSec\\w*><>Count",
        "  name: kafka_$1_$2_$3_total",
        "  type: COUNTER",
        "- pattern: kafka.(\\w+)<type=(.+), name=(.+), (.+)=(.+), (.+)=(.+)><>Value",
        "  name: kafka_$1_$2_$3",
        "  type: GAUGE",
        "  labels: { \"$4\": \"$5\", \"$6\": \"$7\" }",
        "- pattern: kafka.(\\w+)<type=(.+), name=(.+), (.+)=(.+)><>Value",
        "  name: kafka_$1_$2_$3",
        "  type: GAUGE",
        "  labels: { \"$4\": \"$5\" }",
        "- pattern: kafka.(\\w+)<type=(.+), name=(.+)><>Value",
        "  name: kafka_$1_$2_$3",
        "  type: GAUGE",
        // Quoted: a plain scalar ending in ':' is a YAML mapping, which makes the exporter reject the whole file.
        "- pattern: \"kafka.server<type=raft-metrics><>(.+):\"",
        "  name: kafka_server_raftmetrics_$1",
        "  type: GAUGE",
        "- pattern: kafka.(\\w+)<type=(.+), name=(.+), (.+)=(.+)><>(\\d+)thPercentile",
        "  name: kafka_$1_$2_$3",
        "  type: GAUGE",
        "  labels: { \"$4\": \"$5\", quantile: \"0.$6\" }",
        "",
    ].join("\n");
}
