import { strict as assert } from "assert";
import { CHART_CONTAINERS, helmChartPinned, resourceRequests } from "../policy/rules/kubernetes";
import { CHARTS } from "../components/versions";
import { checkResource, NA, res } from "./policy-harness";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const req = { requests: { cpu: "100m", memory: "128Mi" } };

describe("policy helm-chart-version-pinned", () => {
    it("accepts an exact version, rejects ranges and missing versions", async () => {
        assert.deepEqual(await checkResource(helmChartPinned, res(RELEASE, { chart: "keda", version: "2.21.1" })), []);
        for (const version of ["^2.0.0", "2.x", undefined]) {
            const v = await checkResource(helmChartPinned, res(RELEASE, { chart: "keda", version }));
            assert.ok(v !== NA && v.length === 1, String(version));
        }
        assert.equal(await checkResource(helmChartPinned, res("kubernetes:core/v1:Namespace", {})), NA);
    });
});

describe("policy container-resource-requests", () => {
    it("knows the containers of every chart the platform pins", () => {
        for (const c of Object.values(CHARTS)) assert.ok(CHART_CONTAINERS[c.chart.split("/").pop()!], c.chart);
    });

    it("Deployment: every container and init container sets requests", async () => {
        const D = "kubernetes:apps/v1:Deployment";
        const spec = (c: object[]) => ({ spec: { selector: {}, template: { spec: { containers: c } } } });
        assert.deepEqual(await checkResource(resourceRequests, res(D, spec([{ name: "app", resources: req }]))), []);
        const v = await checkResource(
            resourceRequests,
            res(
                D,
                spec([
                    { name: "app", resources: req },
                    { name: "sidecar", resources: { limits: { cpu: "1" } } },
                ]),
            ),
        );
        assert.ok(v !== NA && v[0].includes("container sidecar") && !v[0].includes("container app"));
    });

    it("CronJob and KEDA ScaledJob pod templates", async () => {
        const cron = { spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: "c" }] } } } } } };
        const v = await checkResource(resourceRequests, res("kubernetes:batch/v1:CronJob", cron));
        assert.ok(v !== NA && v.length === 1);
        const sj = { spec: { jobTargetRef: { template: { spec: { containers: [{ name: "consumer", resources: req }] } } } } };
        assert.deepEqual(await checkResource(resourceRequests, res("kubernetes:keda.sh/v1alpha1:ScaledJob", sj)), []);
    });

    it("Helm releases: known chart components, conditional ones, unknown charts", async () => {
        const keda = { resources: { operator: req, metricServer: req, webhooks: req } };
        assert.deepEqual(await checkResource(resourceRequests, res(RELEASE, { chart: "keda", version: "2.21.1", values: keda })), []);
        assert.deepEqual(
            await checkResource(
                resourceRequests,
                res(RELEASE, { chart: "keda", values: { ...keda, resources: { operator: req, metricServer: req }, webhooks: { enabled: false } } }),
            ),
            [],
        );
        const v = await checkResource(resourceRequests, res(RELEASE, { chart: "keda", values: { resources: { operator: req } } }));
        assert.ok(v !== NA && v[0].includes("values.resources.metricServer.requests"));
        const oci = await checkResource(resourceRequests, res(RELEASE, { chart: "oci://quay.io/strimzi-helm/strimzi-access-operator", values: {} }));
        assert.ok(oci !== NA && oci[0].includes("values.resources.requests"));
        assert.deepEqual(await checkResource(resourceRequests, res(RELEASE, { chart: "other", values: { server: { resources: req } } })), []);
        const unknown = await checkResource(resourceRequests, res(RELEASE, { chart: "other", values: {} }));
        assert.ok(unknown !== NA && unknown.length === 1);
    });

    it("Airflow: components follow executor and version", async () => {
        const base = {
            executor: "KubernetesExecutor",
            scheduler: { resources: req },
            triggerer: { resources: req },
            dagProcessor: { resources: req },
            apiServer: { resources: req },
            workers: { resources: req },
            statsd: { resources: req },
            migrateDatabaseJob: { resources: req },
        };
        assert.deepEqual(await checkResource(resourceRequests, res(RELEASE, { chart: "airflow", values: base })), []);
        const v = await checkResource(resourceRequests, res(RELEASE, { chart: "airflow", values: { ...base, executor: "CeleryExecutor" } }));
        assert.ok(v !== NA && v.length === 1 && v[0].includes("redis"));
    });

    it("Strimzi and Spark custom resources", async () => {
        const pool = await checkResource(resourceRequests, res("kubernetes:kafka.strimzi.io/v1:KafkaNodePool", { spec: { replicas: 3 } }));
        assert.ok(pool !== NA && pool[0].includes("spec.resources.requests"));
        const kafka = { spec: { kafka: {}, entityOperator: { topicOperator: { resources: req }, userOperator: {} } } };
        const k = await checkResource(resourceRequests, res("kubernetes:kafka.strimzi.io/v1:Kafka", kafka));
        assert.ok(k !== NA && k.length === 1 && k[0].includes("userOperator") && !k[0].includes("topicOperator"));
        const spark = { spec: { driver: { cores: 1, memory: "2g" }, executor: { instances: 2, cores: 2, memory: "4g" } } };
        assert.deepEqual(await checkResource(resourceRequests, res("kubernetes:sparkoperator.k8s.io/v1beta2:SparkApplication", spark)), []);
        const noExec = await checkResource(
            resourceRequests,
            res("kubernetes:sparkoperator.k8s.io/v1beta2:ScheduledSparkApplication", { spec: { template: { driver: spark.spec.driver } } }),
        );
        assert.ok(noExec !== NA && noExec[0].includes("executor"));
        assert.equal(await checkResource(resourceRequests, res("kubernetes:core/v1:ConfigMap", {})), NA);
    });
});
