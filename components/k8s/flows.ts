import type { PlatformConfig } from "../config";
import type { ClusterNetwork } from "../interfaces";
import { kafkaFlows, kafkaWorkloads } from "../kafka/network-policy";
import { KPS_RELEASE } from "./releases";
import { KEDA_NAMESPACE, namespacePlan, VSO_NAMESPACE } from "./namespaces";
import type { ContainerPort, LabelSelector, NetworkPolicy, PolicyPeer, PolicyPort, PolicySpec, Protocol } from "./netpol-eval";

/**
 * The platform's network flows as data: every connection a component needs, with its reason. The NetworkPolicies
 * are generated from this table only (plus a default deny per namespace), the plan's markdown shows it as a matrix,
 * and tests evaluate the generated policies against it.
 */

/** A set of pods: what policies select (the chart's or operator's real labels) and the ports they declare. */
export interface Workload {
    readonly id: string;
    readonly namespace: string;
    /** Human name for the matrix. */
    readonly app: string;
    readonly selector: LabelSelector;
    /** Labels of a real pod (default: selector.matchLabels), for the reachability test. */
    readonly labels?: Record<string, string>;
    readonly ports: readonly ContainerPort[];
}

export type FlowEnd =
    | { readonly kind: "pods"; readonly workload: Workload }
    /** Every pod of a namespace (client namespaces, DNS). */
    | { readonly kind: "namespace"; readonly namespace: string }
    /** Addresses that are not pods: the control plane, nodes, node-local endpoints, outside the cluster. */
    | { readonly kind: "addresses"; readonly name: string; readonly cidrs: readonly string[]; readonly except?: readonly string[] };

export interface FlowPort {
    /** A number, or a container port name of the destination pods. */
    readonly port: number | string;
    readonly protocol: Protocol;
    readonly endPort?: number;
}

export interface Flow {
    readonly id: string;
    readonly from: FlowEnd;
    readonly to: FlowEnd;
    readonly ports: readonly FlowPort[];
    readonly why: string;
}

export const tcp = (name: string, containerPort: number): ContainerPort => ({ name, containerPort, protocol: "TCP" });
export const pods = (workload: Workload): FlowEnd => ({ kind: "pods", workload });
const T = (port: number | string): FlowPort => ({ port, protocol: "TCP" });

const NAMESPACE_LABEL = "kubernetes.io/metadata.name";
/** Label on every generated policy, so reviews and tests can tell them from anything else. */
export const FLOW_POLICY_LABEL = "dataplatform.io/network-flows";

/** Chart and operator pods outside Kafka, with the labels and ports their templates give them. */
export function platformWorkloads(cfg: PlatformConfig) {
    const af = cfg.airflow.namespace;
    const mon = cfg.monitoring.namespace;
    const so = cfg.spark.operatorNamespace;
    const jobs = cfg.spark.jobNamespace;
    // Official Airflow chart (release "airflow"): every pod carries tier=airflow, component=<name>, release=<release>
    // (chart/templates/*/…-deployment.yaml; task pods: chart/files/pod-template-file.kubernetes-helm-yaml, component=worker).
    const airflow = (component: string, app: string, ports: ContainerPort[] = []): Workload => ({
        id: `airflow-${component}`,
        namespace: af,
        app,
        ports,
        selector: { matchLabels: { tier: "airflow", component, release: "airflow" } },
    });
    return {
        // kube-system's DNS pods carry k8s-app=kube-dns on GKE (kube-dns) and EKS (CoreDNS).
        // CoreDNS (EKS) serves metrics on 9153, which kube-prometheus-stack's coreDns ServiceMonitor scrapes.
        dns: {
            id: "kube-dns",
            namespace: "kube-system",
            app: "cluster DNS",
            selector: { matchLabels: { "k8s-app": "kube-dns" } },
            ports: [{ name: "dns", containerPort: 53, protocol: "UDP" }, tcp("dns-tcp", 53), tcp("metrics", 9153)],
        } satisfies Workload,
        // kedacore/charts keda/templates/{manager,metrics-server,webhooks}/deployment.yaml: app.kubernetes.io/name = operator.name
        // (keda-operator), <operator.name>-metrics-apiserver, webhooks.name (keda-admission-webhooks); ports metricsservice 9666,
        // https 6443 (service.portHttpsTarget), http 9443 (webhooks), metrics = prometheus.<component>.port.
        kedaOperator: {
            id: "keda-operator",
            namespace: KEDA_NAMESPACE,
            app: "KEDA operator",
            selector: { matchLabels: { "app.kubernetes.io/name": "keda-operator" } },
            ports: [tcp("metricsservice", 9666), tcp("metrics", 8080)],
        } satisfies Workload,
        kedaMetrics: {
            id: "keda-metrics-apiserver",
            namespace: KEDA_NAMESPACE,
            app: "KEDA metrics API",
            selector: { matchLabels: { "app.kubernetes.io/name": "keda-operator-metrics-apiserver" } },
            ports: [tcp("https", 6443), tcp("metrics", 8080)],
        } satisfies Workload,
        kedaWebhooks: {
            id: "keda-admission-webhooks",
            namespace: KEDA_NAMESPACE,
            app: "KEDA admission",
            selector: { matchLabels: { "app.kubernetes.io/name": "keda-admission-webhooks" } },
            ports: [tcp("http", 9443), tcp("metrics", 8080)],
        } satisfies Workload,
        // hashicorp/vault-secrets-operator chart/templates/deployment.yaml: control-plane=controller-manager + vso.chart.selectorLabels.
        vso: {
            id: "vault-secrets-operator",
            namespace: VSO_NAMESPACE,
            app: "Vault Secrets Operator",
            selector: { matchLabels: { "control-plane": "controller-manager", "app.kubernetes.io/name": "vault-secrets-operator" } },
            ports: [tcp("https", 8443)],
        } satisfies Workload,
        // kubeflow/spark-operator charts/spark-operator-chart/templates/{controller,webhook}/_helpers.tpl: selectorLabels
        // app.kubernetes.io/name=spark-operator, instance=<release>, component=controller|webhook; ports from values
        // (webhook.port/portName 9443 "webhook", prometheus.metrics.port/portName 8080 "metrics").
        sparkController: {
            id: "spark-operator-controller",
            namespace: so,
            app: "Spark operator",
            selector: {
                matchLabels: {
                    "app.kubernetes.io/name": "spark-operator",
                    "app.kubernetes.io/instance": "spark-operator",
                    "app.kubernetes.io/component": "controller",
                },
            },
            ports: [tcp("metrics", 8080)],
        } satisfies Workload,
        sparkWebhook: {
            id: "spark-operator-webhook",
            namespace: so,
            app: "Spark operator webhook",
            selector: {
                matchLabels: {
                    "app.kubernetes.io/name": "spark-operator",
                    "app.kubernetes.io/instance": "spark-operator",
                    "app.kubernetes.io/component": "webhook",
                },
            },
            ports: [tcp("webhook", 9443), tcp("metrics", 8080)],
        } satisfies Workload,
        // apache/spark resource-managers/kubernetes/core/.../deploy/k8s/Constants.scala: spark-role=driver|executor,
        // driver-rpc-port 7078, blockmanager 7079 (DEFAULT_DRIVER_PORT, DEFAULT_BLOCKMANAGER_PORT), spark-ui 4040.
        sparkDriver: {
            id: "spark-driver",
            namespace: jobs,
            app: "Spark drivers (operator)",
            selector: { matchLabels: { "spark-role": "driver" } },
            ports: [tcp("driver-rpc-port", 7078), tcp("blockmanager", 7079), tcp("spark-ui", 4040)],
        } satisfies Workload,
        sparkExecutor: {
            id: "spark-executor",
            namespace: jobs,
            app: "Spark executors",
            selector: { matchLabels: { "spark-role": "executor" } },
            ports: [tcp("blockmanager", 7079)],
        } satisfies Workload,
        // Our own Job (spark/specs.ts streamingJobSpec): client-mode driver on fixed ports 7078/7079, no declared ports.
        streamDriver: {
            id: "stream-events-driver",
            namespace: jobs,
            app: "streaming driver",
            selector: { matchLabels: { "app.kubernetes.io/name": "stream-events", "app.kubernetes.io/component": "driver" } },
            ports: [],
        } satisfies Workload,
        // Airflow chart: api-server port "api-server" = ports.apiServer (8080); statsd ports statsd-ingest 9125/UDP, statsd-scrape 9102.
        airflowApi: airflow("api-server", "Airflow API server", [tcp("api-server", 8080)]),
        airflowScheduler: airflow("scheduler", "Airflow scheduler"),
        airflowDagProcessor: airflow("dag-processor", "Airflow DAG processor"),
        airflowTriggerer: airflow("triggerer", "Airflow triggerer"),
        airflowWorker: airflow("worker", "Airflow task pods"),
        // chart/templates/cleanup/cleanup-cronjob.yaml: component=airflow-cleanup-pods (deletes finished task pods).
        airflowCleanup: airflow("airflow-cleanup-pods", "Airflow pod cleanup"),
        airflowStatsd: airflow("statsd", "Airflow statsd exporter", [
            { name: "statsd-ingest", containerPort: 9125, protocol: "UDP" },
            tcp("statsd-scrape", 9102),
        ]),
        /** Every Airflow pod but the statsd exporter (components, task pods, migration and cleanup jobs). */
        airflowAll: {
            id: "airflow-pods",
            namespace: af,
            app: "Airflow pods",
            selector: { matchLabels: { tier: "airflow", release: "airflow" }, matchExpressions: [{ key: "component", operator: "NotIn", values: ["statsd"] }] },
            labels: { tier: "airflow", release: "airflow", component: "scheduler" },
            ports: [],
        } satisfies Workload,
        // prometheus-operator pkg/prometheus/server/statefulset.go and pkg/alertmanager/statefulset.go: pods labelled
        // app.kubernetes.io/name=prometheus|alertmanager; ports web 9090 / web 9093. One of each in the monitoring namespace.
        // The operator's config-reloader sidecar serves its metrics on reloader-web 8080 in both.
        prometheus: {
            id: "prometheus",
            namespace: mon,
            app: "Prometheus",
            selector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } },
            ports: [tcp("web", 9090), tcp("reloader-web", 8080)],
        } satisfies Workload,
        alertmanager: {
            id: "alertmanager",
            namespace: mon,
            app: "Alertmanager",
            selector: { matchLabels: { "app.kubernetes.io/name": "alertmanager" } },
            ports: [tcp("web", 9093), tcp("reloader-web", 8080)],
        } satisfies Workload,
        // grafana chart (kube-prometheus-stack dependency) templates/_helpers.tpl grafana.selectorLabels: name=grafana, instance=<release>; port "grafana" 3000.
        grafana: {
            id: "grafana",
            namespace: mon,
            app: "Grafana",
            selector: { matchLabels: { "app.kubernetes.io/name": "grafana", "app.kubernetes.io/instance": KPS_RELEASE } },
            ports: [tcp("grafana", 3000)],
        } satisfies Workload,
        // kube-prometheus-stack templates/prometheus-operator/deployment.yaml: app=kube-prometheus-stack-operator, release=<release>;
        // port https = prometheusOperator.tls.internalPort (10250), which also serves its admission webhook.
        promOperator: {
            id: "prometheus-operator",
            namespace: mon,
            app: "Prometheus operator",
            selector: { matchLabels: { app: "kube-prometheus-stack-operator", release: KPS_RELEASE } },
            ports: [tcp("https", 10250)],
        } satisfies Workload,
        // kube-prometheus-stack templates/prometheus-operator/admission-webhooks/job-patch/job-*.yaml: the hook Jobs that create the
        // webhook certificate and patch it into the webhook configurations, app=kube-prometheus-stack-admission-create|patch.
        promAdmissionJobs: {
            id: "prometheus-admission-jobs",
            namespace: mon,
            app: "Prometheus operator cert hooks",
            selector: {
                matchExpressions: [{ key: "app", operator: "In", values: ["kube-prometheus-stack-admission-create", "kube-prometheus-stack-admission-patch"] }],
            },
            labels: { app: "kube-prometheus-stack-admission-create" },
            ports: [],
        } satisfies Workload,
        // kube-state-metrics chart selectorLabels: name=kube-state-metrics, instance=<release>; port http 8080.
        kubeStateMetrics: {
            id: "kube-state-metrics",
            namespace: mon,
            app: "kube-state-metrics",
            selector: { matchLabels: { "app.kubernetes.io/name": "kube-state-metrics", "app.kubernetes.io/instance": KPS_RELEASE } },
            ports: [tcp("http", 8080)],
        } satisfies Workload,
    };
}

/** The lag-scaled consumer Deployments (keda/specs.ts consumerDeployment sets these labels). */
export function sinkWorkloads(cfg: PlatformConfig): Workload[] {
    return cfg.autoscaling.deployments.consumers.map((c) => ({
        id: `sink-${c.kafkaUser}`,
        namespace: c.namespace,
        app: `${c.kafkaUser} consumer`,
        ports: [],
        selector: { matchLabels: { "app.kubernetes.io/name": c.kafkaUser, "app.kubernetes.io/component": "consumer" } },
    }));
}

function urlPort(url: string): number {
    if (url.startsWith("git@")) return 22;
    const u = new URL(url);
    return u.port ? Number(u.port) : u.protocol === "https:" ? 443 : u.protocol === "ssh:" ? 22 : 80;
}

/** Every flow the platform needs, for one stack. */
export function flowTable(cfg: PlatformConfig, net: ClusterNetwork): Flow[] {
    const w = platformWorkloads(cfg);
    const kw = kafkaWorkloads(cfg);
    const sinks = sinkWorkloads(cfg);
    const controlPlane: FlowEnd = { kind: "addresses", name: "control plane", cidrs: net.controlPlaneCidrs };
    const nodes: FlowEnd = { kind: "addresses", name: "nodes", cidrs: net.nodeCidrs };
    const outside = (cidrs: readonly string[] = ["0.0.0.0/0"]): FlowEnd => ({
        kind: "addresses",
        name: "outside",
        cidrs,
        except: cidrs.includes("0.0.0.0/0") ? net.clusterCidrs : undefined,
    });
    const flows: Flow[] = [];
    const add = (f: Flow) => flows.push(f);
    const each = (id: string, from: Workload[], to: FlowEnd, ports: FlowPort[], why: string) => {
        for (const s of from) add({ id: `${id}-${s.id}`, from: pods(s), to, ports, why });
    };

    // DNS for every pod of every namespace the program creates.
    for (const ns of Object.keys(namespacePlan(cfg)).sort()) {
        add({
            id: `dns-${ns}`,
            from: { kind: "namespace", namespace: ns },
            to: pods(w.dns),
            ports: [{ port: 53, protocol: "UDP" }, T(53)],
            why: "name resolution through kube-dns",
        });
    }

    flows.push(...kafkaFlows(cfg, w.kedaOperator, (cidrs) => outside(cidrs)));

    // The Kubernetes API server, reached at the control-plane addresses the foundation hands over.
    const apiClients: [Workload, string][] = [
        [kw.clusterOperator, "reconciles Kafka, node pools, certificates"],
        [kw.entityOperator, "watches KafkaTopic and KafkaUser"],
        [kw.accessOperator, "writes the KafkaAccess Secrets"],
        [kw.reloader, "watches Secrets and rolls workloads"],
        [w.kedaOperator, "reconciles ScaledObjects/ScaledJobs, drives HPAs, starts Jobs"],
        [w.kedaMetrics, "serves the external metrics API (reads ScaledObjects)"],
        [w.kedaWebhooks, "validates ScaledObjects against workloads"],
        [w.vso, "syncs Vault secrets into Secrets, logs in with TokenRequest"],
        [w.sparkController, "runs SparkApplications (driver pods, services)"],
        [w.sparkWebhook, "mutating webhook reads pods and quotas"],
        [w.promOperator, "renders Prometheus/Alertmanager config from monitors and rules"],
        [w.prometheus, "service discovery and the API server's own metrics"],
        [w.grafana, "dashboard sidecar watches ConfigMaps"],
        [w.kubeStateMetrics, "lists objects for cluster metrics"],
        [w.airflowScheduler, "KubernetesExecutor launches and watches task pods"],
        [w.airflowWorker, "tasks submit SparkApplications in the job namespace"],
        [w.airflowTriggerer, "deferred Kubernetes triggers watch pods"],
        [w.airflowCleanup, "deletes finished task pods"],
        [w.promAdmissionJobs, "install/upgrade hooks write the webhook certificate and patch the webhook configurations"],
        [w.sparkDriver, "the driver creates and watches its executors"],
        [w.streamDriver, "the client-mode driver creates and watches its executors"],
    ];
    for (const [wl, why] of apiClients)
        add({ id: `api-${wl.id}`, from: pods(wl), to: controlPlane, ports: [T(net.controlPlanePort)], why: `Kubernetes API: ${why}` });
    // A hook Job whose pods carry no labels, in a namespace that holds nothing but its operator.
    add({
        id: "api-vso-hooks",
        from: { kind: "namespace", namespace: VSO_NAMESPACE },
        to: controlPlane,
        ports: [T(net.controlPlanePort)],
        why: "Kubernetes API: the chart's pre-delete cleanup Job, whose pods have no labels (templates/deployment.yaml)",
    });

    // The API server's calls into webhooks and aggregated APIs.
    add({
        id: "webhook-spark-operator",
        from: controlPlane,
        to: pods(w.sparkWebhook),
        ports: [T("webhook")],
        why: "mutating/validating webhook for SparkApplications and Spark pods (failurePolicy Fail)",
    });
    add({ id: "webhook-keda-admission", from: controlPlane, to: pods(w.kedaWebhooks), ports: [T("http")], why: "KEDA's validating webhook for ScaledObjects" });
    add({
        id: "apiservice-keda-metrics",
        from: controlPlane,
        to: pods(w.kedaMetrics),
        ports: [T("https")],
        why: "the HPA controller reads external.metrics.k8s.io through the API server",
    });
    add({
        id: "webhook-prometheus-operator",
        from: controlPlane,
        to: pods(w.promOperator),
        ports: [T("https")],
        why: "the Prometheus operator's admission webhook validates PrometheusRules",
    });
    add({
        id: "keda-metrics-operator",
        from: pods(w.kedaMetrics),
        to: pods(w.kedaOperator),
        ports: [T("metricsservice")],
        why: "the metrics API asks the operator for scaler values over gRPC",
    });

    // Prometheus to every scraped endpoint (monitoring/podmonitors.ts and the chart's own ServiceMonitors).
    const scrape = (id: string, to: Workload, ports: (number | string)[], why: string) =>
        add({ id: `scrape-${id}`, from: pods(w.prometheus), to: pods(to), ports: ports.map(T), why: `metrics: ${why}` });
    scrape("kafka-brokers", kw.brokers, ["tcp-prometheus"], "broker JMX exporter");
    scrape("kafka-controllers", kw.controllers, ["tcp-prometheus"], "controller JMX exporter");
    scrape("entity-operator", kw.entityOperator, ["healthcheck-to", "healthcheck-uo"], "topic and user operators");
    scrape("kafka-exporter", kw.exporter, ["tcp-prometheus"], "consumer-group lag");
    scrape("strimzi-cluster-operator", kw.clusterOperator, ["http"], "cluster operator");
    scrape("keda-operator", w.kedaOperator, ["metrics"], "KEDA operator");
    scrape("spark-operator", w.sparkController, ["metrics"], "Spark operator controller");
    scrape("airflow-statsd", w.airflowStatsd, ["statsd-scrape"], "Airflow StatsD exporter (scheduler heartbeat alert)");
    scrape("kube-state-metrics", w.kubeStateMetrics, ["http"], "kube-state-metrics");
    scrape("prometheus-operator", w.promOperator, ["https"], "Prometheus operator");
    scrape(
        "prometheus",
        w.prometheus,
        ["web", "reloader-web"],
        "Prometheus itself and its config reloader (the chart's ServiceMonitor goes through the pod address)",
    );
    scrape("alertmanager", w.alertmanager, ["web", "reloader-web"], "Alertmanager and its config reloader");
    scrape("coredns", w.dns, [9153], "cluster DNS (kube-prometheus-stack coreDns ServiceMonitor)");
    scrape("grafana", w.grafana, ["grafana"], "Grafana");
    add({
        id: "scrape-nodes",
        from: pods(w.prometheus),
        to: nodes,
        ports: [T(9100), T(10250)],
        why: "metrics: node-exporter (host network, 9100) and kubelet/cAdvisor (10250)",
    });
    add({ id: "grafana-prometheus", from: pods(w.grafana), to: pods(w.prometheus), ports: [T("web")], why: "Grafana's Prometheus data source" });
    add({ id: "prometheus-alertmanager", from: pods(w.prometheus), to: pods(w.alertmanager), ports: [T("web")], why: "Prometheus sends alerts" });
    add({
        id: "alertmanager-receivers",
        from: pods(w.alertmanager),
        to: outside(),
        ports: [T(443)],
        why: "notifications to the configured receivers (Slack, PagerDuty) over HTTPS",
    });

    // Airflow 3: task pods, triggerer and DAG processor talk to the API server's execution API.
    each(
        "airflow-execution-api",
        [w.airflowWorker, w.airflowTriggerer, w.airflowDagProcessor],
        pods(w.airflowApi),
        [T("api-server")],
        "Airflow 3 execution API on the API server (task state, XComs, variables, connections)",
    );
    add({
        id: "airflow-task-logs",
        from: pods(w.airflowApi),
        to: pods(w.airflowWorker),
        ports: [T(8793)],
        why: "the API server reads logs of running tasks from the task's log server (ports.workerLogs)",
    });
    add({
        id: "airflow-statsd",
        from: pods(w.airflowAll),
        to: pods(w.airflowStatsd),
        ports: [{ port: "statsd-ingest", protocol: "UDP" }],
        why: "Airflow components emit StatsD metrics",
    });
    add({
        id: "airflow-metadata-db",
        from: pods(w.airflowAll),
        to: outside(),
        ports: [T(5432)],
        why: "managed PostgreSQL (Cloud SQL private IP / RDS in the VPC) holding Airflow's metadata",
    });
    add({
        id: "airflow-vault",
        from: pods(w.airflowAll),
        to: outside(),
        ports: [T(urlPort(cfg.vault.address))],
        why: "Airflow's Vault secrets backend (vault.address)",
    });
    add({
        id: "airflow-git",
        from: pods(w.airflowAll),
        to: outside(),
        ports: [T(urlPort(cfg.airflow.dags.repo))],
        why: "git-sync pulls DAGs (airflow.dags.repo)",
    });
    add({ id: "airflow-cloud-apis", from: pods(w.airflowAll), to: outside(), ports: [T(443)], why: "remote task logs in the logs bucket, BigQuery jobs" });
    const ui = { airflow: cfg.network.uiAllowedCidrs?.airflow ?? [], grafana: cfg.network.uiAllowedCidrs?.grafana ?? [] };
    if (ui.airflow.length > 0) {
        add({
            id: "ui-airflow",
            from: outside(ui.airflow),
            to: pods(w.airflowApi),
            ports: [T("api-server")],
            why: "Airflow UI from network.uiAllowedCidrs.airflow",
        });
    }
    if (ui.grafana.length > 0) {
        add({ id: "ui-grafana", from: outside(ui.grafana), to: pods(w.grafana), ports: [T("grafana")], why: "Grafana UI from network.uiAllowedCidrs.grafana" });
    }

    // Spark: executors to drivers and to each other; drivers fetch results from executors.
    const drivers = [w.sparkDriver, w.streamDriver];
    add({
        id: "spark-executor-driver",
        from: pods(w.sparkExecutor),
        to: pods(w.sparkDriver),
        ports: [T("driver-rpc-port"), T("blockmanager")],
        why: "executors register with the driver and fetch broadcasts",
    });
    add({
        id: "spark-executor-stream-driver",
        from: pods(w.sparkExecutor),
        to: pods(w.streamDriver),
        ports: [T(7078), T(7079)],
        why: "executors register with the client-mode driver (spark.driver.port, spark.driver.blockManager.port)",
    });
    add({ id: "spark-shuffle", from: pods(w.sparkExecutor), to: pods(w.sparkExecutor), ports: [T("blockmanager")], why: "shuffle blocks between executors" });
    each("spark-driver-executor", drivers, pods(w.sparkExecutor), [T("blockmanager")], "the driver fetches large task results from executors' block managers");

    // Data and secrets outside the cluster, and the node-local identity endpoints.
    const dataPods = [...drivers, w.sparkExecutor, ...sinks];
    each("cloud-apis", dataPods, outside(), [T(443)], "lake buckets, BigQuery and token exchange (STS) over HTTPS");
    for (const e of net.identityEndpoints) {
        each(`identity-${e.port}`, [...dataPods, w.airflowAll], { kind: "addresses", name: "node metadata", cidrs: [e.cidr] }, [T(e.port)], e.why);
    }
    add({ id: "vso-vault", from: pods(w.vso), to: outside(), ports: [T(urlPort(cfg.vault.address))], why: "VSO reads KV secrets from Vault (vault.address)" });
    return flows;
}

function key(end: FlowEnd): string {
    return end.kind === "pods" ? end.workload.id : end.kind === "namespace" ? "all-pods" : end.name;
}

function peerFor(end: FlowEnd, policyNamespace: string): PolicyPeer[] {
    switch (end.kind) {
        case "addresses":
            return end.cidrs.map((cidr) => ({ ipBlock: { cidr, ...(end.except && end.except.length > 0 ? { except: [...end.except] } : {}) } }));
        case "namespace":
            return [{ namespaceSelector: { matchLabels: { [NAMESPACE_LABEL]: end.namespace } } }];
        case "pods": {
            const podSelector = structuredClone(end.workload.selector);
            return end.workload.namespace === policyNamespace
                ? [{ podSelector }]
                : [{ namespaceSelector: { matchLabels: { [NAMESPACE_LABEL]: end.workload.namespace } }, podSelector }];
        }
    }
}

const endNamespace = (end: FlowEnd): string | undefined =>
    end.kind === "pods" ? end.workload.namespace : end.kind === "namespace" ? end.namespace : undefined;
const endSelector = (end: FlowEnd): LabelSelector => (end.kind === "pods" ? structuredClone(end.workload.selector) : {});
const policyPorts = (ports: readonly FlowPort[]): PolicyPort[] =>
    ports.map((p) => ({ protocol: p.protocol, port: p.port, ...(p.endPort ? { endPort: p.endPort } : {}) }));

/**
 * NetworkPolicies from the table: in each namespace the program creates, a default deny for both directions, then
 * per selected set of pods one ingress and one egress policy with a rule per flow (named after the pods).
 */
export function networkPolicies(flows: readonly Flow[], namespaces: readonly string[]): NetworkPolicy[] {
    const ours = new Set(namespaces);
    const out = new Map<string, NetworkPolicy>();
    for (const ns of [...ours].sort()) {
        out.set(`${ns}/default-deny`, { namespace: ns, name: "default-deny", spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } });
    }
    const policy = (ns: string, end: FlowEnd, type: "Ingress" | "Egress"): PolicySpec => {
        const name = `${key(end)}-${type.toLowerCase()}`;
        const id = `${ns}/${name}`;
        if (!out.has(id))
            out.set(id, {
                namespace: ns,
                name,
                spec: { podSelector: endSelector(end), policyTypes: [type], ...(type === "Ingress" ? { ingress: [] } : { egress: [] }) },
            });
        return out.get(id)!.spec;
    };
    for (const f of flows) {
        const src = endNamespace(f.from);
        const dst = endNamespace(f.to);
        if (src && ours.has(src)) policy(src, f.from, "Egress").egress!.push({ to: peerFor(f.to, src), ports: policyPorts(f.ports) });
        if (dst && ours.has(dst)) policy(dst, f.to, "Ingress").ingress!.push({ from: peerFor(f.from, dst), ports: policyPorts(f.ports) });
    }
    return [...out.values()];
}

/** The platform's policies for a stack. */
export function platformNetworkPolicies(cfg: PlatformConfig, net: ClusterNetwork): NetworkPolicy[] {
    return networkPolicies(flowTable(cfg, net), Object.keys(namespacePlan(cfg)));
}

/** Namespaces a flow end lives in, for the matrix ("control plane", "outside", … for addresses). */
export function endLabel(end: FlowEnd): string {
    return end.kind === "addresses" ? end.name : end.kind === "namespace" ? end.namespace : end.workload.namespace;
}
