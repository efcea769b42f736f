import { strict as assert } from "assert";
import { sparkOperatorValues } from "../components/spark/operator";
import { compactionApplication, sparkJobGrants, sparkVersion, streamingJobSpec, podMemory } from "../components/spark/specs";
import type { KafkaConsumer } from "../components/contracts/kafka-client";
import { sparkData } from "../components/wiring";
import { poolScheduling } from "../components/labels";
import { IMAGES } from "../components/versions";
import { inputsOf, ofType, shippedPlan, STACKS } from "./support/plans";
import { stackConfig } from "./support/config";
import { fakeBucket, fakeDataset } from "./support/refs";
import { crdValidator, errorsOf, prunedFields, readSchema, servedSchema } from "./support/schemas";

const SCHEDULED = "spark-operator/sparkoperator.k8s.io_scheduledsparkapplications.yaml";
const APPLICATION = "spark-operator/sparkoperator.k8s.io_sparkapplications.yaml";
const T = {
    scheduled: "kubernetes:sparkoperator.k8s.io/v1beta2:ScheduledSparkApplication",
    app: "kubernetes:sparkoperator.k8s.io/v1beta2:SparkApplication",
    release: "kubernetes:helm.sh/v3:Release",
    scaledJob: "kubernetes:keda.sh/v1alpha1:ScaledJob",
};

const noIdentity = { env: [], volumes: [], volumeMounts: [] };
const kafkaMount: KafkaConsumer = {
    secretName: "spark-streaming-kafka",
    bootstrapServers: "events-kafka-bootstrap.kafka.svc.cluster.local:9093",
    authentication: "tls",
    keys: { ca: "ca.crt", cert: "user.crt", key: "user.key" },
    group: "spark-streaming",
    topics: ["events.raw"],
    user: "spark-streaming",
};

/** Every key we set must exist in the chart's default values (below maps the chart leaves free-form). */
function unknownChartKeys(values: unknown, defaults: unknown, path = ""): string[] {
    if (values === null || typeof values !== "object" || Array.isArray(values)) return [];
    if (defaults === null || typeof defaults !== "object" || Array.isArray(defaults)) return [];
    const d = defaults as Record<string, unknown>;
    if (Object.keys(d).length === 0) return []; // free-form map (resources, nodeSelector, labels)
    return Object.entries(values as Record<string, unknown>).flatMap(([k, v]) =>
        k in d ? unknownChartKeys(v, d[k], `${path}.${k}`) : [`${path}.${k}`.slice(1)],
    );
}

describe("spark: pure builders", () => {
    for (const stack of STACKS) {
        const cfg = stackConfig(stack);

        it(`${stack}: operator values only use keys of the chart's values.yaml, watch only the job namespace`, () => {
            const v = sparkOperatorValues(cfg);
            assert.deepEqual(unknownChartKeys(v, readSchema("spark-operator/chart-values.yaml")), []);
            assert.deepEqual(v.spark.jobNamespaces, [cfg.spark.jobNamespace]);
            // With a non-empty list without "" the chart's ClusterRole keeps only nodes/CRD get; pod, ConfigMap,
            // Service and SparkApplication rights become Roles in the job namespace.
            assert.ok(v.spark.jobNamespaces.length > 0 && !v.spark.jobNamespaces.includes(""));
            assert.equal(v.webhook.enable, true);
            assert.equal(v.prometheus.metrics.enable, true);
            // The chart binds its job Role to the binder's ServiceAccount; it creates none.
            assert.deepEqual(v.spark.serviceAccount, { create: false, name: "spark-jobs" });
            for (const c of ["controller", "webhook"]) assert.ok(v[c].resources.requests.cpu && v[c].resources.requests.memory, `${c} requests`);
        });

        it(`${stack}: the Spark identity has exactly raw read, curated zone read/write, target table's dataset edit, BigQuery jobs`, () => {
            const buckets = Object.fromEntries(["raw", "curated", "archive", "logs"].map((b) => [b, fakeBucket(b)]));
            const datasets = Object.fromEntries(["raw", "staging", "curated"].map((d) => [d, fakeDataset(d)]));
            const grants = sparkJobGrants(sparkData(cfg, buckets, datasets)).map((g) =>
                g.kind === "bucket"
                    ? `bucket:${g.bucket.logicalName}:${g.access}`
                    : g.kind === "dataset"
                      ? `dataset:${g.dataset.logicalName}:${g.access}`
                      : g.kind,
            );
            assert.deepEqual(
                grants.sort(),
                ["bigqueryJobs", "bucket:curated:readwrite", "bucket:raw:read", `dataset:${cfg.spark.compaction.targetTable.split(".")[0]}:edit`].sort(),
            );
        });

        it(`${stack}: the compaction validates as ScheduledSparkApplication, and its template as SparkApplication spec`, () => {
            const obj = compactionApplication({
                cfg,
                namespace: cfg.spark.jobNamespace,
                sourceUrl: "gs://x-curated",
                datasetId: "curated",
                identity: noIdentity,
            });
            const v = crdValidator(SCHEDULED, "v1beta2");
            assert.ok(v(obj), errorsOf(v));
            const app = crdValidator(APPLICATION, "v1beta2");
            const asApp = { apiVersion: "sparkoperator.k8s.io/v1beta2", kind: "SparkApplication", metadata: { name: "adhoc" }, spec: obj.spec.template };
            assert.ok(app(asApp), errorsOf(app));
            assert.equal(obj.spec.schedule, cfg.spark.compaction.schedule);
            assert.equal(obj.spec.concurrencyPolicy, "Forbid");
            assert.equal(obj.spec.template.image, cfg.spark.image);
            assert.equal(obj.spec.template.sparkVersion, IMAGES.spark.split(":")[1]);
        });

        it(`${stack}: the streaming run is spark-submit in client mode on the spark pool, with the Kafka client Secret mounted`, () => {
            const job = streamingJobSpec({
                cfg,
                namespace: cfg.spark.jobNamespace,
                kafka: kafkaMount,
                checkpointUrl: "gs://c/_checkpoints/s",
                sinkUrl: "gs://c/events",
                identity: noIdentity,
                templateConfigMap: "t",
            });
            const pod = job.template.spec;
            const c = pod.containers[0];
            assert.equal(pod.serviceAccountName, "spark-jobs");
            assert.equal(pod.restartPolicy, "Never");
            assert.deepEqual(pod.nodeSelector, poolScheduling("spark").nodeSelector);
            assert.deepEqual(pod.tolerations, poolScheduling("spark").tolerations);
            assert.equal(c.image, cfg.spark.image);
            assert.ok(c.args.includes("spark.submit.deployMode=client"));
            // The run sizes its executors from the backlog; spark-submit must not pin a count.
            assert.ok(!c.args.some((a: string) => a.startsWith("spark.executor.instances=")));
            assert.equal(c.args[c.args.length - cfg.spark.streaming.arguments.length - 1], cfg.spark.streaming.mainApplicationFile);
            assert.equal(c.resources.requests.memory, podMemory(cfg.spark.streaming.driver.memory));
            assert.deepEqual(pod.volumes.find((v: any) => v.name === "kafka-client").secret, { secretName: "spark-streaming-kafka" });
            const env = Object.fromEntries(c.env.filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value]));
            assert.equal(env.KAFKA_CERT_FILE, "/etc/kafka/client/user.crt");
            assert.equal(env.SHARDS, undefined, "no shards: one run, one sink path, one checkpoint");
            assert.deepEqual([env.CHECKPOINT_LOCATION, env.SINK_URL], ["gs://c/_checkpoints/s", "gs://c/events"]);
            // Batch sizing inputs: the run's deadline is the Job's, the executor bounds and rate come from config.
            assert.equal(job.activeDeadlineSeconds, cfg.spark.streaming.maxRunSeconds);
            assert.equal(env.RUN_DEADLINE_SECONDS, String(job.activeDeadlineSeconds));
            assert.equal(env.RECORDS_PER_CORE_SECOND, String(cfg.spark.streaming.recordsPerCoreSecond));
            assert.equal(env.EXECUTOR_CORES, String(cfg.spark.streaming.executor.cores));
            assert.equal(env.MIN_EXECUTORS, String(cfg.spark.streaming.executor.instances));
            assert.equal(env.MAX_EXECUTORS, String(cfg.autoscaling.streaming.maxExecutors));
            assert.equal(job.podReplacementPolicy, "Failed");
        });
    }

    it("Spark memory becomes a pod request with Spark's overhead", () => {
        assert.equal(podMemory("2g"), "2432Mi");
        assert.equal(podMemory("16g"), `${Math.ceil(16384 * 1.1)}Mi`);
        assert.equal(sparkVersion(), "4.0.4");
    });
});

describe("spark: shipped plans", () => {
    for (const stack of STACKS) {
        describe(stack, () => {
            it("every emitted SparkApplication / ScheduledSparkApplication validates against the served v1beta2 CRD", async () => {
                const plan = await shippedPlan(stack);
                const scheduled = ofType(plan, T.scheduled);
                assert.equal(scheduled.length, 1);
                for (const [type, file] of [
                    [T.scheduled, SCHEDULED],
                    [T.app, APPLICATION],
                ] as const) {
                    const v = crdValidator(file, "v1beta2");
                    for (const r of ofType(plan, type)) {
                        const i = inputsOf(r);
                        assert.ok(v(i), `${r.name}: ${errorsOf(v)}`);
                        // Structural schemas prune unknown fields silently: a misspelt field must fail here.
                        assert.deepEqual(prunedFields(servedSchema(file, "v1beta2"), i), [], r.name);
                    }
                }
                const tpl = inputsOf(scheduled[0]).spec.template;
                assert.deepEqual(tpl.driver.nodeSelector, poolScheduling("spark").nodeSelector);
                assert.equal(tpl.executor.serviceAccount, "spark-jobs");
                assert.match(tpl.arguments[1], plan.config.cloud === "gcp" ? /^gs:\/\// : /^s3a:\/\//);
                // The lake filesystem comes from the identity binder of the stack's cloud, not from the Spark layer.
                if (plan.config.cloud === "gcp") assert.equal(tpl.sparkConf["spark.hadoop.fs.gs.project.id"], plan.config.gcp.project);
                else assert.equal(tpl.sparkConf["spark.hadoop.fs.s3a.endpoint.region"], plan.config.aws.region);
                assert.equal(tpl.sparkConf["spark.datasource.bigquery.parentProject"], plan.config.warehouseProject);
                assert.equal(tpl.sparkConf["spark.datasource.bigquery.parentProject"], plan.config.warehouseProject);
            });

            it("the operator is a pinned kubeflow release watching only the job namespace", async () => {
                const plan = await shippedPlan(stack);
                const op = ofType(plan, T.release)
                    .map(inputsOf)
                    .find((i) => i.chart === "spark-operator");
                assert.ok(op);
                assert.equal(op.version, plan.config.charts.sparkOperator);
                assert.equal(op.repositoryOpts.repo, "https://kubeflow.github.io/spark-operator");
                assert.equal(op.namespace, plan.config.spark.operatorNamespace);
                assert.deepEqual(op.values.spark.jobNamespaces, [plan.config.spark.jobNamespace]);
            });

            it("the streaming run mounts the Kafka Secret the Kafka layer delivers to the job namespace", async () => {
                const plan = await shippedPlan(stack);
                const sj = inputsOf(ofType(plan, T.scaledJob)[0]);
                const pod = sj.spec.jobTargetRef.template.spec;
                const secret = pod.volumes.find((v: any) => v.name === "kafka-client").secret.secretName;
                const accesses = ofType(plan, "kubernetes:access.strimzi.io/v1alpha1:KafkaAccess").map(inputsOf);
                const delivered = accesses.filter((a) => a.metadata.namespace === plan.config.spark.jobNamespace).map((a) => a.metadata.name);
                assert.ok(delivered.includes(secret), `${secret} not among ${delivered.join(", ")}`);
            });
        });
    }
});
