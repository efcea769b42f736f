import { strict as assert } from "assert";
import { kedaValues } from "../components/keda/operator";
import { consumerGrants } from "../components/keda/autoscaling";
import { consumerScaledObject, kafkaTriggers, streamingScaledJob, clusterTriggerAuthentication } from "../components/keda/specs";
import { CHARTS } from "../components/versions";
import { inputsOf, ofType, shippedPlan, STACKS, variantPlan } from "./support/plans";
import { expectAnyProblem, Raw, stackConfig } from "./support/config";
import { fakeBucket } from "./support/refs";

const T = {
    scaledJob: "kubernetes:keda.sh/v1alpha1:ScaledJob",
    scaledObject: "kubernetes:keda.sh/v1alpha1:ScaledObject",
    auth: "kubernetes:keda.sh/v1alpha1:ClusterTriggerAuthentication",
    secret: "kubernetes:core/v1:Secret",
    deployment: "kubernetes:apps/v1:Deployment",
    release: "kubernetes:helm.sh/v3:Release",
};

type Model = new (data: object) => { validate(): void };
// The models are ESM-only (no require condition): load them with a real dynamic import.
const esmImport = new Function("s", "return import(s)") as (s: string) => Promise<Record<string, Model>>;
let models: Record<string, Model> = {};
before(async () => {
    models = await esmImport("@kubernetes-models/keda/keda.sh/v1alpha1");
    assert.ok(models.ScaledJob && models.ScaledObject && models.ClusterTriggerAuthentication);
});

/** Validates with KEDA's own schemas (throws with the offending path). */
function validate(obj: Record<string, any>): void {
    const M = models[obj.kind];
    assert.ok(M && ["ScaledJob", "ScaledObject", "ClusterTriggerAuthentication"].includes(obj.kind), `no KEDA model for ${obj.kind}`);
    new M(obj).validate();
}

const src = { group: "g", topics: ["events.raw"], bootstrapServers: "events-kafka-bootstrap.kafka.svc.cluster.local:9093" };
const job = { template: { spec: { restartPolicy: "Never", containers: [{ name: "driver", image: "i:1" }] } } };

describe("keda: pure builders", () => {
    for (const stack of STACKS) {
        const cfg = stackConfig(stack);
        it(`${stack}: ScaledJob, ScaledObject and ClusterTriggerAuthentication pass KEDA's schemas with thresholds from config`, () => {
            const sj = streamingScaledJob(cfg, "stream-events", "spark-jobs", job, src, "kafka-lag-reader");
            const so = consumerScaledObject(cfg, "curated-sink", "ingestion", "curated-sink", src, "kafka-lag-reader");
            const ta = clusterTriggerAuthentication("kafka-lag-reader", {
                secretName: "keda-lag-reader",
                settingsSecretName: "s",
                keys: { ca: "ca.crt", cert: "user.crt", key: "user.key" },
                authentication: "tls",
                user: "keda-lag-reader",
            });
            for (const o of [sj, so, ta]) validate(o);
            assert.equal(sj.spec.minReplicaCount, 0);
            assert.equal(sj.spec.pollingInterval, cfg.autoscaling.pollingIntervalSeconds);
            assert.equal(so.spec.minReplicaCount, cfg.autoscaling.deployments.minReplicas);
            assert.equal(so.spec.cooldownPeriod, cfg.autoscaling.cooldownPeriodSeconds);
            const m = kafkaTriggers(cfg, src, "a")[0].metadata;
            assert.equal(m.lagThreshold, String(cfg.autoscaling.lagThreshold));
            assert.equal(m.activationLagThreshold, String(cfg.autoscaling.activationLagThreshold));
        });

        it(`${stack}: at most one streaming run at a time, whatever the lag (KEDA's default strategy subtracts running Jobs)`, () => {
            const sj = streamingScaledJob(cfg, "stream-events", "spark-jobs", job, src, "kafka-lag-reader");
            assert.equal(sj.spec.maxReplicaCount, 1);
            assert.equal(sj.spec.scalingStrategy.strategy, "default");
            // KEDA pkg/scaling/executor/scale_jobs.go: maxScale = min(ceil(lag / lagThreshold), maxReplicaCount) and the
            // strategies' effective scale with one Job running; "accurate" ignores running Jobs while within the limit.
            const keda = (strategy: string, lag: number, running: number, pending: number) => {
                const max = sj.spec.maxReplicaCount;
                const maxScale = Math.min(Math.ceil(lag / cfg.autoscaling.lagThreshold), max);
                if (strategy === "accurate") return maxScale + running > max ? max - running : maxScale - pending;
                return maxScale - running;
            };
            for (const lag of [cfg.autoscaling.activationLagThreshold + 1, cfg.autoscaling.lagThreshold * 100]) {
                assert.equal(keda(sj.spec.scalingStrategy.strategy, lag, 1, 0), 0, `a second run started at lag ${lag}`);
                assert.equal(keda(sj.spec.scalingStrategy.strategy, lag, 0, 0), 1);
            }
        });

        it(`${stack}: sink consumers may only write under their own prefix of the archive bucket, never the curated zone`, () => {
            const buckets = Object.fromEntries(["raw", "curated", "archive", "logs"].map((n) => [n, fakeBucket(n)]));
            const grants = consumerGrants(cfg.autoscaling.deployments.consumers, buckets.archive, "ingestion").map((g) =>
                g.kind === "bucket" ? `${g.bucket.logicalName}:${g.access}:${g.prefix}` : g.kind,
            );
            assert.deepEqual(
                grants,
                cfg.autoscaling.deployments.consumers.filter((c) => c.namespace === "ingestion").map((c) => `archive:write:kafka/${c.kafkaUser}/`),
            );
            assert.deepEqual(consumerGrants(cfg.autoscaling.deployments.consumers, buckets.archive, "airflow"), []);
        });

        it(`${stack}: KEDA values set requests on every component`, () => {
            const v = kedaValues(cfg, "lag-reader-secret");
            for (const c of ["operator", "metricServer", "webhooks"]) assert.ok(v.resources[c].requests.cpu && v.resources[c].requests.memory, c);
        });
    }

    it("SCRAM: the trigger authenticates with sasl scram_sha512, username and password over TLS", () => {
        const ta = clusterTriggerAuthentication("a", {
            secretName: "u",
            settingsSecretName: "s",
            keys: { ca: "ca.crt", password: "password" },
            authentication: "scram-sha-512",
            user: "keda-lag-reader",
        });
        validate(ta);
        assert.deepEqual(ta.spec.secretTargetRef.map((r: any) => r.parameter).sort(), ["ca", "password", "sasl", "tls", "username"]);
    });
});

describe("keda: shipped plans", () => {
    for (const stack of STACKS) {
        describe(stack, () => {
            it("every ScaledJob, ScaledObject and the ClusterTriggerAuthentication pass KEDA's schemas", async () => {
                const plan = await shippedPlan(stack);
                const objs = [T.scaledJob, T.scaledObject, T.auth].flatMap((t) => ofType(plan, t)).map(inputsOf);
                assert.equal(objs.length, 1 + plan.config.autoscaling.deployments.consumers.length + 1);
                for (const o of objs) validate(o);
            });

            it("the KEDA operator restarts when the Secret the lag reader's KafkaAccess writes beside it rotates", async () => {
                const plan = await shippedPlan(stack);
                const keda = ofType(plan, T.release)
                    .map(inputsOf)
                    .find((r) => r.name === "keda")!;
                const access = ofType(plan, "kubernetes:access.strimzi.io/v1alpha1:KafkaAccess")
                    .map(inputsOf)
                    .find((a) => a.metadata.namespace === "keda" && a.spec.user.name === plan.config.autoscaling.kafkaUser)!;
                assert.ok(access, "the lag reader has a KafkaAccess in KEDA's namespace");
                assert.deepEqual(keda.values.podAnnotations.keda, { "secret.reloader.stakater.com/reload": access.metadata.name });
            });

            it("the streaming ScaledJob runs one Job at a time and reads the consumer group's lag", async () => {
                const plan = await shippedPlan(stack);
                const cfg = plan.config;
                const [sj] = ofType(plan, T.scaledJob).map(inputsOf);
                const user = cfg.kafka.users.find((u) => u.name === cfg.spark.streaming.kafkaUser)!;
                assert.equal(sj.spec.maxReplicaCount, 1);
                assert.equal(sj.spec.minReplicaCount, 0);
                assert.equal(sj.spec.pollingInterval, cfg.autoscaling.pollingIntervalSeconds);
                assert.deepEqual(
                    sj.spec.triggers.map((t: any) => t.metadata.topic),
                    user.topics,
                );
                for (const t of sj.spec.triggers) {
                    assert.equal(t.metadata.consumerGroup, user.group);
                    assert.match(t.metadata.bootstrapServers, /^[a-z0-9-]+-kafka-bootstrap\.[a-z0-9-]+\.svc\.cluster\.local:\d+$/);
                    assert.deepEqual(t.authenticationRef, { name: "kafka-lag-reader", kind: "ClusterTriggerAuthentication" });
                }
            });

            it("every Kafka trigger speaks the brokers' protocol version (KEDA defaults to 1.0.0, which Kafka 4 brokers refuse)", async () => {
                const plan = await shippedPlan(stack);
                // The version Strimzi runs the brokers at, read from the Kafka resource the program registers.
                const [kafka] = ofType(plan, "kubernetes:kafka.strimzi.io/v1:Kafka").map(inputsOf);
                const triggers = [T.scaledJob, T.scaledObject]
                    .flatMap((t) => ofType(plan, t))
                    .map(inputsOf)
                    .flatMap((o) => o.spec.triggers);
                assert.ok(triggers.length > 0);
                for (const t of triggers) {
                    assert.equal(t.metadata.version, kafka.spec.kafka.version);
                    // KEDA (sarama) parses "x.y.z" for versions from 1.0.0 on.
                    assert.match(t.metadata.version, /^[1-9]\d*\.\d+\.\d+$/);
                }
            });

            it("consumer Deployments scale from the stack's minimum (0 staging, ≥ 1 prod) to at most the topic's partitions", async () => {
                const plan = await shippedPlan(stack);
                const cfg = plan.config;
                const sos = ofType(plan, T.scaledObject).map(inputsOf);
                assert.equal(sos.length, cfg.autoscaling.deployments.consumers.length);
                for (const so of sos) {
                    if (cfg.environment === "staging") assert.equal(so.spec.minReplicaCount, 0);
                    else assert.ok(so.spec.minReplicaCount >= 1);
                    assert.equal(so.spec.maxReplicaCount, cfg.autoscaling.deployments.maxReplicas);
                    for (const t of so.spec.triggers) {
                        const parts = cfg.kafka.topics.find((x) => x.name === t.metadata.topic)!.partitions;
                        assert.ok(so.spec.maxReplicaCount <= parts, `${so.spec.maxReplicaCount} > ${parts} partitions of ${t.metadata.topic}`);
                        assert.equal(t.metadata.lagThreshold, String(cfg.autoscaling.lagThreshold));
                        assert.equal(t.metadata.activationLagThreshold, String(cfg.autoscaling.activationLagThreshold));
                    }
                    const dep = ofType(plan, T.deployment)
                        .map(inputsOf)
                        .find((d) => d.metadata.name === so.spec.scaleTargetRef.name && d.metadata.namespace === so.metadata.namespace);
                    assert.ok(dep, `no Deployment ${so.spec.scaleTargetRef.name}`);
                    assert.ok(dep.spec.template.spec.containers[0].resources.requests.cpu);
                }
            });

            it("sink Deployments write to their own prefix and roll when their credentials are renewed", async () => {
                const plan = await shippedPlan(stack);
                const cfg = plan.config;
                for (const c of cfg.autoscaling.deployments.consumers) {
                    const dep = ofType(plan, T.deployment)
                        .map(inputsOf)
                        .find((d) => d.metadata.name === c.kafkaUser)!;
                    const env = Object.fromEntries(dep.spec.template.spec.containers[0].env.map((e: { name: string; value?: string }) => [e.name, e.value]));
                    assert.match(env.SINK_URL, new RegExp(`^(gs|s3)://[a-z0-9-]+-archive/kafka/${c.kafkaUser}/$`));
                    assert.equal(dep.metadata.annotations["secret.reloader.stakater.com/reload"], `events-${c.kafkaUser}`);
                    assert.equal(dep.spec.replicas, undefined, "the HPA owns the replica count");
                }
            });

            it("one ClusterTriggerAuthentication: TLS with the lag reader's certificate delivered beside KEDA, which Reloader watches", async () => {
                const plan = await shippedPlan(stack);
                const cfg = plan.config;
                const [cta] = ofType(plan, T.auth).map(inputsOf);
                assert.equal(cta.metadata.namespace, undefined, "cluster-scoped");
                const byParam = Object.fromEntries(cta.spec.secretTargetRef.map((r: any) => [r.parameter, r]));
                assert.deepEqual(Object.keys(byParam).sort(), ["ca", "cert", "key", "tls"]);
                const settings = ofType(plan, T.secret)
                    .map(inputsOf)
                    .find((s) => s.metadata.name === byParam.tls.name && s.metadata.namespace === "keda");
                assert.equal(settings?.stringData.tls, "enable");
                const reader = ofType(plan, "kubernetes:access.strimzi.io/v1alpha1:KafkaAccess")
                    .map(inputsOf)
                    .find((a) => a.metadata.namespace === "keda" && a.spec.user.name === cfg.autoscaling.kafkaUser);
                assert.equal(byParam.cert.name, reader?.metadata.name, "the certificate is the KafkaAccess Secret in keda");
                const keda = ofType(plan, T.release)
                    .map(inputsOf)
                    .find((i) => i.chart === "keda");
                assert.equal(keda?.values.podAnnotations.keda["secret.reloader.stakater.com/reload"], byParam.cert.name, "a renewal restarts KEDA");
            });

            it("KEDA is the pinned kedacore release", async () => {
                const plan = await shippedPlan(stack);
                const r = ofType(plan, T.release)
                    .map(inputsOf)
                    .find((i) => i.chart === "keda");
                assert.equal(r?.version, plan.config.charts.keda);
                assert.equal(r?.repositoryOpts.repo, CHARTS.keda.repo);
                assert.equal(r?.namespace, "keda");
            });
        });
    }

    it("with SCRAM authentication the triggers authenticate with scram_sha512", async () => {
        const plan = await variantPlan("staging", (c) => {
            (c["dataplatform:kafka"] as Raw).authentication = "scram-sha-512";
        });
        for (const ta of ofType(plan, T.auth).map(inputsOf)) {
            validate(ta);
            assert.deepEqual(ta.spec.secretTargetRef.map((r: any) => r.parameter).sort(), ["ca", "password", "sasl", "tls", "username"]);
        }
        const settings = ofType(plan, T.secret)
            .map(inputsOf)
            .filter((s) => s.metadata.name === "keda-kafka-trigger-settings");
        assert.ok(settings.length > 0 && settings.every((s) => s.stringData.sasl === "scram_sha512" && s.stringData.username === "keda-lag-reader"));
    });
});

describe("keda: bad config is rejected by key name", () => {
    const cases: [string, string, (r: Raw) => void, string, RegExp][] = [
        [
            "staging",
            "max below min",
            (r) => {
                r.autoscaling.deployments.minReplicas = 0;
                r.autoscaling.deployments.maxReplicas = 3;
                r.autoscaling.deployments.minReplicas = 4;
            },
            "dataplatform:autoscaling.deployments.minReplicas",
            /larger than autoscaling.deployments.maxReplicas/,
        ],
        [
            "prod",
            "max replicas above the partitions",
            (r) => (r.autoscaling.deployments.maxReplicas = 13),
            "dataplatform:autoscaling.deployments.maxReplicas",
            /larger than the partitions of the consumed topics \(12\)/,
        ],
        [
            "staging",
            "small-run executors above the executor limit",
            (r) => (r.autoscaling.streaming.maxExecutors = 1),
            "dataplatform:spark.streaming.executor.instances",
            /must not exceed autoscaling.streaming.maxExecutors \(1\)/,
        ],
        [
            "staging",
            "compaction into a table without a schema file",
            (r) => (r.spark.compaction.targetTable = "raw.clicks"),
            "dataplatform:spark.compaction.targetTable",
            /no schema file schemas\/bigquery\/raw\/clicks.json/,
        ],
        [
            "staging",
            "compaction into an unknown dataset",
            (r) => (r.spark.compaction.targetTable = "marts.events"),
            "dataplatform:spark.compaction.targetTable",
            /not in a dataset of warehouse.datasets/,
        ],
        [
            "staging",
            "sinks without an archive bucket",
            (r) => (r.lake.buckets = r.lake.buckets.filter((b: any) => b.name !== "archive")),
            "dataplatform:autoscaling.deployments.consumers",
            /need a lake bucket named archive/,
        ],
        [
            "staging",
            "activation threshold at the scaling threshold",
            (r) => (r.autoscaling.activationLagThreshold = r.autoscaling.lagThreshold),
            "dataplatform:autoscaling.activationLagThreshold",
            /smaller than autoscaling.lagThreshold/,
        ],
        [
            "staging",
            "lag reader is not a monitor",
            (r) => (r.autoscaling.kafkaUser = "ingestion"),
            "dataplatform:autoscaling.kafkaUser",
            /must have role monitor/,
        ],
        [
            "staging",
            "KEDA cannot reach the brokers",
            (r) => (r.kafka.clientNamespaces = r.kafka.clientNamespaces.filter((n: string) => n !== "keda")),
            "dataplatform:kafka.clientNamespaces",
            /must include keda/,
        ],
        [
            "staging",
            "sink consumer is a producer",
            (r) => (r.autoscaling.deployments.consumers[0].kafkaUser = "airflow"),
            "dataplatform:autoscaling.deployments.consumers[0].kafkaUser",
            /must have role consumer/,
        ],
        [
            "staging",
            "sink outside its user's namespaces",
            (r) => (r.autoscaling.deployments.consumers[0].namespace = "airflow"),
            "dataplatform:autoscaling.deployments.consumers[0].namespace",
            /is not a namespace of kafka user curated-sink/,
        ],
        [
            "staging",
            "sink image on latest",
            (r) => (r.autoscaling.deployments.consumers[0].image = "repo/curated-sink:latest"),
            "dataplatform:autoscaling.deployments.consumers[0].image",
            /latest/,
        ],
        [
            "staging",
            "polling above an hour",
            (r) => (r.autoscaling.pollingIntervalSeconds = 7200),
            "dataplatform:autoscaling.pollingIntervalSeconds",
            /too large/,
        ],
    ];
    for (const [stack, what, mutate, key, message] of cases) {
        it(`${stack}: ${what} → ${key}`, () => {
            expectAnyProblem(stack, mutate, key, message);
        });
    }
});
