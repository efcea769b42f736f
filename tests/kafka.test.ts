import { strict as assert } from "assert";
import { PlatformConfig } from "../components/config";
import { STACKS } from "./support/plans";
import { configProblems, Raw, stackConfig } from "./support/config";
import { crdValidator, errorsOf } from "./support/schemas";
import { prunedFields, STRIMZI_CRD, v1Schema } from "./kafka-crd";
import { accessKeys, accessResources, accessTargets } from "../components/kafka/access-specs";
import { brokerConfig, kafkaResource, listeners, nodePoolResources, ZONE_KEY } from "../components/kafka/cluster-specs";
import { bootstrapServers, type StrimziObject } from "../components/kafka/strimzi-specs";
import { topicResources } from "../components/kafka/topic-specs";
import { aclsFor, userResources } from "../components/kafka/user-specs";
import { platformNetworkPolicies } from "../components/k8s/flows";
import { clusterNetworkOf } from "../components/cluster-network";
import { accessOperatorValues, reloaderValues, strimziValues } from "../components/kafka/operator";

/** Every Strimzi object the layer emits for a config (the StorageClass as the cloud layer would name it). */
function strimziObjects(cfg: PlatformConfig): StrimziObject[] {
    return [kafkaResource(cfg), ...nodePoolResources(cfg, "encrypted-ssd"), ...topicResources(cfg.kafka), ...userResources(cfg.kafka)];
}

const CRD = STRIMZI_CRD;

function assertValid(o: StrimziObject, where: string): void {
    assert.equal(o.apiVersion, "kafka.strimzi.io/v1", `${where}: ${o.kind} must use the only served version`);
    const v = crdValidator(CRD[o.kind], "v1");
    assert.ok(v(o), `${where}: ${o.kind} ${o.metadata.name} does not match the v1 schema:\n${errorsOf(v)}`);
    assert.deepEqual(prunedFields(v1Schema(CRD[o.kind]), o), [], `${where}: ${o.kind} ${o.metadata.name} has fields the v1 schema does not know`);
}

const scram = (r: Raw) => {
    r.kafka.authentication = "scram-sha-512";
};
const externalLb = (r: Raw) => {
    r.kafka.external = { enabled: true, type: "loadbalancer", allowedCidrs: ["203.0.113.0/24"] };
};
const externalIngress = (r: Raw) => {
    r.kafka.external = { enabled: true, type: "ingress", host: "kafka.acme.example" };
};
const connect = (r: Raw) => {
    r.kafka.kafkaConnect = true;
};

describe("kafka: contract (Strimzi v1 CRD schemas)", () => {
    for (const stack of STACKS) {
        it(`${stack}: every Kafka, KafkaNodePool, KafkaTopic and KafkaUser validates`, () => {
            const objs = strimziObjects(stackConfig(stack));
            assert.deepEqual([...new Set(objs.map((o) => o.kind))].sort(), ["Kafka", "KafkaNodePool", "KafkaTopic", "KafkaUser"]);
            for (const o of objs) assertValid(o, stack);
        });
    }
    for (const [label, mutate] of [
        ["SCRAM", scram],
        ["external load balancer", externalLb],
        ["external ingress", externalIngress],
        ["Kafka Connect", connect],
    ] as const) {
        it(`prod with ${label}: every object validates`, () => {
            for (const o of strimziObjects(stackConfig("prod", mutate))) assertValid(o, `prod+${label}`);
        });
    }
    it("the checks catch what the v1 API rejects or prunes (plain listener type, nfs volume, ZooKeeper, spec.kafka.replicas)", () => {
        const k = kafkaResource(stackConfig("staging"));
        const v = crdValidator(CRD.Kafka, "v1");
        const bad = structuredClone(k) as any;
        bad.spec.kafka.listeners[0].type = "plain";
        assert.equal(v(bad), false);
        const pool = structuredClone(nodePoolResources(stackConfig("staging"), "x")[0]) as any;
        pool.spec.storage.volumes[0].type = "nfs";
        assert.equal(crdValidator(CRD.KafkaNodePool, "v1")(pool), false);
        const zk = structuredClone(k) as any;
        zk.spec.zookeeper = { replicas: 3 };
        zk.spec.kafka.replicas = 3;
        assert.deepEqual(prunedFields(v1Schema(CRD.Kafka), zk), [".spec.kafka.replicas", ".spec.zookeeper"]);
    });
});

describe("kafka: listeners and authentication", () => {
    for (const stack of STACKS) {
        it(`${stack}: no plaintext listener, every listener TLS with authentication`, () => {
            const ls = listeners(stackConfig(stack).kafka);
            assert.ok(ls.length >= 1);
            for (const l of ls) {
                assert.equal(l.tls, true, `${l.name} must be TLS`);
                assert.ok(["tls", "scram-sha-512"].includes(l.authentication?.type), `${l.name} must authenticate`);
            }
            assert.deepEqual(
                ls.map((l) => [l.name, l.port, l.type]),
                [["tls", 9093, "internal"]],
            );
        });
    }
    it("internal listener uses mutual TLS by default", () => {
        assert.equal(listeners(stackConfig("prod").kafka)[0].authentication.type, "tls");
    });
    it("SCRAM switches authentication on every listener and users, without opening plaintext or ports", () => {
        const cfg = stackConfig("prod", (r) => {
            scram(r);
            externalLb(r);
        });
        const ls = listeners(cfg.kafka);
        assert.deepEqual(
            ls.map((l) => [l.port, l.tls, l.authentication.type]),
            [
                [9093, true, "scram-sha-512"],
                [9094, true, "scram-sha-512"],
            ],
        );
        for (const u of userResources(cfg.kafka)) assert.equal((u.spec as any).authentication.type, "scram-sha-512");
        assert.deepEqual(accessKeys("scram-sha-512"), { ca: "ssl.truststore.crt", password: "password", jaasConfig: "sasl.jaas.config" });
        assert.deepEqual(accessKeys("tls"), { ca: "ssl.truststore.crt", cert: "ssl.keystore.crt", key: "ssl.keystore.key" });
    });
    it("external listener only when configured, TLS + authenticated; ingress uses the configured host", () => {
        const ing = listeners(stackConfig("prod", externalIngress).kafka)[1];
        assert.deepEqual([ing.name, ing.type, ing.tls, ing.authentication.type], ["external", "ingress", true, "tls"]);
        assert.deepEqual(ing.configuration, { bootstrap: { host: "kafka.acme.example" }, hostTemplate: "broker-{nodeId}.kafka.acme.example" });
        const lb = listeners(stackConfig("prod", externalLb).kafka)[1];
        assert.deepEqual(lb.configuration, { loadBalancerSourceRanges: ["203.0.113.0/24"] });
    });
    it("authorization is simple with no client super users", () => {
        const k = kafkaResource(stackConfig("prod")).spec.kafka as any;
        assert.deepEqual(k.authorization, { type: "simple", superUsers: [] });
    });
    it("bootstrap is the TLS listener's in-cluster address", () => {
        assert.equal(bootstrapServers(stackConfig("staging").kafka), "events-kafka-bootstrap.kafka.svc.cluster.local:9093");
    });
});

describe("kafka: ACLs per user", () => {
    const k = stackConfig("staging").kafka;
    const acl = (name: string) =>
        aclsFor(
            k,
            k.users.find((u) => u.name === name)!,
        ).map((a) => `${a.resource.type}:${a.resource.name}=${a.operations.join("+")}`);

    it("producer: Write+Describe on its topics only", () => {
        assert.deepEqual(acl("ingestion"), ["topic:events.raw=Write+Describe", "topic:events.dlq=Write+Describe"]);
        assert.deepEqual(acl("airflow"), ["topic:events.curated=Write+Describe"]);
    });
    it("consumer: Read+Describe on its topics and Read on its own group", () => {
        assert.deepEqual(acl("spark-streaming"), ["topic:events.raw=Read+Describe", "group:spark-streaming=Read"]);
        assert.deepEqual(acl("curated-sink"), ["topic:events.curated=Read+Describe", "group:curated-sink=Read"]);
    });
    it("monitor (KEDA lag reader): Describe on its topics and on the groups consuming them, nothing else", () => {
        assert.deepEqual(acl("keda-lag-reader"), [
            "topic:events.raw=Describe",
            "topic:events.curated=Describe",
            "group:curated-sink=Describe",
            "group:spark-streaming=Describe",
        ]);
    });
    it("Kafka Connect (when enabled): its own compacted topics and group, read-only on data topics", () => {
        const k2 = stackConfig("staging", connect).kafka;
        const u = userResources(k2).find((x) => x.metadata.name === "kafka-connect") as any;
        const acls = u.spec.authorization.acls.map((a: any) => `${a.resource.type}:${a.resource.name}=${a.operations.join("+")}`);
        assert.deepEqual(acls, [
            "topic:events-connect-configs=Read+Write+Describe",
            "topic:events-connect-offsets=Read+Write+Describe",
            "topic:events-connect-status=Read+Write+Describe",
            "topic:events.raw=Read+Describe",
            "topic:events.curated=Read+Describe",
            "topic:events.dlq=Read+Describe",
            "group:events-connect=Read",
        ]);
        const internal = topicResources(k2).filter((t: any) => t.spec.topicName.startsWith("events-connect-")) as any[];
        assert.deepEqual(
            internal.map((t) => [t.spec.topicName, t.spec.partitions, t.spec.config["cleanup.policy"]]),
            [
                ["events-connect-configs", 1, "compact"],
                ["events-connect-offsets", 25, "compact"],
                ["events-connect-status", 5, "compact"],
            ],
        );
        assert.equal(
            userResources(stackConfig("staging").kafka).some((x) => x.metadata.name === "kafka-connect"),
            false,
        );
    });
    for (const stack of STACKS) {
        it(`${stack}: literal resources only, never cluster, transactionalId, All or a wildcard`, () => {
            for (const u of userResources(stackConfig(stack).kafka)) {
                for (const a of (u.spec as any).authorization.acls) {
                    assert.ok(["topic", "group"].includes(a.resource.type), `${u.metadata.name}: ${a.resource.type}`);
                    assert.equal(a.resource.patternType, "literal");
                    assert.notEqual(a.resource.name, "*");
                    assert.ok(!a.operations.includes("All"));
                    assert.equal(a.type, "allow");
                }
            }
        });
    }
});

describe("kafka: cluster shape from config", () => {
    it("broker defaults come from config; auto topic creation is off", () => {
        const c = brokerConfig(stackConfig("prod"));
        assert.equal(c["default.replication.factor"], 3);
        assert.equal(c["min.insync.replicas"], 2);
        assert.equal(c["offsets.topic.replication.factor"], 3);
        assert.equal(c["transaction.state.log.replication.factor"], 3);
        assert.equal(c["transaction.state.log.min.isr"], 2);
        assert.equal(c["auto.create.topics.enable"], false);
    });
    it("staging: 1 controller, no rack awareness, claims deleted with the pool, no maintenance windows", () => {
        const cfg = stackConfig("staging");
        const [ctl, brk] = nodePoolResources(cfg, "sc") as any[];
        assert.deepEqual([ctl.spec.roles, ctl.spec.replicas, brk.spec.roles, brk.spec.replicas], [["controller"], 1, ["broker"], 3]);
        assert.equal(ctl.spec.storage.volumes[0].deleteClaim, true);
        const spec = kafkaResource(cfg).spec as any;
        assert.equal(spec.kafka.rack, undefined);
        assert.equal(spec.maintenanceTimeWindows, undefined);
        assert.equal(spec.kafka.config["replica.selector.class"], undefined);
    });
    it("prod: 3 controllers, zone-aware brokers, claims kept, maintenance windows, CA days from config", () => {
        const cfg = stackConfig("prod");
        const [ctl, brk] = nodePoolResources(cfg, "encrypted") as any[];
        assert.equal(ctl.spec.replicas, 3);
        assert.equal(brk.spec.replicas, 3);
        for (const p of [ctl, brk]) {
            for (const v of p.spec.storage.volumes) {
                assert.equal(v.deleteClaim, false);
                assert.equal(v.class, "encrypted");
                assert.equal(v.type, "persistent-claim");
            }
            assert.equal(p.spec.storage.type, "jbod");
            assert.equal(p.spec.storage.volumes[0].kraftMetadata, "shared");
            assert.equal(p.metadata.labels["strimzi.io/cluster"], "events");
        }
        assert.deepEqual(
            brk.spec.storage.volumes.map((v: any) => [v.id, v.size]),
            [
                [0, "500Gi"],
                [1, "500Gi"],
            ],
        );
        const spec = kafkaResource(cfg).spec as any;
        assert.deepEqual(spec.kafka.rack, { type: "topology-label", topologyKey: ZONE_KEY });
        assert.deepEqual(spec.maintenanceTimeWindows, ["* * 1-3 ? * SUN *"]);
        assert.deepEqual(spec.clusterCa, { generateCertificateAuthority: true, validityDays: 730, renewalDays: 60 });
        assert.deepEqual(spec.clientsCa, { generateCertificateAuthority: true, validityDays: 365, renewalDays: 30 });
        const zoneSpread = spec.kafka.template.pod.topologySpreadConstraints.find((t: any) => t.topologyKey === ZONE_KEY);
        assert.equal(zoneSpread?.whenUnsatisfiable, "DoNotSchedule");
    });
    it("pods tolerate and require the dedicated kafka node pool; PDB allows one disruption", () => {
        const t = (kafkaResource(stackConfig("staging")).spec.kafka as any).template;
        assert.deepEqual(t.pod.tolerations, [{ key: "dataplatform.io/pool", operator: "Equal", value: "kafka", effect: "NoSchedule" }]);
        const term = t.pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0];
        assert.deepEqual(term.matchExpressions, [{ key: "dataplatform.io/pool", operator: "In", values: ["kafka"] }]);
        assert.deepEqual(t.podDisruptionBudget, { maxUnavailable: 1 });
    });
    it("metrics: JMX exporter from the ConfigMap and Kafka Exporter on the configured topics/groups", () => {
        const spec = kafkaResource(stackConfig("staging")).spec as any;
        assert.deepEqual(spec.kafka.metricsConfig, {
            type: "jmxPrometheusExporter",
            valueFrom: { configMapKeyRef: { name: "events-kafka-metrics", key: "kafka-metrics-config.yml" } },
        });
        assert.equal(spec.kafkaExporter.topicRegex, "events\\.raw|events\\.curated|events\\.dlq");
        assert.equal(spec.kafkaExporter.groupRegex, ".*");
        assert.ok(spec.entityOperator.topicOperator && spec.entityOperator.userOperator);
    });
    it("topics: partitions, replicas default to kafka.replicationFactor, retention and cleanup from config", () => {
        const cfg = stackConfig("prod", (r) => {
            r.kafka.topics.push({ name: "audit_log", partitions: 3, replicas: 3, retentionHours: 24, cleanupPolicy: "compact" });
        });
        const topics = topicResources(cfg.kafka) as any[];
        const raw = topics.find((t) => t.spec.topicName === "events.raw");
        assert.deepEqual(raw.spec, {
            topicName: "events.raw",
            partitions: 24,
            replicas: 3,
            config: { "retention.ms": 168 * 3_600_000, "cleanup.policy": "delete", "min.insync.replicas": 2 },
        });
        const audit = topics.find((t) => t.spec.topicName === "audit_log");
        assert.equal(audit.metadata.name, "audit-log");
        assert.equal(audit.spec.config["cleanup.policy"], "compact");
        for (const t of topics) assert.equal(t.metadata.labels["strimzi.io/cluster"], "events");
    });
});

describe("kafka: config rules (key-named errors)", () => {
    const cases: [string, string, (r: Raw) => void, string][] = [
        [
            "RF above broker count",
            "staging",
            (r) => {
                r.kafka.replicationFactor = 4;
            },
            "dataplatform:kafka.replicationFactor: 4 is larger than kafka.brokers (3)",
        ],
        [
            "min ISR not below RF",
            "staging",
            (r) => {
                r.kafka.minInsyncReplicas = 3;
            },
            "dataplatform:kafka.minInsyncReplicas: 3 must be smaller than kafka.replicationFactor (3)",
        ],
        [
            "topic replicas above brokers",
            "staging",
            (r) => {
                r.kafka.topics[0].replicas = 5;
            },
            "dataplatform:kafka.topics[0].replicas: 5 is larger than kafka.brokers (3)",
        ],
        [
            "topic replicas not above min ISR",
            "staging",
            (r) => {
                r.kafka.topics[1].replicas = 2;
            },
            "dataplatform:kafka.topics[1].replicas: 2 must be larger than kafka.minInsyncReplicas (2)",
        ],
        [
            "prod with 2 brokers",
            "prod",
            (r) => {
                r.kafka.brokers = 2;
                r.kafka.replicationFactor = 2;
                r.kafka.minInsyncReplicas = 1;
            },
            "dataplatform:kafka.brokers: 2 must be at least 3 in prod",
        ],
        [
            "prod with 1 controller",
            "prod",
            (r) => {
                r.kafka.controllers = 1;
            },
            "dataplatform:kafka.controllers: 1 must be 3 or 5 in prod (KRaft quorum)",
        ],
        [
            "prod min ISR 1",
            "prod",
            (r) => {
                r.kafka.minInsyncReplicas = 1;
            },
            "dataplatform:kafka.minInsyncReplicas: 1 must be at least 2 in prod",
        ],
        [
            "prod without maintenance windows",
            "prod",
            (r) => {
                r.kafka.maintenanceWindows = [];
            },
            "dataplatform:kafka.maintenanceWindows",
        ],
        [
            "user of an unknown topic",
            "staging",
            (r) => {
                r.kafka.users[0].topics.push("events.nope");
            },
            'dataplatform:kafka.users[0].topics[2]: "events.nope" is not a topic',
        ],
        [
            "credentials into a namespace that cannot reach the brokers",
            "staging",
            (r) => {
                r.kafka.users[3].namespaces = ["airflow", "default"];
            },
            'dataplatform:kafka.users[3].namespaces[1]: "default" is not in kafka.clientNamespaces',
        ],
        [
            "monitor with no consumer group to read",
            "staging",
            (r) => {
                r.kafka.users[4].topics = ["events.dlq"];
            },
            "dataplatform:kafka.users[4].topics",
        ],
        [
            "ingress listener without host",
            "prod",
            (r) => {
                r.kafka.external = { enabled: true, type: "ingress" };
            },
            "dataplatform:kafka.external.host: (missing) is required for an ingress listener",
        ],
        [
            "unknown authentication",
            "staging",
            (r) => {
                r.kafka.authentication = "plain";
            },
            'dataplatform:kafka.authentication: "plain" is not allowed',
        ],
        [
            "bad controller quantity",
            "staging",
            (r) => {
                r.kafka.controller = { cpu: "half", memory: "2Gi", storageSizeGi: 20 };
            },
            "dataplatform:kafka.controller.cpu",
        ],
    ];
    for (const [label, stack, mutate, expected] of cases) {
        it(`rejects ${label}`, () => {
            const problems = configProblems(stack, mutate);
            assert.ok(
                problems.some((p) => p.startsWith(expected)),
                `expected a problem starting with ${expected}, got:\n${problems.join("\n")}`,
            );
        });
    }
});

describe("kafka: credentials delivery", () => {
    it("one KafkaAccess per (user, namespace) plus the lag reader beside KEDA, all on the TLS listener", () => {
        const k = stackConfig("staging").kafka;
        const lagReader = [{ user: "keda-lag-reader", namespace: "keda" }];
        const targets = accessTargets(k, lagReader).map((t) => `${t.user}@${t.namespace}`);
        assert.deepEqual(targets, ["ingestion@ingestion", "spark-streaming@spark-jobs", "curated-sink@ingestion", "airflow@airflow", "keda-lag-reader@keda"]);
        assert.throws(() => accessTargets(k, [{ user: "nobody", namespace: "keda" }]), /not in kafka\.users: nobody/);
        for (const a of accessResources(k, lagReader) as any[]) {
            assert.equal(a.apiVersion, "access.strimzi.io/v1alpha1");
            assert.deepEqual(a.spec.kafka, { name: "events", namespace: "kafka", listener: "tls" });
            assert.deepEqual(Object.keys(a.spec.user).sort(), ["apiGroup", "kind", "name", "namespace"]);
            assert.equal(a.metadata.name, `events-${a.spec.user.name}`);
        }
    });
});

describe("kafka: network policy and operators", () => {
    it("brokers: client listener only from client namespaces and KEDA's lag reader; internals only from Strimzi's pods", () => {
        const cfg = stackConfig("staging");
        const inKafka = platformNetworkPolicies(cfg, clusterNetworkOf(cfg)).filter((p) => p.namespace === cfg.kafka.namespace);
        const brokers = inKafka.find((p) => p.name === "kafka-brokers-ingress")!;
        const peersOn = (port: string) => brokers.spec.ingress!.filter((r) => r.ports!.some((p) => p.port === port)).flatMap((r) => r.from!);
        const nsOf = (peer: any) => peer.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"];
        assert.deepEqual([...new Set(peersOn("tcp-clientstls").map(nsOf))].sort(), ["airflow", "ingestion", "kafka", "keda", "spark-jobs"]);
        for (const port of ["tcp-replication", "tcp-kafkaagent"]) {
            for (const peer of peersOn(port)) assert.ok(peer.podSelector && !peer.namespaceSelector, `${port} must only admit pods of the Kafka namespace`);
        }
        assert.ok(!peersOn("tcp-external").length);
        const prod = stackConfig("prod", externalLb);
        const ext = platformNetworkPolicies(prod, clusterNetworkOf(prod)).find((p) => p.namespace === "kafka" && p.name === "kafka-brokers-ingress")!;
        assert.ok(ext.spec.ingress!.some((r) => r.ports!.some((p) => p.port === "tcp-external")));
    });
    it("operators: Strimzi watches only its namespace and leaves network policies to us; requests everywhere", () => {
        const s = strimziValues() as any;
        assert.deepEqual([s.watchNamespaces, s.watchAnyNamespace, s.generateNetworkPolicy], [[], false, false]);
        // Brokers, entity operator and exporter must pass the Kafka namespace's restricted Pod Security Standard.
        assert.deepEqual(s.extraEnvs, [{ name: "STRIMZI_POD_SECURITY_PROVIDER_CLASS", value: "restricted" }]);
        assert.ok(s.resources.requests.cpu && s.resources.requests.memory);
        assert.ok((accessOperatorValues() as any).resources.requests.memory);
        assert.ok((reloaderValues() as any).reloader.deployment.resources.requests.memory);
    });
});
