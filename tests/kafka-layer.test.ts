import { strict as assert } from "assert";
import { Provider } from "@pulumi/kubernetes/provider";
import { loadStackConfig } from "../components/config";
import type { IdentityBinder } from "../components/interfaces";
import { reloadAnnotations, type KafkaClientAccess } from "../components/contracts/kafka-client";
import { Namespaces } from "../components/k8s/namespaces";
import { KafkaLayer } from "../components/kafka/layer";
import { kafkaArgs, namespacesArgs } from "../components/wiring";
import { CHARTS } from "../components/versions";
import type { CapturedResource } from "../plan/capture";
import { inputsOf, ofType, shippedPlan, STACKS, underMocks } from "./support/plans";
import { crdValidator, errorsOf } from "./support/schemas";
import { prunedFields, STRIMZI_CRD, v1Schema } from "./kafka-crd";

const T = {
    kafka: "kubernetes:kafka.strimzi.io/v1:Kafka",
    pool: "kubernetes:kafka.strimzi.io/v1:KafkaNodePool",
    topic: "kubernetes:kafka.strimzi.io/v1:KafkaTopic",
    user: "kubernetes:kafka.strimzi.io/v1:KafkaUser",
    access: "kubernetes:access.strimzi.io/v1alpha1:KafkaAccess",
    release: "kubernetes:helm.sh/v3:Release",
    netpol: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
};
const CRD: Record<string, string> = Object.fromEntries(Object.entries(STRIMZI_CRD).map(([kind, f]) => [`kubernetes:kafka.strimzi.io/v1:${kind}`, f]));

function kafkaReleases(resources: CapturedResource[]): Record<string, CapturedResource> {
    return Object.fromEntries(
        resources.filter((r) => r.type === T.release && r.urn.includes("dataplatform:kafka:Operators")).map((r) => [inputsOf(r).name, r]),
    );
}

describe("kafka layer: shipped plans", () => {
    for (const stack of STACKS) {
        describe(stack, () => {
            it("every emitted Kafka, KafkaNodePool, KafkaTopic and KafkaUser validates against the served v1 schema", async () => {
                const plan = await shippedPlan(stack);
                const counts: Record<string, number> = {};
                for (const type of [T.kafka, T.pool, T.topic, T.user]) {
                    const v = crdValidator(CRD[type], "v1");
                    for (const r of ofType(plan, type)) {
                        const obj = inputsOf(r);
                        assert.equal(obj.apiVersion, "kafka.strimzi.io/v1");
                        assert.ok(v(obj), `${r.name}:\n${errorsOf(v)}`);
                        assert.deepEqual(prunedFields(v1Schema(CRD[type]), obj), [], `${r.name} has fields the API server would prune`);
                        counts[type] = (counts[type] ?? 0) + 1;
                    }
                }
                const k = plan.config.kafka;
                assert.deepEqual(counts, { [T.kafka]: 1, [T.pool]: 2, [T.topic]: k.topics.length, [T.user]: k.users.length });
            });

            it("operators pinned from versions.ts, in the Kafka namespace; CRs wait for them", async () => {
                const plan = await shippedPlan(stack);
                const rel = kafkaReleases(plan.resources);
                assert.deepEqual(Object.keys(rel).sort(), ["reloader", "strimzi", "strimzi-access-operator"]);
                const s = inputsOf(rel.strimzi);
                assert.deepEqual(
                    [s.chart, s.version, s.repositoryOpts?.repo, s.namespace],
                    [CHARTS.strimzi.chart, plan.config.charts.strimzi, CHARTS.strimzi.repo, "kafka"],
                );
                assert.equal(s.values.generateNetworkPolicy, false);
                const a = inputsOf(rel["strimzi-access-operator"]);
                assert.deepEqual([a.chart, a.version], ["oci://quay.io/strimzi-helm/strimzi-access-operator", plan.config.charts.strimziAccess]);
                const kafka = ofType(plan, T.kafka)[0];
                assert.ok(kafka.dependencies.includes(rel.strimzi.urn), "Kafka must depend on the Strimzi release (CRDs)");
                for (const p of ofType(plan, T.pool)) assert.ok(p.dependencies.includes(rel.strimzi.urn));
                for (const u of ofType(plan, T.user)) assert.ok(u.dependencies.includes(kafka.urn));
                for (const x of ofType(plan, T.access)) assert.ok(x.dependencies.includes(rel["strimzi-access-operator"].urn));
            });

            it("node pools use the foundation's encrypted StorageClass; prod protects cluster, pools and topics", async () => {
                const plan = await shippedPlan(stack);
                const prod = plan.config.environment === "prod";
                const sc = plan.outputs.storageClass;
                assert.ok(typeof sc === "string" && sc.length > 0, "the foundation exports its StorageClass");
                for (const p of ofType(plan, T.pool)) {
                    const vols = inputsOf(p).spec.storage.volumes;
                    for (const v of vols) {
                        assert.equal(v.class, sc);
                        assert.equal(v.deleteClaim, !prod);
                    }
                    assert.equal(p.protect, prod, `${p.name} protect`);
                }
                assert.equal(ofType(plan, T.kafka)[0].protect, prod);
                for (const t of ofType(plan, T.topic)) assert.equal(t.protect, prod);
                const ctl = ofType(plan, T.pool)
                    .map(inputsOf)
                    .find((p) => p.spec.roles[0] === "controller");
                assert.equal(ctl?.spec.replicas, prod ? 3 : 1);
            });

            it("credentials: one KafkaAccess per configured (user, namespace) plus the lag reader in KEDA's namespace", async () => {
                const plan = await shippedPlan(stack);
                const got = ofType(plan, T.access)
                    .map(inputsOf)
                    .map((a) => `${a.spec.user.name}@${a.metadata.namespace}`)
                    .sort();
                const want = plan.config.kafka.users
                    .flatMap((u) => [...u.namespaces, ...(u.role === "monitor" ? ["keda"] : [])].map((ns) => `${u.name}@${ns}`))
                    .sort();
                assert.deepEqual(got, [...new Set(want)].sort());
                // The Kafka namespace's policies come from the platform's flow table (tests/flows.test.ts), not from the layer.
                assert.equal(ofType(plan, T.netpol).filter((r) => r.urn.includes("dataplatform:kafka:")).length, 0);
                assert.ok(
                    ofType(plan, T.netpol).some((r) => inputsOf(r).metadata.namespace === "kafka" && inputsOf(r).metadata.name === "kafka-brokers-ingress"),
                );
                assert.equal(plan.outputs.kafkaBootstrapServers, "events-kafka-bootstrap.kafka.svc.cluster.local:9093");
            });
        });
    }
});

describe("kafka layer: access() under mocks", () => {
    let access: (u: string, ns: string) => KafkaClientAccess;
    const resolved: Record<string, string> = {};
    let annotations = "";

    before(async () => {
        await underMocks("staging", () => {
            const cfg = loadStackConfig();
            const provider = new Provider("k8s", { kubeconfig: "apiVersion: v1\nkind: Config\nclusters: []\n" });
            const namespaces = new Namespaces("namespaces", namespacesArgs(cfg, provider));
            const identity: IdentityBinder = {
                bind: () => {
                    throw new Error("the Kafka layer binds no cloud identity");
                },
            };
            const layer = new KafkaLayer("kafka", kafkaArgs(cfg, { provider, storageClassName: "standard-rwo", identity, namespaces }));
            access = (u, ns) => layer.access(u, ns);
            for (const [u, ns] of [
                ["keda-lag-reader", "keda"],
                ["spark-streaming", "spark-jobs"],
            ]) {
                layer.access(u, ns).secretName.apply((n) => {
                    resolved[`${u}@${ns}`] = n;
                });
            }
            reloadAnnotations(layer.access("ingestion", "ingestion"), layer.access("curated-sink", "ingestion"))["secret.reloader.stakater.com/reload"].apply(
                (v) => {
                    annotations = v;
                },
            );
        });
    });

    it("returns the KafkaAccess Secret, TLS bootstrap and mTLS key names", () => {
        const a = access("spark-streaming", "spark-jobs");
        assert.deepEqual(
            [a.user, a.namespace, a.authentication, a.bootstrapServers],
            ["spark-streaming", "spark-jobs", "tls", "events-kafka-bootstrap.kafka.svc.cluster.local:9093"],
        );
        assert.deepEqual(a.keys, { ca: "ssl.truststore.crt", cert: "ssl.keystore.crt", key: "ssl.keystore.key" });
        assert.equal(resolved["spark-streaming@spark-jobs"], "events-spark-streaming");
        assert.equal(resolved["keda-lag-reader@keda"], "events-keda-lag-reader");
    });

    it("reload annotation lists each credentials Secret a workload mounts", () => {
        assert.equal(annotations, "events-ingestion,events-curated-sink");
    });

    it("refuses users and namespaces that are not configured, naming the config key", () => {
        assert.throws(
            () => access("spark-streaming", "airflow"),
            /no credentials in namespace airflow \(its namespaces: spark-jobs\).*dataplatform:kafka\.users/,
        );
        assert.throws(() => access("nobody", "ingestion"), /kafka user nobody is not configured \(dataplatform:kafka\.users/);
    });
});
