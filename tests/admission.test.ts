import { strict as assert } from "assert";
import { describeViolations, podSecurityViolations, PodTemplate } from "../components/k8s/pod-security";
import { namespacePlan, PodSecurity } from "../components/k8s/namespaces";
import { podTemplatesOf } from "../policy/rules/pod-security";
import type { CapturedResource } from "../plan/capture";
import { inputsOf, ofType, shippedPlan, STACKS } from "./support/plans";
import { chartKeyOf, chartPods, mergedValues, ReleaseInput } from "./support/chart-pods";
import { chartDefaults, helmMerge } from "./support/helm";
import { CHARTS } from "../components/versions";

type Obj = Record<string, any>;
const RELEASE = "kubernetes:helm.sh/v3:Release";

interface NamedPod {
    name: string;
    namespace: string;
    pod: PodTemplate;
}

/** Every pod template the program itself writes: workloads, Spark applications, pod-template ConfigMaps. */
function programPods(resources: CapturedResource[]): NamedPod[] {
    return resources.flatMap((r) => {
        const inputs = inputsOf(r);
        return podTemplatesOf(r.type, inputs).map((pod, i) => ({
            name: `${r.type.split(":").pop()}/${r.name}#${i}`,
            namespace: inputs.metadata?.namespace,
            pod,
        }));
    });
}

const releasesOf = (resources: CapturedResource[]): ReleaseInput[] =>
    ofType({ resources }, RELEASE)
        .map(inputsOf)
        .map((i) => ({ name: i.name, chart: i.chart, namespace: i.namespace, values: i.values ?? {} }));

/**
 * Strimzi operands (brokers/controllers per node pool, entity operator, Kafka Exporter): the cluster operator builds
 * their pods with its Pod Security Provider; `restricted` (operator env STRIMZI_POD_SECURITY_PROVIDER_CLASS) gives
 * every container allowPrivilegeEscalation false, drop ALL, runAsNonRoot and RuntimeDefault seccomp
 * (strimzi-kafka-operator io.strimzi.plugin.security.profiles.impl.RestrictedPodSecurityProvider); the baseline provider sets
 * none. A resource's `template.*.securityContext` replaces what the provider would set.
 */
function strimziOperandPods(resources: CapturedResource[], releases: ReleaseInput[]): NamedPod[] {
    const strimzi = releases.find((r) => chartKeyOf(r.chart) === "strimzi");
    if (!strimzi) return [];
    const env: Obj[] = mergedValues("strimzi", strimzi.values).extraEnvs ?? [];
    const restricted = env.some((e) => e.name === "STRIMZI_POD_SECURITY_PROVIDER_CLASS" && e.value === "restricted");
    const provider = restricted
        ? { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } }
        : undefined;
    const operand = (name: string, ns: string, template: Obj | undefined, containers: [string, string][]): NamedPod => ({
        name,
        namespace: ns,
        pod: {
            spec: {
                securityContext: template?.pod?.securityContext,
                containers: containers.map(([c, key]) => ({ name: c, securityContext: template?.[key]?.securityContext ?? provider })),
                volumes: [
                    { name: "data", persistentVolumeClaim: {} },
                    { name: "certs", secret: {} },
                    { name: "config", configMap: {} },
                    { name: "tmp", emptyDir: {} },
                ],
            },
        },
    });
    const out: NamedPod[] = [];
    for (const k of ofType({ resources }, "kubernetes:kafka.strimzi.io/v1:Kafka").map(inputsOf)) {
        const ns = k.metadata.namespace;
        const pools = ofType({ resources }, "kubernetes:kafka.strimzi.io/v1:KafkaNodePool")
            .map(inputsOf)
            .filter((p) => p.metadata.namespace === ns);
        for (const pool of pools)
            out.push(operand(`kafka/${pool.metadata.name}`, ns, { ...k.spec.kafka.template, ...pool.spec.template }, [["kafka", "kafkaContainer"]]));
        if (k.spec.entityOperator)
            out.push(
                operand("entity-operator", ns, k.spec.entityOperator.template, [
                    ["topic-operator", "topicOperatorContainer"],
                    ["user-operator", "userOperatorContainer"],
                ]),
            );
        if (k.spec.kafkaExporter) out.push(operand("kafka-exporter", ns, k.spec.kafkaExporter.template, [["kafka-exporter", "container"]]));
    }
    return out;
}

/** The violations of each pod against the level its namespace enforces (namespaces the platform does not label: restricted). */
function refused(pods: readonly NamedPod[], levels: Record<string, PodSecurity>): string[] {
    return pods.flatMap((p) => {
        const v = podSecurityViolations(p.pod, levels[p.namespace] ?? "restricted");
        return v.length ? [`${p.name} in ${p.namespace} (${levels[p.namespace] ?? "restricted"}): ${describeViolations(v)}`] : [];
    });
}

/** Every `resources` map below a values tree, with its path. */
function resourceMaps(v: unknown, path = ""): [string, Obj][] {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return [];
    const o = v as Obj;
    return Object.entries(o).flatMap(([k, x]) =>
        k === "resources" && x && typeof x === "object" && !Array.isArray(x) && ("limits" in x || "requests" in x)
            ? [[`${path}${k}`, x as Obj] as [string, Obj]]
            : resourceMaps(x, `${path}${k}.`),
    );
}

describe("admission: Pod Security Standards on every pod, for every shipped stack", () => {
    for (const stack of STACKS) {
        describe(stack, () => {
            it("every pod spec the program writes meets its namespace's level", async () => {
                const plan = await shippedPlan(stack);
                const pods = programPods(plan.resources);
                const cfg = plan.config;
                // Consumers, the streaming ScaledJob, the compaction driver and executor, the executor pod template.
                assert.ok(pods.length >= cfg.autoscaling.deployments.consumers.length + 4, pods.map((p) => p.name).join(", "));
                assert.deepEqual(refused(pods, namespacePlan(cfg)), []);
            });

            it("every pod of every chart release meets its namespace's level (chart defaults merged with the program's values)", async () => {
                const plan = await shippedPlan(stack);
                const levels = namespacePlan(plan.config);
                const releases = releasesOf(plan.resources);
                // Every pinned chart is released (and chartKeyOf refuses a chart without a model).
                assert.deepEqual(new Set(releases.map((r) => chartKeyOf(r.chart))).size, Object.keys(CHARTS).length);
                const pods = releases.flatMap((r) => {
                    const ps = chartPods(r);
                    assert.ok(ps.length > 0, `${r.name}: no pods modelled`);
                    return ps;
                });
                // Every namespace a chart puts pods in is one the platform creates and labels.
                for (const p of pods) assert.ok(p.namespace in levels, `${p.name}: namespace ${p.namespace} is not a platform namespace`);
                assert.deepEqual(refused(pods, levels), []);
            });

            it("Strimzi's operand pods (brokers, entity operator, exporter) meet the Kafka namespace's level", async () => {
                const plan = await shippedPlan(stack);
                const pods = strimziOperandPods(plan.resources, releasesOf(plan.resources));
                assert.ok(pods.length >= 3);
                assert.deepEqual(refused(pods, namespacePlan(plan.config)), []);
            });

            it("memory-only limits stay memory-only after Helm merges the chart defaults", async () => {
                const plan = await shippedPlan(stack);
                for (const r of releasesOf(plan.resources)) {
                    const merged = mergedValues(chartKeyOf(r.chart), r.values);
                    for (const [path, res] of resourceMaps(r.values)) {
                        if (!res.limits || "cpu" in res.limits) continue;
                        const effective = path.split(".").reduce<any>((o, k) => o?.[k], merged);
                        assert.ok(
                            effective?.limits && !("cpu" in effective.limits),
                            `${r.name}: ${path} limits ${JSON.stringify(effective?.limits)} after merge`,
                        );
                        assert.equal(effective.limits.memory, res.limits.memory, `${r.name}: ${path}`);
                    }
                }
            });
        });
    }
});

describe("admission: Helm's merge of values over chart defaults", () => {
    it("maps merge key by key, lists and scalars replace, null deletes", () => {
        const d = { a: { x: 1, y: { z: 2 } }, l: [1, 2], s: "d", gone: { k: 1 } };
        assert.deepEqual(helmMerge(d, { a: { y: { w: 3 } }, l: [3], s: "v", gone: null, n: { m: null, o: 1 } }), {
            a: { x: 1, y: { z: 2, w: 3 } },
            l: [3],
            s: "v",
            n: { o: 1 },
        });
        // The defaults themselves are left alone.
        assert.deepEqual(d.gone, { k: 1 });
    });

    it("a memory-only limit without cpu: null keeps the chart's CPU limit (KEDA's operator)", () => {
        const keda = chartDefaults("keda");
        assert.ok(keda.resources.operator.limits.cpu !== undefined, "the chart sets a default CPU limit");
        assert.deepEqual(Object.keys(helmMerge(keda, { resources: { operator: { limits: { memory: "256Mi" } } } }).resources.operator.limits).sort(), [
            "cpu",
            "memory",
        ]);
        assert.deepEqual(helmMerge(keda, { resources: { operator: { limits: { memory: "256Mi", cpu: null } } } }).resources.operator.limits, {
            memory: "256Mi",
        });
    });
});

describe("admission: values reach Helm as the program writes them", () => {
    it("@pulumi/kubernetes passes inline nulls to Helm (pulumi/pulumi-kubernetes#4293, v4.30): cpu: null deletes the default", () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const pkg = require("../package.json") as { dependencies: Record<string, string> };
        const [major, minor] = pkg.dependencies["@pulumi/kubernetes"]
            .replace(/^[^\d]*/, "")
            .split(".")
            .map(Number);
        assert.ok(major > 4 || (major === 4 && minor >= 30), pkg.dependencies["@pulumi/kubernetes"]);
    });
});

describe("admission: the cases that were refused", () => {
    const release = async (chart: string) => {
        const plan = await shippedPlan("prod");
        const r = releasesOf(plan.resources).find((x) => chartKeyOf(x.chart) === chartKeyOf(chart));
        assert.ok(r, chart);
        return { r, levels: namespacePlan(plan.config) };
    };

    it("the Spark operator installs no CRD-upgrade hook Job: chart 2.5.x hard-codes a context restricted refuses", async () => {
        const { r, levels } = await release("spark-operator");
        const pods = chartPods(r);
        assert.ok(!pods.some((p) => p.name.endsWith("/spark-operator-hook")));
        // The hook as the chart renders it would be refused in the operator's restricted namespace.
        const hooked = chartPods({ ...r, values: { ...r.values, hook: { upgradeCrd: true } } }).find((p) => p.name.endsWith("/spark-operator-hook"))!;
        assert.deepEqual(
            podSecurityViolations(hooked.pod, levels[r.namespace])
                .map((v) => v.control)
                .sort(),
            ["Running as Non-root", "Seccomp"],
        );
    });

    it("VSO's controller, cleanup and CRD-upgrade pods drop ALL capabilities and use the runtime's seccomp profile", async () => {
        const { r, levels } = await release("vault-secrets-operator");
        assert.equal(levels[r.namespace], "restricted");
        const pods = chartPods(r);
        assert.deepEqual(pods.map((p) => p.name.split("/")[1]).sort(), ["controller-manager", "pre-delete-controller-cleanup", "upgrade-crds"]);
        for (const p of pods) assert.deepEqual(podSecurityViolations(p.pod, "restricted"), [], p.name);
    });

    it("node-exporter's host access is confined to a privileged namespace of its own; monitoring itself is restricted", async () => {
        const { r, levels } = await release("kube-prometheus-stack");
        const pods = chartPods(r);
        const ne = pods.find((p) => p.name.endsWith("/node-exporter"))!;
        assert.notEqual(ne.namespace, r.namespace);
        assert.equal(levels[ne.namespace], "privileged");
        assert.deepEqual(
            podSecurityViolations(ne.pod, "baseline")
                .map((v) => v.control)
                .sort(),
            ["Host Namespaces", "Host Ports", "HostPath Volumes"],
        );
        assert.equal(levels[r.namespace], "restricted");
        assert.ok(pods.filter((p) => p.namespace === r.namespace).length >= 5);
    });
});
