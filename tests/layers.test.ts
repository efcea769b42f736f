import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { Provider } from "@pulumi/kubernetes/provider";
import type { ServiceAccount } from "@pulumi/kubernetes/core/v1";
import type { IdentityBinder, KubernetesLayerArgs, ManagedDatabase } from "../components/interfaces";
import type { KafkaClientAccess, KafkaPlatform } from "../components/contracts/kafka-client";
import { Namespaces } from "../components/k8s/namespaces";
import type { ChartRelease } from "../components/k8s/releases";
import { KafkaLayer } from "../components/kafka/layer";
import { Keda } from "../components/keda/operator";
import { LagAutoscaling } from "../components/keda/autoscaling";
import { SparkJobs } from "../components/spark/jobs";
import { Airflow } from "../components/airflow/airflow";
import { VaultLayer } from "../components/vault/layer";
import { Monitoring } from "../components/monitoring/monitoring";
import type { CapturedResource } from "../plan/capture";
import { underMocks } from "./support/plans";
import { stackConfig } from "./support/config";
import { fakeBucket, fakeDataset } from "./support/refs";

/**
 * Each Kubernetes layer built from its own args alone: no stack, no wiring, no other layer. The args below are
 * written by hand (config sections are taken from a shipped stack only where a layer owns that section), and the
 * cross-layer facts are deliberately unlike any stack's, so every assertion shows the layer uses what it is given.
 */
describe("layers: built from narrow args alone", () => {
    let resources: CapturedResource[] = [];
    const of = (type: string, urnPart: string) => resources.filter((r) => r.type === type && r.urn.includes(urnPart));
    const inputs = (r: CapturedResource) => r.inputs as Record<string, any>;

    before(async () => {
        const own = stackConfig("staging"); // only for the sections a layer owns
        resources = await underMocks("staging", () => {
            const provider = new Provider("k8s", { kubeconfig: "apiVersion: v1\nkind: Config\nclusters: []\n" });
            const users = own.kafka.users.flatMap((u) => u.namespaces);
            const plan = Object.fromEntries(
                ["kafka", "keda", "vault-secrets-operator", "ns-jobs", "ns-sinks", "ns-airflow", "ns-mon", "node-exporter", "ns-team", ...users].map((n) => [
                    n,
                    "baseline" as const,
                ]),
            );
            const namespaces = new Namespaces("namespaces", { plan, provider });
            const identity: IdentityBinder = {
                bind: (_name, a) => ({
                    namespace: pulumi.output(a.namespace),
                    serviceAccountName: a.serviceAccountName,
                    serviceAccount: {} as ServiceAccount,
                    ready: [],
                    principal: pulumi.output(`principal:${a.serviceAccountName}`),
                    podEnv: [],
                    podVolumes: [],
                    podVolumeMounts: [],
                    sparkConf: {},
                }),
            };
            const k8s: KubernetesLayerArgs = { provider, storageClassName: "sc-given", identity, namespaces };
            const release: ChartRelease = { version: "9.9.9", skipAwait: true, timeout: 42 };

            new KafkaLayer("kafka", {
                // The lag reader in no namespace of its own: a copy exists only where the args ask for one.
                ...k8s,
                kafka: { ...own.kafka, users: own.kafka.users.map((u) => (u.role === "monitor" ? { ...u, namespaces: [] } : u)) },
                environment: "staging",
                releases: { strimzi: release, strimziAccess: release, reloader: release },
                extraAccess: [{ user: own.autoscaling.kafkaUser, namespace: "ns-team" }],
            });

            const access = (user: string, namespace: string): KafkaClientAccess => ({
                user,
                namespace,
                secretName: pulumi.output(`cred-${user}`),
                bootstrapServers: "broker:1",
                authentication: "tls",
                keys: { ca: "ca", cert: "crt", key: "key" },
            });
            const kafka: KafkaPlatform = {
                clusterName: "c",
                namespace: "kafka",
                bootstrapServers: "broker:1",
                access,
                secretName: (u) => `cred-${u}`,
                ready: [],
            };

            const keda = new Keda("keda", { ...k8s, environment: "staging", release, lagReaderSecret: "given-lag-secret" });
            const consumer = { ...own.autoscaling.deployments.consumers[0], namespace: "ns-sinks", kafkaUser: "sink-user" };
            new LagAutoscaling("autoscaling", {
                ...k8s,
                kafka,
                keda: keda.release,
                lagReader: "reader",
                triggers: { autoscaling: own.autoscaling, kafka: { version: "4.2.0" } },
                consumers: [{ deployment: consumer, group: "g-sink", topics: ["t1"] }],
                archive: fakeBucket("given-archive"),
                streaming: { namespace: "ns-jobs", job: {}, source: { group: "g", topics: ["t1"], bootstrapServers: "broker:1" }, dependsOn: [] },
            });

            new SparkJobs("spark", {
                ...k8s,
                kafka,
                operator: keda.release,
                settings: { spark: { ...own.spark, jobNamespace: "ns-jobs" }, warehouseProject: "wh-given", autoscaling: { streaming: { maxExecutors: 7 } } },
                data: { curated: fakeBucket("given-curated"), target: fakeDataset("given_ds") },
                streamingUser: { name: "streamer", group: "g-stream", topics: ["t1", "t2"] },
            });

            const database: ManagedDatabase = {
                host: pulumi.output("db"),
                port: 5432,
                database: "airflow",
                username: "airflow",
                password: pulumi.secret("pw"),
                resource: keda.release,
            };
            new Airflow("airflow", {
                ...k8s,
                release,
                database,
                sparkJobNamespace: "ns-jobs",
                settings: { airflow: { ...own.airflow, namespace: "ns-airflow" }, environment: "staging", vault: own.vault },
                // The release waits for the logs bucket: a registered resource stands in for it.
                data: { logs: { ...fakeBucket("given-logs"), resource: keda.release }, datasets: [fakeDataset("given_ds")] },
                secrets: { keys: "s-keys", connections: "s-conn", oidc: "s-oidc", git: "s-git" },
            });

            new VaultLayer("vault", {
                ...k8s,
                release,
                settings: { vault: own.vault, vaultToken: undefined, stack: "given-stack" },
                apps: [{ name: "team", namespace: "ns-team", serviceAccount: "team-sa", ownAccount: true }],
                secrets: [],
                clusterEndpoint: "https://k8s",
                clusterCaCertificate: "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n",
                apiAudience: "aud",
            });

            new Monitoring("monitoring", {
                ...k8s,
                release,
                platform: {
                    monitoring: { ...own.monitoring, namespace: "ns-mon" },
                    kafka: { namespace: "kafka", clusterName: "given-cluster", brokers: 5, minInsyncReplicas: 2 },
                    spark: { operatorNamespace: "ns-jobs", jobNamespace: "ns-jobs" },
                    airflow: { namespace: "ns-airflow" },
                    autoscaling: { lagThreshold: 123 },
                },
                secrets: { grafanaAdmin: "g-admin", alertmanagerReceivers: "am-recv" },
                secretsReady: [],
            });
        });
    });

    it("Kafka: credentials copies go exactly where the args ask; charts and storage from the args", () => {
        const accesses = of("kubernetes:access.strimzi.io/v1alpha1:KafkaAccess", "dataplatform:kafka:").map(inputs);
        assert.ok(
            accesses.some((a) => a.metadata.namespace === "ns-team"),
            "the extra access target",
        );
        assert.ok(!accesses.some((a) => a.metadata.namespace === "keda"), "no KEDA copy unless asked for");
        const strimzi = of("kubernetes:helm.sh/v3:Release", "dataplatform:kafka:")
            .map(inputs)
            .find((r) => r.name === "strimzi")!;
        assert.deepEqual([strimzi.version, strimzi.skipAwait, strimzi.timeout], ["9.9.9", true, 42]);
        for (const p of of("kubernetes:kafka.strimzi.io/v1:KafkaNodePool", "dataplatform:kafka:").map(inputs)) {
            for (const v of p.spec.storage.volumes) assert.equal(v.class, "sc-given");
        }
    });

    it("KEDA: the operator reloads on the given Secret; sinks write under the given archive bucket", () => {
        const release = of("kubernetes:helm.sh/v3:Release", "dataplatform:keda:Keda").map(inputs)[0];
        assert.deepEqual(release.values.podAnnotations.keda, { "secret.reloader.stakater.com/reload": "given-lag-secret" });
        const dep = of("kubernetes:apps/v1:Deployment", "dataplatform:keda:LagAutoscaling").map(inputs)[0];
        assert.equal(dep.metadata.namespace, "ns-sinks");
        const env = Object.fromEntries(dep.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
        assert.equal(env.SINK_URL, "gs://given-archive/kafka/sink-user/");
        assert.equal(env.KAFKA_GROUP, "g-sink");
        const so = of("kubernetes:keda.sh/v1alpha1:ScaledObject", "dataplatform:keda:LagAutoscaling").map(inputs)[0];
        assert.deepEqual(
            so.spec.triggers.map((t: any) => t.metadata.version),
            ["4.2.0"],
        );
    });

    it("Spark: the compaction reads what the streaming run writes in the given curated bucket, into the given dataset", () => {
        const app = of("kubernetes:sparkoperator.k8s.io/v1beta2:ScheduledSparkApplication", "dataplatform:spark:SparkJobs").map(inputs)[0];
        const args: string[] = app.spec.template.arguments;
        assert.equal(args[args.indexOf("--source") + 1], "gs://given-curated/events");
        assert.match(args[args.indexOf("--table") + 1], /^wh-given\.given_ds\./);
    });

    it("Airflow: chart values use the Secret names and logs bucket it is given", () => {
        const values = of("kubernetes:helm.sh/v3:Release", "dataplatform:airflow:Airflow").map(inputs)[0].values;
        assert.equal(values.fernetKeySecretName, "s-keys");
        assert.deepEqual(JSON.parse(values.extraEnvFrom), [{ secretRef: { name: "s-conn", optional: true } }]);
        assert.equal(values.apiServer.extraVolumes[0].secret.secretName, "s-oidc");
        const logs = values.env.find((e: any) => e.name === "AIRFLOW__LOGGING__REMOTE_BASE_LOG_FOLDER").value;
        assert.equal(logs, "gs://given-logs/airflow/logs");
        const role = of("kubernetes:rbac.authorization.k8s.io/v1:Role", "dataplatform:airflow:Airflow").map(inputs)[0];
        assert.equal(role.metadata.namespace, "ns-jobs");
    });

    it("Vault: one role and policy per given app, named after the given stack", () => {
        const roles = of("vault:kubernetes/authBackendRole:AuthBackendRole", "dataplatform:vault:").map(inputs);
        assert.deepEqual(
            roles.map((r) => [r.roleName, r.boundServiceAccountNamespaces, r.boundServiceAccountNames]),
            [["team", ["ns-team"], ["team-sa"]]],
        );
        assert.deepEqual(
            of("vault:index/policy:Policy", "dataplatform:vault:").map((p) => inputs(p).name),
            ["dataplatform-given-stack-team"],
        );
        assert.equal(of("kubernetes:secrets.hashicorp.com/v1beta1:VaultStaticSecret", "dataplatform:vault:").length, 0);
    });

    it("Monitoring: scrape targets, alerts and Grafana follow the monitored platform it is given", () => {
        const monitors = of("kubernetes:monitoring.coreos.com/v1:PodMonitor", "dataplatform:monitoring:").map(inputs);
        const exporter = monitors.find((m) => m.metadata.name === "kafka-exporter")!;
        assert.deepEqual(exporter.spec.selector.matchLabels, { "strimzi.io/name": "given-cluster-kafka-exporter" });
        const rules = JSON.stringify(of("kubernetes:monitoring.coreos.com/v1:PrometheusRule", "dataplatform:monitoring:").map(inputs));
        assert.match(rules, /< 5\b/, "the broker count it is given");
        const kps = of("kubernetes:helm.sh/v3:Release", "dataplatform:monitoring:").map(inputs)[0];
        assert.equal(kps.values.grafana.admin.existingSecret, "g-admin");
        assert.equal(kps.namespace, "ns-mon");
    });
});
