import type { Input } from "@pulumi/pulumi";
import type { PlatformConfig } from "../config";
import type { KafkaConfig } from "../config/kafka";
import { poolScheduling, POOL_LABEL } from "../labels";
import { clusterLabel, PORTS, STRIMZI_API, TLS_LISTENER, type Obj, type StrimziObject } from "./strimzi-specs";

/** The cluster's objects: the Kafka resource (listeners, broker config, pod template, CAs) and its node pools. */

export const ZONE_KEY = "topology.kubernetes.io/zone";
const EXTERNAL_LISTENER = "external";
const CONTROLLER_POOL = "controllers";
const BROKER_POOL = "brokers";
export const METRICS_KEY = "kafka-metrics-config.yml";

export function metricsConfigMapName(k: KafkaConfig): string {
    return `${k.clusterName}-kafka-metrics`;
}

export interface Listener {
    name: string;
    port: number;
    type: "internal" | "loadbalancer" | "ingress";
    tls: true;
    authentication: { type: KafkaConfig["authentication"] };
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

function rackAware(cfg: Pick<PlatformConfig, "environment">): boolean {
    return cfg.environment === "prod";
}

/** Kafka pods only on the dedicated node pool, spread over nodes (and zones in prod), one at a time disrupted. */
function kafkaPodTemplate(cfg: Pick<PlatformConfig, "environment" | "kafka">): Obj {
    const k = cfg.kafka;
    const sched = poolScheduling("kafka");
    const selector = { matchLabels: { "strimzi.io/cluster": k.clusterName, "strimzi.io/kind": "Kafka" } };
    const spread = [
        {
            maxSkew: 1,
            topologyKey: "kubernetes.io/hostname",
            whenUnsatisfiable: "ScheduleAnyway",
            labelSelector: selector,
            matchLabelKeys: ["strimzi.io/pool-name"],
        },
    ];
    if (rackAware(cfg)) {
        spread.push({
            maxSkew: 1,
            topologyKey: ZONE_KEY,
            whenUnsatisfiable: "DoNotSchedule",
            labelSelector: selector,
            matchLabelKeys: ["strimzi.io/pool-name"],
        });
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
        pool(
            CONTROLLER_POOL,
            "controller",
            k.controllers,
            jbod(k.controller.storageSizeGi, 1, storageClass, !keepClaims),
            k.controller.cpu,
            k.controller.memory,
        ),
        pool(BROKER_POOL, "broker", k.brokers, jbod(k.storageSizeGi, k.volumesPerBroker, storageClass, !keepClaims), k.broker.cpu, k.broker.memory),
    ];
}

/** JMX exporter rules for broker and controller metrics (a compact subset of Strimzi's example). */
export function metricsConfigYaml(): string {
    return [
        "lowercaseOutputName: true",
        "rules:",
        "- pattern: kafka.server<type=(.+), name=(.+), clientId=(.+), topic=(.+), partition=(.*)><>Value",
        "  name: kafka_server_$1_$2",
        "  type: GAUGE",
        '  labels: { clientId: "$3", topic: "$4", partition: "$5" }',
        "- pattern: kafka.server<type=(.+), name=(.+), clientId=(.+), brokerHost=(.+), brokerPort=(.+)><>Value",
        "  name: kafka_server_$1_$2",
        "  type: GAUGE",
        '  labels: { clientId: "$3", broker: "$4:$5" }',
        "- pattern: kafka.(\\w+)<type=(.+), name=(.+)PerSec\\w*, (.+)=(.+), (.+)=(.+)><>Count",
        "  name: kafka_$1_$2_$3_total",
        "  type: COUNTER",
        '  labels: { "$4": "$5", "$6": "$7" }',
        "- pattern: kafka.(\\w+)<type=(.+), name=(.+)PerSec\\w*, (.+)=(.+)><>Count",
        "  name: kafka_$1_$2_$3_total",
        "  type: COUNTER",
        '  labels: { "$4": "$5" }',
        "- pattern: kafka.(\\w+)<type=(.+), name=(.+)PerSec\\w*><>Count",
        "  name: kafka_$1_$2_$3_total",
        "  type: COUNTER",
        "- pattern: kafka.(\\w+)<type=(.+), name=(.+), (.+)=(.+), (.+)=(.+)><>Value",
        "  name: kafka_$1_$2_$3",
        "  type: GAUGE",
        '  labels: { "$4": "$5", "$6": "$7" }',
        "- pattern: kafka.(\\w+)<type=(.+), name=(.+), (.+)=(.+)><>Value",
        "  name: kafka_$1_$2_$3",
        "  type: GAUGE",
        '  labels: { "$4": "$5" }',
        "- pattern: kafka.(\\w+)<type=(.+), name=(.+)><>Value",
        "  name: kafka_$1_$2_$3",
        "  type: GAUGE",
        // Quoted: a plain scalar ending in ':' is a YAML mapping, which makes the exporter reject the whole file.
        '- pattern: "kafka.server<type=raft-metrics><>(.+):"',
        "  name: kafka_server_raftmetrics_$1",
        "  type: GAUGE",
        "- pattern: kafka.(\\w+)<type=(.+), name=(.+), (.+)=(.+)><>(\\d+)thPercentile",
        "  name: kafka_$1_$2_$3",
        "  type: GAUGE",
        '  labels: { "$4": "$5", quantile: "0.$6" }',
        "",
    ].join("\n");
}
