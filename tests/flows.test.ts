import { strict as assert } from "assert";
import type { PlatformConfig } from "../components/config";
import type { ClusterNetwork } from "../components/interfaces";
import { clusterNetworkOf } from "../components/cluster-network";
import {
    Flow,
    FLOW_POLICY_LABEL,
    FlowEnd,
    flowTable,
    networkPolicies,
    platformNetworkPolicies,
    platformWorkloads,
    sinkWorkloads,
    Workload,
} from "../components/k8s/flows";
import { kafkaWorkloads } from "../components/kafka/network-policy";
import { namespacePlan } from "../components/k8s/namespaces";
import { Endpoint, evaluate, inCidr, NetworkPolicy, Pod, Protocol } from "../components/k8s/netpol-eval";
import { airflowValues } from "../components/airflow/specs";
import { KPS_RELEASE } from "../components/k8s/releases";
import { AIRFLOW_SECRET_NAMES } from "../components/vault/vso";
import { chartDefaults, helmMerge } from "./support/helm";
import { expectProblem, stackConfig } from "./support/config";
import { inputsOf, ofType, shippedPlan, STACKS, variantPlan } from "./support/plans";
import type { Plan } from "../plan/run";
import { scrapeTargets } from "../components/monitoring/podmonitors";
import { matchesSelector } from "../components/k8s/netpol-eval";
import { WEBHOOK_PORTS } from "../components/gcp/network";

const NP = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
/** A value at a dotted path. */
const at = (obj: unknown, dotted: string): any => dotted.split(".").reduce<any>((o, k) => (o === undefined || o === null ? undefined : o[k]), obj);
const NS = "kubernetes:core/v1:Namespace";
const RELEASE = "kubernetes:helm.sh/v3:Release";
/** An address outside every cluster range and every configured CIDR (TEST-NET-2). */
const INTERNET = "198.51.100.7";

/** Concrete pods for the table's workloads, with addresses from the cloud's pod range. */
class World {
    private next = 10;
    private readonly podRange: string;
    readonly pods = new Map<string, Pod>();
    constructor(
        readonly cfg: PlatformConfig,
        readonly net: ClusterNetwork,
    ) {
        this.podRange = cfg.network.podsCidr ?? cfg.network.nodeCidr;
    }
    private ip(): string {
        const [base] = this.podRange.split("/");
        const o = base.split(".").map(Number);
        const n = this.next++;
        return `${o[0]}.${o[1]}.${o[2] + Math.floor(n / 250)}.${(n % 250) + 1}`;
    }
    /** A pod of a workload, with the chart's labels plus the ones every controller adds. */
    pod(wl: Workload): Pod {
        let p = this.pods.get(`${wl.namespace}/${wl.id}`);
        if (!p) {
            const labels = { ...(wl.labels ?? wl.selector.matchLabels ?? {}), "pod-template-hash": "5d9c7b8f4" };
            p = { namespace: wl.namespace, labels, ip: this.ip(), ports: [...wl.ports] };
            this.pods.set(`${wl.namespace}/${wl.id}`, p);
        }
        return p;
    }
    /** Any pod of a namespace (a client's own Deployment). */
    anyPod(namespace: string, labels: Record<string, string> = { app: "some-client" }): Pod {
        return { namespace, labels, ip: this.ip(), ports: [] };
    }
    /** One endpoint standing for a flow end: a pod, or an address inside the end's CIDRs and outside its exceptions. */
    endpoint(end: FlowEnd): Endpoint {
        if (end.kind === "pods") return { pod: this.pod(end.workload) };
        if (end.kind === "namespace") return { pod: this.anyPod(end.namespace) };
        const cidr = end.cidrs[0];
        if (cidr === "0.0.0.0/0") return { ip: INTERNET };
        const [base, bits] = cidr.split("/");
        const o = base.split(".").map(Number);
        const ip = Number(bits) >= 31 ? base : `${o[0]}.${o[1]}.${o[2]}.${o[3] + 2}`;
        assert.ok(inCidr(ip, cidr) && !(end.except ?? []).some((e) => inCidr(ip, e)), `${ip} must stand for ${end.name}`);
        return { ip };
    }
}

/** Connections of a flow that the policies deny (empty: the flow works). */
function deniedConnections(world: World, policies: readonly NetworkPolicy[], nsLabels: Record<string, Record<string, string>>, f: Flow): string[] {
    const from = world.endpoint(f.from);
    const to = world.endpoint(f.to);
    return f.ports
        .filter((p) => !evaluate(policies, nsLabels, { from, to, port: p.port, protocol: p.protocol }).allowed)
        .map((p) => `${f.id}: ${p.port}/${p.protocol}`);
}

function planPolicies(plan: Plan): NetworkPolicy[] {
    return ofType(plan, NP)
        .map(inputsOf)
        .map((r) => ({ namespace: r.metadata.namespace, name: r.metadata.name, spec: r.spec }));
}

function planNamespaces(plan: Plan): Record<string, Record<string, string>> {
    return Object.fromEntries(
        ofType(plan, NS)
            .map(inputsOf)
            .map((r) => [r.metadata.name, r.metadata.labels ?? {}]),
    );
}

/** Connections that must stay closed, whatever else the table says. */
function forbidden(cfg: PlatformConfig, world: World): { what: string; from: Endpoint; to: Endpoint; port: number | string; protocol?: Protocol }[] {
    const w = platformWorkloads(cfg);
    const k = kafkaWorkloads(cfg);
    const brokers = { pod: world.pod(k.brokers) };
    const controllers = { pod: world.pod(k.controllers) };
    const clients: [string, Endpoint][] = [
        ...cfg.kafka.clientNamespaces.map((ns): [string, Endpoint] => [`a pod in ${ns}`, { pod: world.anyPod(ns) }]),
        ["KEDA's lag reader", { pod: world.pod(w.kedaOperator) }],
        ["a Spark executor", { pod: world.pod(w.sparkExecutor) }],
        ["an Airflow task pod", { pod: world.pod(w.airflowWorker) }],
        ...sinkWorkloads(cfg).map((s): [string, Endpoint] => [s.app, { pod: world.pod(s) }]),
    ];
    const defaultPod = { pod: world.anyPod("default", { run: "curl" }) };
    return [
        { what: "a pod in default to the Kafka client listener", from: defaultPod, to: brokers, port: "tcp-clientstls" },
        { what: "a pod in default to the Kafka client listener by number", from: defaultPod, to: brokers, port: 9093 },
        { what: "a pod in default to Prometheus", from: defaultPod, to: { pod: world.pod(w.prometheus) }, port: 9090 },
        {
            what: "a Spark executor to the Airflow API server",
            from: { pod: world.pod(w.sparkExecutor) },
            to: { pod: world.pod(w.airflowApi) },
            port: "api-server",
        },
        { what: "a Spark driver to the Airflow API server", from: { pod: world.pod(w.sparkDriver) }, to: { pod: world.pod(w.airflowApi) }, port: 8080 },
        ...clients.flatMap(([name, from]) => [
            { what: `${name} to the Kafka replication port`, from, to: brokers, port: 9091 },
            { what: `${name} to the Kafka agent`, from, to: brokers, port: 8443 },
            { what: `${name} to the KRaft controller port`, from, to: controllers, port: 9090 },
        ]),
        { what: "the internet to Grafana", from: { ip: INTERNET }, to: { pod: world.pod(w.grafana) }, port: "grafana" },
        { what: "the internet to the Airflow UI", from: { ip: INTERNET }, to: { pod: world.pod(w.airflowApi) }, port: "api-server" },
        { what: "a pod in default to Grafana", from: defaultPod, to: { pod: world.pod(w.grafana) }, port: 3000 },
        { what: "Prometheus to the internet", from: { pod: world.pod(w.prometheus) }, to: { ip: INTERNET }, port: 443 },
        { what: "a Kafka broker to the internet", from: brokers, to: { ip: INTERNET }, port: 443 },
        { what: "a Spark executor to the metadata database port outside", from: { pod: world.pod(w.sparkExecutor) }, to: { ip: INTERNET }, port: 5432 },
        {
            what: "an Airflow task pod to the Spark driver",
            from: { pod: world.pod(w.airflowWorker) },
            to: { pod: world.pod(w.sparkDriver) },
            port: "driver-rpc-port",
        },
    ];
}

describe("network flows: the table", () => {
    const cfg = stackConfig("staging");
    const flows = flowTable(cfg, clusterNetworkOf(cfg));

    it("every flow has a unique id and a reason; ports towards addresses are numbers; named ports exist on the destination", () => {
        assert.deepEqual(
            flows.map((f) => f.id).filter((id, i, all) => all.indexOf(id) !== i),
            [],
        );
        for (const f of flows) {
            assert.ok(f.why.length > 10, f.id);
            for (const p of f.ports) {
                if (typeof p.port === "string") {
                    assert.equal(f.to.kind, "pods", `${f.id}: a named port needs destination pods`);
                    if (f.to.kind === "pods")
                        assert.ok(
                            f.to.workload.ports.some((c) => c.name === p.port && (c.protocol ?? "TCP") === p.protocol),
                            `${f.id}: ${p.port}/${p.protocol} on ${f.to.workload.id}`,
                        );
                }
            }
        }
    });

    it("covers what the platform needs: clients, quorum, scrapes, execution API, Spark, webhooks, API server, DNS, alerting", () => {
        const ids = new Set(flows.map((f) => f.id));
        const want = [
            ...cfg.kafka.clientNamespaces.map((ns) => `kafka-client-${ns}`),
            "kafka-lag-reader",
            "kafka-replication",
            "kafka-broker-quorum",
            "kafka-controller-quorum",
            "scrape-kafka-brokers",
            "scrape-kafka-exporter",
            "scrape-entity-operator",
            "scrape-keda-operator",
            "scrape-spark-operator",
            "scrape-airflow-statsd",
            "scrape-kube-state-metrics",
            "scrape-nodes",
            "airflow-execution-api-airflow-worker",
            "airflow-execution-api-airflow-triggerer",
            "airflow-execution-api-airflow-dag-processor",
            "spark-executor-driver",
            "spark-executor-stream-driver",
            "spark-shuffle",
            "webhook-spark-operator",
            "webhook-keda-admission",
            "apiservice-keda-metrics",
            "webhook-prometheus-operator",
            "grafana-prometheus",
            "prometheus-alertmanager",
            "alertmanager-receivers",
            "vso-vault",
            "airflow-vault",
            "airflow-git",
            "airflow-metadata-db",
            ...[
                "strimzi-cluster-operator",
                "entity-operator",
                "strimzi-access-operator",
                "reloader",
                "keda-operator",
                "vault-secrets-operator",
                "spark-operator-controller",
                "prometheus-operator",
                "airflow-scheduler",
                "spark-driver",
                "stream-events-driver",
            ].map((w) => `api-${w}`),
            ...Object.keys(namespacePlan(cfg)).map((ns) => `dns-${ns}`),
        ];
        assert.deepEqual(
            want.filter((id) => !ids.has(id)),
            [],
        );
    });

    it("Prometheus has a flow to the pods of every PodMonitor/ServiceMonitor the program creates, on the monitored port", () => {
        const all: Workload[] = [...Object.values(platformWorkloads(cfg)), ...Object.values(kafkaWorkloads(cfg)), ...sinkWorkloads(cfg)];
        const prometheus = platformWorkloads(cfg).prometheus;
        const missing: string[] = [];
        for (const t of scrapeTargets(cfg)) {
            const ns: string = t.spec.namespaceSelector.matchNames[0];
            const targets = all.filter((wl) => wl.namespace === ns && matchesSelector(t.spec.selector, wl.labels ?? wl.selector.matchLabels ?? {}));
            assert.ok(targets.length > 0, `${t.name}: no workload in the table matches its selector`);
            const ports: string[] = (t.spec.podMetricsEndpoints ?? t.spec.endpoints).map((e: { port: string }) => e.port);
            for (const wl of targets) {
                for (const port of ports.filter((p) => wl.ports.some((c) => c.name === p))) {
                    const ok = flows.some(
                        (f) =>
                            f.from.kind === "pods" &&
                            f.from.workload.id === prometheus.id &&
                            f.to.kind === "pods" &&
                            f.to.workload.id === wl.id &&
                            f.ports.some((p) => p.port === port),
                    );
                    if (!ok) missing.push(`${t.name} → ${wl.id}:${port}`);
                }
            }
        }
        assert.deepEqual(missing, []);
    });

    it("on GKE, every port the control plane calls is open in the control-plane firewall rule", () => {
        const fromControlPlane = flows.filter((f) => f.from.kind === "addresses" && f.from.name === "control plane");
        assert.ok(fromControlPlane.length >= 4);
        for (const f of fromControlPlane) {
            for (const p of f.ports) {
                const n =
                    typeof p.port === "number" ? p.port : f.to.kind === "pods" ? f.to.workload.ports.find((c) => c.name === p.port)?.containerPort : undefined;
                assert.ok((WEBHOOK_PORTS as readonly string[]).includes(String(n)), `${f.id}: ${p.port} (${n})`);
            }
        }
    });

    it("the UIs are reachable from outside only when network.uiAllowedCidrs lists ranges", () => {
        assert.ok(!flows.some((f) => f.id.startsWith("ui-")));
        const open = stackConfig("staging", (raw) => {
            raw.network.uiAllowedCidrs = { grafana: ["192.0.2.0/24"] };
        });
        const ui = flowTable(open, clusterNetworkOf(open)).filter((f) => f.id.startsWith("ui-"));
        assert.deepEqual(
            ui.map((f) => [f.id, f.from.kind === "addresses" ? f.from.cidrs : []]),
            [["ui-grafana", ["192.0.2.0/24"]]],
        );
        expectProblem(
            "staging",
            (raw) => {
                raw.network.uiAllowedCidrs = { airflow: ["0.0.0.0/0"] };
            },
            "dataplatform:network.uiAllowedCidrs.airflow[0]",
            /opens the airflow UI to the internet/,
        );
        expectProblem(
            "aws-prod",
            (raw) => {
                raw.network.uiAllowedCidrs = { grafana: ["10.0.0.0/33"] };
            },
            "dataplatform:network.uiAllowedCidrs.grafana[0]",
            /IPv4 CIDR/,
        );
    });
});

describe("network flows: shipped plans", () => {
    for (const stack of STACKS) {
        describe(stack, () => {
            it("every namespace the program creates has a default deny for ingress and egress, and every policy comes from the table", async () => {
                const plan = await shippedPlan(stack);
                const policies = planPolicies(plan);
                for (const ns of Object.keys(planNamespaces(plan))) {
                    assert.ok(
                        policies.some(
                            (p) =>
                                p.namespace === ns &&
                                Object.keys(p.spec.podSelector).length === 0 &&
                                JSON.stringify(p.spec.policyTypes) === JSON.stringify(["Ingress", "Egress"]) &&
                                !p.spec.ingress?.length &&
                                !p.spec.egress?.length,
                        ),
                        `default deny in ${ns}`,
                    );
                }
                assert.deepEqual(Object.keys(planNamespaces(plan)).sort(), Object.keys(namespacePlan(plan.config)).sort());
                for (const r of ofType(plan, NP)) assert.equal(inputsOf(r).metadata.labels?.[FLOW_POLICY_LABEL], "true", r.name);
                const expected = platformNetworkPolicies(plan.config, clusterNetworkOf(plan.config));
                const key = (p: NetworkPolicy) => `${p.namespace}/${p.name}`;
                assert.deepEqual(policies.map(key).sort(), expected.map(key).sort());
                const byKey = new Map(expected.map((p) => [key(p), p.spec]));
                for (const p of policies) assert.deepEqual(p.spec, byKey.get(key(p)), key(p));
            });

            it("every declared flow is allowed by the plan's policies, in both directions", async () => {
                const plan = await shippedPlan(stack);
                const net = clusterNetworkOf(plan.config);
                const world = new World(plan.config, net);
                const denied = flowTable(plan.config, net).flatMap((f) => deniedConnections(world, planPolicies(plan), planNamespaces(plan), f));
                assert.deepEqual(denied, []);
            });

            it("forbidden flows are denied", async () => {
                const plan = await shippedPlan(stack);
                const world = new World(plan.config, clusterNetworkOf(plan.config));
                const open = forbidden(plan.config, world)
                    .filter((c) => evaluate(planPolicies(plan), planNamespaces(plan), c).allowed)
                    .map((c) => c.what);
                assert.deepEqual(open, []);
            });

            it("charts render no NetworkPolicy of their own (switched off in the values the plan passes)", async () => {
                const plan = await shippedPlan(stack);
                const releases = Object.fromEntries(
                    ofType(plan, RELEASE)
                        .map(inputsOf)
                        .map((r) => [r.name, r.values ?? {}]),
                );
                // [release, chart folder under ../shared/charts, dotted switches that render a NetworkPolicy when true]
                const switches: [string, string, string[]][] = [
                    ["airflow", "airflow", ["networkPolicies.enabled"]],
                    ["keda", "keda", ["networkPolicy.enabled"]],
                    ["reloader", "reloader", ["reloader.netpol.enabled"]],
                    [
                        KPS_RELEASE,
                        "kube-prometheus-stack",
                        ["alertmanager.networkPolicy.enabled", "prometheusOperator.networkPolicy.enabled", "prometheus.networkPolicy.enabled"],
                    ],
                    ["strimzi", "strimzi-kafka-operator", ["operatorNetworkPolicy.enabled"]],
                ];
                for (const [release, chart, keys] of switches) {
                    const merged = helmMerge(chartDefaults(chart), releases[release]);
                    for (const k of keys) assert.notEqual(at(merged, k), true, `${release}: ${k}`);
                }
                for (const [sub, key] of [
                    ["grafana", "networkPolicy.enabled"],
                    ["kube-state-metrics", "networkPolicy.enabled"],
                    ["prometheus-node-exporter", "networkPolicy.enabled"],
                ]) {
                    const merged = helmMerge(chartDefaults(`kube-prometheus-stack/charts/${sub}`), releases[KPS_RELEASE][sub]);
                    assert.notEqual(at(merged, key), true, `${sub}: ${key}`);
                }
                // Strimzi's operator-generated policies: the chart sets STRIMZI_NETWORK_POLICY_GENERATION from this value
                // (templates/060-Deployment-strimzi-cluster-operator.yaml); its default is true.
                assert.equal(chartDefaults("strimzi-kafka-operator").generateNetworkPolicy, true);
                assert.equal(releases.strimzi.generateNetworkPolicy, false);
            });
        });
    }

    it("removing a required flow from the table makes the check fail", async () => {
        const plan = await shippedPlan("staging");
        const net = clusterNetworkOf(plan.config);
        const flows = flowTable(plan.config, net);
        const nsLabels = planNamespaces(plan);
        for (const id of [
            "airflow-execution-api-airflow-worker",
            "scrape-airflow-statsd",
            "scrape-entity-operator",
            "kafka-client-spark-jobs",
            "webhook-spark-operator",
            "dns-airflow",
            "api-spark-driver",
        ]) {
            const without = flows.filter((f) => f.id !== id);
            assert.equal(without.length, flows.length - 1, id);
            const policies = networkPolicies(without, Object.keys(namespacePlan(plan.config)));
            const world = new World(plan.config, net);
            assert.notDeepEqual(
                deniedConnections(
                    world,
                    policies,
                    nsLabels,
                    flows.find((f) => f.id === id)!,
                ),
                [],
                `${id} still allowed without its flow`,
            );
            // …while every other flow stays allowed.
            assert.deepEqual(
                without.flatMap((f) => deniedConnections(world, policies, nsLabels, f)),
                [],
                `removing ${id}`,
            );
        }
    });

    it("a UI range in config opens Grafana to that range only", async () => {
        const plan = await variantPlan("staging", (c) => {
            c["dataplatform:network"] = { ...c["dataplatform:network"], uiAllowedCidrs: { grafana: ["192.0.2.0/24"] } };
        });
        const world = new World(plan.config, clusterNetworkOf(plan.config));
        const grafana = { pod: world.pod(platformWorkloads(plan.config).grafana) };
        assert.ok(evaluate(planPolicies(plan), planNamespaces(plan), { from: { ip: "192.0.2.9" }, to: grafana, port: 3000 }).allowed);
        assert.ok(!evaluate(planPolicies(plan), planNamespaces(plan), { from: { ip: INTERNET }, to: grafana, port: 3000 }).allowed);
    });
});

describe("network flows: the defects the chart policies caused", () => {
    const cfg = stackConfig("staging");
    const w = platformWorkloads(cfg);

    /**
     * What the Airflow chart renders with networkPolicies.enabled (apache/airflow chart/templates/api-server/
     * api-server-networkpolicy.yaml: ingress rules only when apiServer.networkPolicy.ingress.from is set;
     * statsd/statsd-networkpolicy.yaml: ingress only from tier=airflow,release=<release>).
     */
    function airflowChartPolicies(values: Record<string, any>): NetworkPolicy[] {
        if (!values.networkPolicies?.enabled) return [];
        const release = { tier: "airflow", release: "airflow" };
        const from = values.apiServer?.networkPolicy?.ingress?.from ?? [];
        return [
            {
                namespace: cfg.airflow.namespace,
                name: "airflow-api-server-policy",
                spec: {
                    podSelector: { matchLabels: { ...release, component: "api-server" } },
                    policyTypes: ["Ingress"],
                    ...(from.length ? { ingress: [{ from, ports: [{ port: 8080 }] }] } : {}),
                },
            },
            {
                namespace: cfg.airflow.namespace,
                name: "airflow-statsd-policy",
                spec: {
                    podSelector: { matchLabels: { ...release, component: "statsd" } },
                    policyTypes: ["Ingress"],
                    ingress: [
                        {
                            from: [{ podSelector: { matchLabels: release } }],
                            ports: [
                                { protocol: "UDP", port: 9125 },
                                { protocol: "TCP", port: 9102 },
                            ],
                        },
                    ],
                },
            },
        ];
    }
    const values = (enabled: boolean) => ({
        ...airflowValues({ cfg, secrets: AIRFLOW_SECRET_NAMES, logsUrl: "gs://logs", identity: { env: [], volumes: [], volumeMounts: [] } }),
        ...(enabled ? { networkPolicies: { enabled: true } } : {}),
    });

    it("with the chart's policies (the old values), task pods could not reach the API server and Prometheus could not scrape statsd", () => {
        const world = new World(cfg, clusterNetworkOf(cfg));
        const chart = airflowChartPolicies(values(true));
        assert.equal(chart.length, 2);
        assert.ok(!evaluate(chart, {}, { from: { pod: world.pod(w.airflowWorker) }, to: { pod: world.pod(w.airflowApi) }, port: "api-server" }).allowed);
        assert.ok(!evaluate(chart, {}, { from: { pod: world.pod(w.prometheus) }, to: { pod: world.pod(w.airflowStatsd) }, port: "statsd-scrape" }).allowed);
    });

    it("the values switch the chart's policies off, and the table admits both flows", () => {
        assert.deepEqual(airflowChartPolicies(values(false)), []);
        const world = new World(cfg, clusterNetworkOf(cfg));
        const policies = platformNetworkPolicies(cfg, clusterNetworkOf(cfg));
        assert.ok(evaluate(policies, {}, { from: { pod: world.pod(w.airflowWorker) }, to: { pod: world.pod(w.airflowApi) }, port: "api-server" }).allowed);
        assert.ok(evaluate(policies, {}, { from: { pod: world.pod(w.prometheus) }, to: { pod: world.pod(w.airflowStatsd) }, port: "statsd-scrape" }).allowed);
    });

    it("the entity operator's health/metrics ports are open to Prometheus (the old Kafka policy admitted only broker ports)", () => {
        const world = new World(cfg, clusterNetworkOf(cfg));
        const policies = platformNetworkPolicies(cfg, clusterNetworkOf(cfg));
        const eo = { pod: world.pod(kafkaWorkloads(cfg).entityOperator) };
        for (const port of ["healthcheck-to", "healthcheck-uo"])
            assert.ok(evaluate(policies, {}, { from: { pod: world.pod(w.prometheus) }, to: eo, port }).allowed, port);
    });
});

describe("network flows: labels and ports match the charts' defaults", () => {
    const cfg = stackConfig("staging");
    const w = platformWorkloads(cfg);
    const portOf = (wl: Workload, name: string) => wl.ports.find((p) => p.name === name)?.containerPort;

    it("KEDA: component names and ports come from values the program leaves at their defaults", () => {
        const d = chartDefaults("keda");
        assert.equal(w.kedaOperator.selector.matchLabels!["app.kubernetes.io/name"], d.operator.name);
        assert.equal(w.kedaMetrics.selector.matchLabels!["app.kubernetes.io/name"], `${d.operator.name}-metrics-apiserver`);
        assert.equal(w.kedaWebhooks.selector.matchLabels!["app.kubernetes.io/name"], d.webhooks.name);
        assert.equal(portOf(w.kedaWebhooks, "http"), Number(d.webhooks.port || 9443));
        assert.equal(portOf(w.kedaMetrics, "https"), d.service.portHttpsTarget);
        assert.equal(portOf(w.kedaOperator, "metrics"), d.prometheus.operator.port);
        assert.deepEqual(d.podLabels.keda ?? {}, {});
    });

    it("Spark operator: selector labels from the chart name and release, ports from values", () => {
        const d = chartDefaults("spark-operator");
        assert.deepEqual([d.nameOverride, d.fullnameOverride], ["", ""]);
        assert.equal(portOf(w.sparkWebhook, d.webhook.portName), d.webhook.port);
        assert.equal(portOf(w.sparkController, d.prometheus.metrics.portName), d.prometheus.metrics.port);
    });

    it("Airflow: release name, component labels and ports", async () => {
        const d = chartDefaults("airflow");
        assert.deepEqual(d.labels, {});
        assert.equal(portOf(w.airflowApi, "api-server"), d.ports.apiServer);
        assert.equal(w.airflowStatsd.ports.find((p) => p.name === "statsd-ingest")?.containerPort, d.ports.statsdIngest);
        assert.equal(portOf(w.airflowStatsd, "statsd-scrape"), d.ports.statsdScrape);
        const plan = await shippedPlan("staging");
        const release = ofType(plan, RELEASE)
            .map(inputsOf)
            .find((r) => r.chart === "airflow")!;
        assert.equal(release.name, w.airflowApi.selector.matchLabels!.release);
        for (const k of ["labels", "workers.labels", "apiServer.labels", "statsd.labels"]) assert.equal(at(release.values, k), undefined, k);
    });

    it("kube-prometheus-stack, Grafana, kube-state-metrics, Reloader: names not overridden, operator port", async () => {
        const kps = chartDefaults("kube-prometheus-stack");
        assert.deepEqual([kps.nameOverride, kps.fullnameOverride], ["", ""]);
        assert.equal(kps.prometheusOperator.tls.enabled, true);
        assert.equal(portOf(w.promOperator, "https"), kps.prometheusOperator.tls.internalPort);
        assert.equal(chartDefaults("kube-prometheus-stack/charts/grafana").nameOverride ?? "", "");
        assert.equal(chartDefaults("kube-prometheus-stack/charts/kube-state-metrics").nameOverride, "");
        assert.equal(chartDefaults("reloader").nameOverride, "");
        const plan = await shippedPlan("staging");
        const names = ofType(plan, RELEASE)
            .map(inputsOf)
            .map((r) => r.name);
        for (const n of [KPS_RELEASE, "reloader", "spark-operator", "keda", "strimzi", "strimzi-access-operator", "vault-secrets-operator"])
            assert.ok(names.includes(n), n);
    });
});
