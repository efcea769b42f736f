import type { ResourceValidationPolicy } from "@pulumi/policy";
import { asArray, at, describe, isStrimzi } from "./util";

const HELM_TYPES = new Set(["kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v3:Chart", "kubernetes:helm.sh/v4:Chart"]);

export const helmChartPinned: ResourceValidationPolicy = {
    name: "helm-chart-version-pinned",
    description: "Every Helm release pins an exact chart version.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (!HELM_TYPES.has(args.type)) args.notApplicable();
        const v = args.props.version;
        if (typeof v !== "string" || !/^v?\d+\.\d+\.\d+(-[\w.]+)?$/.test(v))
            report(`chart ${args.props.chart} has version ${JSON.stringify(v)}; pin an exact version.`);
    },
};

// ---- resource requests -------------------------------------------------------------------------

function hasRequests(resources: unknown): boolean {
    const req = at(resources, "requests");
    return req !== null && typeof req === "object" && Object.keys(req).length > 0;
}

/** Containers of a pod spec without resources.requests. */
function containersWithoutRequests(podSpec: unknown): string[] {
    return [...asArray(at(podSpec, "initContainers")), ...asArray(at(podSpec, "containers"))]
        .filter((c: any) => !hasRequests(c?.resources))
        .map((c: any) => `container ${c?.name ?? "?"}`);
}

/** Where each workload kind keeps its pod spec. */
const POD_SPEC_PATHS: Record<string, string> = {
    Pod: "spec",
    Deployment: "spec.template.spec",
    StatefulSet: "spec.template.spec",
    DaemonSet: "spec.template.spec",
    ReplicaSet: "spec.template.spec",
    Job: "spec.template.spec",
    CronJob: "spec.jobTemplate.spec.template.spec",
    ScaledJob: "spec.jobTargetRef.template.spec",
};
const WORKLOAD = /^kubernetes:(core|apps|batch|keda\.sh)\/v[0-9a-z]+:(\w+)$/;

/** Strimzi component blocks that run containers, when present in the spec. */
const STRIMZI_BLOCKS: Record<string, string[]> = {
    Kafka: ["entityOperator.topicOperator", "entityOperator.userOperator", "cruiseControl", "kafkaExporter"],
    KafkaNodePool: [""],
    KafkaConnect: [""],
};

function sparkFindings(spec: unknown): string[] {
    return ["driver", "executor"]
        .filter((role) => {
            const r = at(spec, role);
            return !(r && (r.cores || r.coreRequest) && r.memory);
        })
        .map((role) => `${role} sets no cores/memory`);
}

type Component = { path: string; when?: (values: Record<string, any>) => boolean };
const on =
    (flag: string, byDefault = true) =>
    (v: Record<string, any>) =>
        (at(v, flag) ?? byDefault) === true;
const celery = (v: Record<string, any>) => String(v.executor ?? "CeleryExecutor").includes("Celery");
const airflow3 = (v: Record<string, any>) => !String(v.airflowVersion ?? "3").startsWith("2");

/**
 * Value paths of each chart's containers (the `resources` object the chart hands to the pod), with the
 * condition under which the chart deploys that component. Charts not listed must set at least one
 * `resources.requests` somewhere in their values.
 */
export const CHART_CONTAINERS: Record<string, Component[]> = {
    "strimzi-kafka-operator": [{ path: "resources" }],
    "strimzi-access-operator": [{ path: "resources" }],
    keda: [{ path: "resources.operator" }, { path: "resources.metricServer" }, { path: "resources.webhooks", when: on("webhooks.enabled") }],
    "spark-operator": [{ path: "controller.resources" }, { path: "webhook.resources", when: on("webhook.enable") }],
    airflow: [
        { path: "scheduler.resources" },
        { path: "triggerer.resources", when: on("triggerer.enabled") },
        { path: "dagProcessor.resources", when: (v) => (at(v, "dagProcessor.enabled") ?? airflow3(v)) === true },
        { path: "apiServer.resources", when: airflow3 },
        { path: "webserver.resources", when: (v) => !airflow3(v) },
        { path: "workers.resources" },
        { path: "statsd.resources", when: on("statsd.enabled") },
        { path: "redis.resources", when: (v) => celery(v) && on("redis.enabled")(v) },
        { path: "pgbouncer.resources", when: on("pgbouncer.enabled", false) },
        { path: "migrateDatabaseJob.resources", when: on("migrateDatabaseJob.enabled") },
    ],
    "kube-prometheus-stack": [
        { path: "prometheusOperator.resources", when: on("prometheusOperator.enabled") },
        { path: "prometheus.prometheusSpec.resources", when: on("prometheus.enabled") },
        { path: "alertmanager.alertmanagerSpec.resources", when: on("alertmanager.enabled") },
        { path: "grafana.resources", when: on("grafana.enabled") },
        { path: "kube-state-metrics.resources", when: on("kubeStateMetrics.enabled") },
        { path: "prometheus-node-exporter.resources", when: on("nodeExporter.enabled") },
    ],
    "vault-secrets-operator": [{ path: "controller.manager.resources" }],
    reloader: [{ path: "reloader.deployment.resources" }],
};

function anyRequests(v: unknown): boolean {
    if (v === null || typeof v !== "object") return false;
    if (Array.isArray(v)) return v.some(anyRequests);
    const o = v as Record<string, unknown>;
    return hasRequests(o.resources) || Object.values(o).some(anyRequests);
}

/** Chart name without repository prefix (OCI references carry the full path). */
function chartName(chart: unknown): string {
    return (
        String(chart ?? "")
            .split("/")
            .pop() ?? ""
    );
}

function helmFindings(chart: unknown, values: Record<string, any> | undefined): string[] {
    const v = values ?? {};
    const known = CHART_CONTAINERS[chartName(chart)];
    if (!known) return anyRequests(v) ? [] : ["values set no resources.requests (chart not in CHART_CONTAINERS)"];
    return known.filter((c) => (c.when ? c.when(v) : true) && !hasRequests(at(v, c.path))).map((c) => `values.${c.path}.requests is not set`);
}

/** Findings for any resource that runs containers; undefined when the type runs none. */
function requestFindings(type: string, props: Record<string, any>): string[] | undefined {
    if (HELM_TYPES.has(type)) return helmFindings(props.chart, props.values);
    const w = WORKLOAD.exec(type);
    if (w && POD_SPEC_PATHS[w[2]]) return containersWithoutRequests(at(props, POD_SPEC_PATHS[w[2]]));
    if (/^kubernetes:sparkoperator\.k8s\.io\/v[0-9a-z]+:SparkApplication$/.test(type)) return sparkFindings(props.spec);
    if (/^kubernetes:sparkoperator\.k8s\.io\/v[0-9a-z]+:ScheduledSparkApplication$/.test(type)) return sparkFindings(at(props, "spec.template"));
    for (const [kind, blocks] of Object.entries(STRIMZI_BLOCKS)) {
        if (!isStrimzi(type, kind)) continue;
        return blocks
            .filter((b) => b === "" || at(props.spec, b) !== undefined)
            .filter((b) => !hasRequests(at(props.spec, b === "" ? "resources" : `${b}.resources`)))
            .map((b) => `spec.${b ? `${b}.` : ""}resources.requests is not set`);
    }
    return undefined;
}

export const resourceRequests: ResourceValidationPolicy = {
    name: "container-resource-requests",
    description: "Every container (pod templates, operator CRs, Helm values) sets resource requests, so the scheduler and autoscalers can place it.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        const f = requestFindings(args.type, args.props);
        if (f === undefined) return args.notApplicable();
        if (f.length) report(`${describe(args)}: ${f.join("; ")}.`);
    },
};

export const kubernetesPolicies = [helmChartPinned, resourceRequests];
