import type { PlatformConfig } from "../config";
import type { Flow, FlowEnd, Workload } from "../k8s/flows";
import { pods, tcp } from "../k8s/flows";
import { PORTS } from "./strimzi-specs";

/** Namespaces whose pods may use the client listener: the declared clients and the Kafka namespace itself. */
function clientNamespacesOf(cfg: Pick<PlatformConfig, "kafka">): string[] {
    return [...new Set([cfg.kafka.namespace, ...cfg.kafka.clientNamespaces])].sort();
}

/**
 * Strimzi's pods, with the labels and container ports the operator gives them (Strimzi 1.2, tag 1.2.0 of
 * strimzi/strimzi-kafka-operator; paths below are under cluster-operator/src/main/java/io/strimzi/operator/cluster/model/).
 */
export function kafkaWorkloads(cfg: Pick<PlatformConfig, "kafka">) {
    const k = cfg.kafka;
    const c = k.clusterName;
    const ns = k.namespace;
    // KafkaPool.java: strimzi.io/kind = Kafka, strimzi.io/name = <cluster>-kafka, strimzi.io/cluster, strimzi.io/pool-name;
    // KafkaCluster.java (pod labels): strimzi.io/broker-role / strimzi.io/controller-role = "true"|"false".
    const node = { "strimzi.io/cluster": c, "strimzi.io/kind": "Kafka", "strimzi.io/name": `${c}-kafka` };
    // KafkaCluster.getContainerPortList: tcp-kafkaagent 8443 everywhere, tcp-ctrlplane 9090 on controllers,
    // tcp-replication 9091 and the listeners on brokers, tcp-prometheus 9404 (metrics/MetricsModel.java).
    // ListenersUtils.backwardsCompatiblePortName: internal listener "tls" on 9093 → tcp-clientstls, "external" on 9094 → tcp-external.
    const brokers: Workload = {
        id: "kafka-brokers",
        namespace: ns,
        app: "Kafka brokers",
        selector: { matchLabels: { ...node, "strimzi.io/broker-role": "true" } },
        labels: { ...node, "strimzi.io/broker-role": "true", "strimzi.io/controller-role": "false", "strimzi.io/pool-name": "brokers" },
        ports: [
            tcp("tcp-kafkaagent", PORTS.agent),
            tcp("tcp-replication", PORTS.replication),
            tcp("tcp-clientstls", PORTS.tls),
            ...(k.external.enabled ? [tcp("tcp-external", PORTS.external)] : []),
            tcp("tcp-prometheus", PORTS.metrics),
        ],
    };
    const controllers: Workload = {
        id: "kafka-controllers",
        namespace: ns,
        app: "KRaft controllers",
        selector: { matchLabels: { ...node, "strimzi.io/controller-role": "true" } },
        labels: { ...node, "strimzi.io/broker-role": "false", "strimzi.io/controller-role": "true", "strimzi.io/pool-name": "controllers" },
        ports: [tcp("tcp-kafkaagent", PORTS.agent), tcp("tcp-ctrlplane", PORTS.controlPlane), tcp("tcp-prometheus", PORTS.metrics)],
    };
    // Labels.generateDefaultLabels (operator-common .../model/Labels.java): strimzi.io/kind of the owning CR, strimzi.io/name = component name.
    // EntityTopicOperator.java / EntityUserOperator.java: healthcheck-to 8080 and healthcheck-uo 8081 (also /metrics).
    const entityOperator: Workload = {
        id: "entity-operator",
        namespace: ns,
        app: "Strimzi entity operator",
        selector: { matchLabels: { "strimzi.io/cluster": c, "strimzi.io/kind": "Kafka", "strimzi.io/name": `${c}-entity-operator` } },
        ports: [tcp("healthcheck-to", 8080), tcp("healthcheck-uo", 8081)],
    };
    // KafkaExporter.java: tcp-prometheus 9404 (MetricsModel.METRICS_PORT_NAME).
    const exporter: Workload = {
        id: "kafka-exporter",
        namespace: ns,
        app: "Kafka Exporter",
        selector: { matchLabels: { "strimzi.io/cluster": c, "strimzi.io/kind": "Kafka", "strimzi.io/name": `${c}-kafka-exporter` } },
        ports: [tcp("tcp-prometheus", PORTS.metrics)],
    };
    // Chart packaging/helm-charts/helm3/strimzi-kafka-operator/templates/060-Deployment-strimzi-cluster-operator.yaml:
    // pod labels name=strimzi-cluster-operator, strimzi.io/kind=cluster-operator; port http 8080.
    const clusterOperator: Workload = {
        id: "strimzi-cluster-operator",
        namespace: ns,
        app: "Strimzi cluster operator",
        selector: { matchLabels: { name: "strimzi-cluster-operator", "strimzi.io/kind": "cluster-operator" } },
        ports: [tcp("http", 8080)],
    };
    // strimzi/kafka-access-operator helm-charts/helm3/strimzi-access-operator/templates/050-Deployment.yaml:
    // app=strimzi-access-operator, strimzi.io/kind=access-operator; port http 8080.
    const accessOperator: Workload = {
        id: "strimzi-access-operator",
        namespace: ns,
        app: "Strimzi Access Operator",
        selector: { matchLabels: { app: "strimzi-access-operator", "strimzi.io/kind": "access-operator" } },
        ports: [tcp("http", 8080)],
    };
    // stakater/Reloader deployments/kubernetes/chart/reloader/templates/_helpers.tpl: app = chart name (nameOverride empty).
    const reloader: Workload = {
        id: "reloader",
        namespace: ns,
        app: "Reloader",
        selector: { matchLabels: { app: "reloader" } },
        ports: [tcp("http", 9090)],
    };
    return { brokers, controllers, entityOperator, exporter, clusterOperator, accessOperator, reloader };
}

/**
 * Kafka's flows: the client listener only from client namespaces (and KEDA's lag reader), replication and the
 * KRaft quorum only between Strimzi's own pods, the agent only from the cluster operator.
 */
export function kafkaFlows(cfg: Pick<PlatformConfig, "kafka">, kedaLagReader: Workload, outside: (cidrs: readonly string[]) => FlowEnd): Flow[] {
    const w = kafkaWorkloads(cfg);
    const k = cfg.kafka;
    const flows: Flow[] = [
        ...clientNamespacesOf(cfg).map((ns): Flow => ({
            id: `kafka-client-${ns}`,
            from: { kind: "namespace", namespace: ns },
            to: pods(w.brokers),
            ports: [{ port: "tcp-clientstls", protocol: "TCP" }],
            why: `${ns} is a Kafka client namespace (kafka.clientNamespaces): TLS listener, authenticated, ACLs per user`,
        })),
        {
            id: "kafka-lag-reader",
            from: pods(kedaLagReader),
            to: pods(w.brokers),
            ports: [{ port: "tcp-clientstls", protocol: "TCP" }],
            why: "KEDA's Kafka scaler reads consumer lag with the lag reader's credentials",
        },
        {
            id: "kafka-replication",
            from: pods(w.brokers),
            to: pods(w.brokers),
            ports: [{ port: "tcp-replication", protocol: "TCP" }],
            why: "partition replication between brokers",
        },
        {
            id: "kafka-broker-quorum",
            from: pods(w.brokers),
            to: pods(w.controllers),
            ports: [{ port: "tcp-ctrlplane", protocol: "TCP" }],
            why: "brokers fetch cluster metadata from the KRaft controllers",
        },
        {
            id: "kafka-controller-quorum",
            from: pods(w.controllers),
            to: pods(w.controllers),
            ports: [{ port: "tcp-ctrlplane", protocol: "TCP" }],
            why: "KRaft quorum between controllers",
        },
        {
            id: "strimzi-operator-brokers",
            from: pods(w.clusterOperator),
            to: pods(w.brokers),
            ports: [
                { port: "tcp-replication", protocol: "TCP" },
                { port: "tcp-kafkaagent", protocol: "TCP" },
            ],
            why: "the cluster operator administers brokers (admin client) and reads broker state from the agent during rolls",
        },
        {
            id: "strimzi-operator-controllers",
            from: pods(w.clusterOperator),
            to: pods(w.controllers),
            ports: [
                { port: "tcp-ctrlplane", protocol: "TCP" },
                { port: "tcp-kafkaagent", protocol: "TCP" },
            ],
            why: "the cluster operator checks the KRaft quorum before rolling a controller",
        },
        {
            id: "entity-operator-brokers",
            from: pods(w.entityOperator),
            to: pods(w.brokers),
            ports: [{ port: "tcp-replication", protocol: "TCP" }],
            why: "topic and user operators manage topics and ACLs over the replication listener (cluster-CA certificates)",
        },
        {
            id: "kafka-exporter-brokers",
            from: pods(w.exporter),
            to: pods(w.brokers),
            ports: [{ port: "tcp-replication", protocol: "TCP" }],
            why: "Kafka Exporter reads offsets and consumer-group lag",
        },
    ];
    if (k.external.enabled) {
        flows.push({
            id: "kafka-external",
            from: outside(k.external.type === "loadbalancer" && k.external.allowedCidrs.length > 0 ? k.external.allowedCidrs : ["0.0.0.0/0"]),
            to: pods(w.brokers),
            ports: [{ port: "tcp-external", protocol: "TCP" }],
            why: "external listener (kafka.external): TLS and authentication; a load balancer keeps its own source ranges",
        });
    }
    return flows;
}
