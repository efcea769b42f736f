/**
 * What each chart release runs, as pod templates carrying only what Pod Security admission reads: the pod and
 * container security contexts, host namespaces, host ports and volume types. Each field comes from the merged
 * values key the chart's template reads (chart defaults from ../shared/charts, deep-merged with what the program
 * passes), or, where a template or an operator hard-codes it, from that code (cited next to it).
 *
 * These rely on defaults older than the pinned charts for KEDA (2.20.2 for 2.21.1), kube-prometheus-stack
 * (88.5.3 for 92.3.0), VSO (1.4.1 for 1.6.1), Reloader (2.2.16 for 2.2.18) and Airflow (main after 1.19.0 for
 * 1.22.0); the README ("Pod Security and chart defaults") asks for a re-check against the pinned versions.
 */
import type { PodTemplate } from "../../components/k8s/pod-security";
import { CHARTS, ChartKey } from "../../components/versions";
import { at } from "../../policy/rules/util";
import { chartDefaults, helmMerge } from "./helm";

type Obj = Record<string, any>;

export interface ReleaseInput {
    name: string;
    chart: string;
    namespace: string;
    values: Obj;
}

export interface ChartPod {
    /** `<release>/<workload>`. */
    name: string;
    namespace: string;
    pod: PodTemplate;
}

/** Folder of each pinned chart's defaults below ../shared/charts. */
const CHART_FOLDERS: Record<ChartKey, string> = {
    strimzi: "strimzi-kafka-operator",
    strimziAccess: "strimzi-access-operator",
    keda: "keda",
    sparkOperator: "spark-operator",
    airflow: "airflow",
    kubePrometheusStack: "kube-prometheus-stack",
    vaultSecretsOperator: "vault-secrets-operator",
    reloader: "reloader",
};

export function chartKeyOf(chart: string): ChartKey {
    const key = (Object.keys(CHARTS) as ChartKey[]).find((k) => CHARTS[k].chart === chart);
    if (!key) throw new Error(`release of an unknown chart ${chart}`);
    return key;
}

/** kube-prometheus-stack's subcharts: their values live under these keys of the parent's. */
const KPS_SUBCHARTS = ["grafana", "kube-state-metrics", "prometheus-node-exporter"] as const;

/** The values the chart renders with: its defaults (and its subcharts') with the release's values merged over them. */
export function mergedValues(key: ChartKey, values: Obj): Obj {
    const merged = helmMerge(chartDefaults(CHART_FOLDERS[key]), values);
    if (key === "kubePrometheusStack") {
        for (const sub of KPS_SUBCHARTS) merged[sub] = helmMerge(chartDefaults(`kube-prometheus-stack/charts/${sub}`), merged[sub] ?? {});
    }
    return merged;
}

const sc = (v: unknown): Obj | undefined => (v && typeof v === "object" && Object.keys(v).length ? (v as Obj) : undefined);
const container = (name: string, securityContext: unknown, extra: Obj = {}): Obj => ({ name, securityContext: sc(securityContext), ...extra });
const pod = (spec: Obj): PodTemplate => ({ spec });
const volumes = (...kinds: string[]): Obj[] => kinds.map((k, i) => ({ name: `v${i}`, [k]: {} }));

/** Every pod the release creates (hooks included), in the namespaces it creates them in. */
export function chartPods(r: ReleaseInput): ChartPod[] {
    const key = chartKeyOf(r.chart);
    const v = mergedValues(key, r.values);
    const p = (name: string, spec: Obj, namespace = r.namespace): ChartPod => ({ name: `${r.name}/${name}`, namespace, pod: pod(spec) });
    switch (key) {
        // templates/060-Deployment-strimzi-cluster-operator.yaml (tag 1.2.0): podSecurityContext, securityContext.
        case "strimzi":
            return [
                p("strimzi-cluster-operator", {
                    securityContext: sc(v.podSecurityContext),
                    hostUsers: v.hostUsers ?? undefined,
                    containers: [container("strimzi-cluster-operator", v.securityContext)],
                    volumes: volumes("emptyDir", "configMap"),
                }),
            ];
        // helm-charts/helm3/strimzi-access-operator/templates/050-Deployment.yaml: podSecurityContext, securityContext.
        case "strimziAccess":
            return [
                p("strimzi-access-operator", {
                    securityContext: sc(v.podSecurityContext),
                    containers: [container("access-operator", v.securityContext)],
                    volumes: volumes("emptyDir"),
                }),
            ];
        // deployments/kubernetes/chart/reloader/templates/deployment.yaml: reloader.deployment.securityContext / containerSecurityContext.
        case "reloader":
            return [
                p("reloader", {
                    securityContext: sc(at(v, "reloader.deployment.securityContext")),
                    containers: [container("reloader", at(v, "reloader.deployment.containerSecurityContext"))],
                }),
            ];
        // keda/templates/{manager,metrics-server,webhooks}/deployment.yaml: podSecurityContext.<c>, securityContext.<c>, <c>.useHostNetwork.
        case "keda":
            return (
                [
                    ["operator", "operator"],
                    ["metricServer", "metricsServer"],
                    ["webhooks", "webhooks"],
                ] as const
            )
                .filter(([, c]) => c !== "webhooks" || v.webhooks?.enabled !== false)
                .map(([k, c]) =>
                    p(`keda-${k}`, {
                        securityContext: sc(v.podSecurityContext?.[k]),
                        hostNetwork: v[c]?.useHostNetwork === true,
                        containers: [container(k, v.securityContext?.[k])],
                    }),
                );
        case "sparkOperator": {
            // templates/{controller,webhook}/deployment.yaml: <c>.podSecurityContext, <c>.securityContext.
            const pods = (["controller", "webhook"] as const)
                .filter((c) => c === "controller" || v.webhook?.enable !== false)
                .map((c) => p(`spark-operator-${c}`, { securityContext: sc(v[c].podSecurityContext), containers: [container(c, v[c].securityContext)] }));
            // templates/hook/job.yaml (v2.5.2): a pre-install/pre-upgrade Job whose security context is hard-coded and
            // which no value reaches: no pod securityContext, container without runAsNonRoot or seccompProfile.
            if (v.hook?.upgradeCrd) {
                pods.push(
                    p("spark-operator-hook", {
                        containers: [
                            container("spark-operator-hook", {
                                readOnlyRootFilesystem: true,
                                privileged: false,
                                allowPrivilegeEscalation: false,
                                capabilities: { drop: ["ALL"] },
                            }),
                        ],
                    }),
                );
            }
            return pods;
        }
        case "vaultSecretsOperator": {
            // chart/templates/deployment.yaml: controller.podSecurityContext on the pod, controller.securityContext on
            // both containers (kube-rbac-proxy, manager) and on the pre-delete cleanup Job; hook-upgrade-crds.yaml: the same.
            const c = v.controller;
            const job = (name: string) => p(name, { securityContext: sc(c.podSecurityContext), containers: [container(name, c.securityContext)] });
            const pods = [
                p("controller-manager", {
                    securityContext: sc(c.podSecurityContext),
                    containers: [container("kube-rbac-proxy", c.securityContext), container("manager", c.securityContext)],
                    volumes: volumes("downwardAPI"),
                }),
                job("pre-delete-controller-cleanup"),
            ];
            if (v.hooks?.upgradeCRDs?.enabled) pods.push(job("upgrade-crds"));
            return pods;
        }
        case "kubePrometheusStack":
            return kpsPods(r, v);
        case "airflow":
            return airflowPods(r, v);
    }
}

/**
 * prometheus-operator pkg/prometheus/server/statefulset.go, pkg/alertmanager/statefulset.go and
 * pkg/operator/config_reloader.go: every container the operator builds gets this context; the pod's comes from
 * the custom resource's spec.securityContext.
 */
const OPERATOR_CONTAINER = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } };
const operatorPod = (main: string, ctx: Obj | undefined, hostNetwork: unknown): Obj => ({
    securityContext: sc(ctx),
    hostNetwork: hostNetwork === true,
    containers: [container(main, OPERATOR_CONTAINER), container("config-reloader", OPERATOR_CONTAINER)],
    initContainers: [container("init-config-reloader", OPERATOR_CONTAINER)],
});

function kpsPods(r: ReleaseInput, v: Obj): ChartPod[] {
    const p = (name: string, spec: Obj, namespace = r.namespace): ChartPod => ({ name: `${r.name}/${name}`, namespace, pod: pod(spec) });
    const out: ChartPod[] = [];
    const po = v.prometheusOperator;
    // templates/prometheus-operator/deployment.yaml: securityContext, containerSecurityContext, hostNetwork.
    if (po.enabled !== false) {
        out.push(
            p("prometheus-operator", {
                securityContext: sc(po.securityContext),
                hostNetwork: po.hostNetwork === true,
                containers: [container("kube-prometheus-stack", po.containerSecurityContext)],
            }),
        );
        // templates/prometheus-operator/admission-webhooks/job-patch/job-{createSecret,patchWebhook}.yaml.
        const aw = po.admissionWebhooks;
        if (aw?.enabled && aw.patch?.enabled && !aw.certManager?.enabled) {
            out.push(
                p("admission-create", {
                    securityContext: sc(aw.patch.securityContext),
                    containers: [container("create", aw.createSecretJob?.securityContext)],
                }),
            );
            out.push(
                p("admission-patch", { securityContext: sc(aw.patch.securityContext), containers: [container("patch", aw.patchWebhookJob?.securityContext)] }),
            );
        }
        if (aw?.enabled && aw.deployment?.enabled) {
            out.push(
                p("admission-webhook", {
                    securityContext: sc(aw.deployment.securityContext),
                    hostNetwork: aw.deployment.hostNetwork === true,
                    containers: [container("webhook", aw.deployment.containerSecurityContext)],
                }),
            );
        }
    }
    // templates/prometheus-operator/crds upgrade Job (crds.upgradeJob): podSecurityContext, containerSecurityContext.
    if (v.crds?.upgradeJob?.enabled) {
        out.push(
            p("crds-upgrade", {
                securityContext: sc(v.crds.upgradeJob.podSecurityContext),
                containers: [container("kubectl", v.crds.upgradeJob.containerSecurityContext)],
            }),
        );
    }
    // templates/prometheus/prometheus.yaml and templates/alertmanager/alertmanager.yaml copy these into the custom resources.
    const ps = v.prometheus?.prometheusSpec;
    if (v.prometheus?.enabled !== false) {
        out.push(p("prometheus", operatorPod("prometheus", ps.securityContext, ps.hostNetwork)));
    }
    const as = v.alertmanager?.alertmanagerSpec;
    if (v.alertmanager?.enabled !== false) {
        out.push(p("alertmanager", operatorPod("alertmanager", as.securityContext, as.hostNetwork)));
    }
    // grafana chart templates/_pod.tpl: securityContext (pod), containerSecurityContext (grafana), sidecar.securityContext
    // (every sidecar), initChownData.securityContext (only with persistence), downloadDashboards.securityContext.
    if (v.grafana?.enabled !== false) {
        const g = v.grafana;
        const sidecars = ["dashboards", "datasources", "notifiers", "alerts", "plugins"]
            .filter((s) => g.sidecar?.[s]?.enabled)
            .map((s) => container(`grafana-sc-${s}`, g.sidecar.securityContext));
        const init = [
            ...(g.persistence?.enabled && g.initChownData?.enabled ? [container("init-chown-data", g.initChownData.securityContext)] : []),
            ...(g.dashboards && Object.keys(g.dashboards).length ? [container("download-dashboards", g.downloadDashboards?.securityContext)] : []),
        ];
        out.push(
            p("grafana", {
                securityContext: sc(g.securityContext),
                containers: [container("grafana", g.containerSecurityContext), ...sidecars],
                initContainers: init,
            }),
        );
    }
    // kube-state-metrics chart templates/deployment.yaml: securityContext without its `enabled` switch, containerSecurityContext.
    if (v.kubeStateMetrics?.enabled !== false) {
        const k = v["kube-state-metrics"];
        const { enabled, ...podCtx } = k.securityContext ?? {};
        out.push(
            p("kube-state-metrics", {
                securityContext: enabled ? sc(podCtx) : undefined,
                hostNetwork: k.hostNetwork === true,
                containers: [
                    container("kube-state-metrics", k.containerSecurityContext),
                    ...(k.kubeRBACProxy?.enabled ? [container("kube-rbac-proxy", k.kubeRBACProxy.containerSecurityContext)] : []),
                ],
            }),
        );
    }
    // prometheus-node-exporter chart templates/daemonset.yaml: hostNetwork, hostPID, hostIPC, hostPath volumes for
    // /proc, /sys and (hostRootFsMount) /, in namespaceOverride when set.
    if (v.nodeExporter?.enabled !== false) {
        const n = v["prometheus-node-exporter"];
        out.push(
            p(
                "node-exporter",
                {
                    securityContext: sc(n.securityContext),
                    hostNetwork: n.hostNetwork === true,
                    hostPID: n.hostPID === true,
                    hostIPC: n.hostIPC === true,
                    containers: [
                        container("node-exporter", n.containerSecurityContext, {
                            ports: [{ containerPort: n.service?.targetPort ?? 9100, hostPort: n.hostNetwork ? (n.service?.targetPort ?? 9100) : undefined }],
                        }),
                    ],
                    volumes: [
                        { name: "proc", hostPath: { path: "/proc" } },
                        { name: "sys", hostPath: { path: "/sys" } },
                        ...(n.hostRootFsMount?.enabled ? [{ name: "root", hostPath: { path: "/" } }] : []),
                    ],
                },
                n.namespaceOverride || r.namespace,
            ),
        );
    }
    return out;
}

/**
 * Airflow chart templates/_helpers.yaml `airflowPodSecurityContext` / `containerSecurityContext`: a component's
 * securityContexts.pod (or its legacy securityContext), else the global securityContexts.pod (or securityContext),
 * else runAsUser uid / fsGroup gid; containers: the component's securityContexts.container, else the global
 * securityContexts.containers.
 */
function airflowPods(r: ReleaseInput, v: Obj): ChartPod[] {
    const some = (...xs: unknown[]) => xs.map(sc).find((x) => x !== undefined);
    const podCtx = (c: Obj) =>
        some(c?.securityContexts?.pod, c?.securityContext, v.securityContexts?.pod, v.securityContext) ?? { runAsUser: v.uid, fsGroup: v.gid };
    const ctrCtx = (c: Obj) => some(c?.securityContexts?.container, v.securityContexts?.containers);
    const gitSync = v.dags?.gitSync?.enabled ? [container("git-sync", ctrCtx(v.dags.gitSync))] : [];
    const groomer = (c: Obj) =>
        c?.logGroomerSidecar?.enabled !== false && c?.logGroomerSidecar ? [container("log-groomer", ctrCtx(c.logGroomerSidecar))] : [];
    const waitFor = (c: Obj) =>
        c?.waitForMigrations?.enabled !== false && c?.waitForMigrations ? [container("wait-for-airflow-migrations", ctrCtx(c.waitForMigrations))] : [];
    const component = (name: string, c: Obj, sidecars: Obj[] = []) => ({
        name: `${r.name}/${name}`,
        namespace: r.namespace,
        pod: pod({ securityContext: podCtx(c), containers: [container(name, ctrCtx(c)), ...sidecars], initContainers: waitFor(c) }),
    });
    const out = [
        component("scheduler", v.scheduler, [...groomer(v.scheduler), ...(v.dagProcessor?.enabled ? [] : gitSync)]),
        component("api-server", v.apiServer),
        component("triggerer", v.triggerer, [...groomer(v.triggerer), ...gitSync]),
        component("migrate-database-job", v.migrateDatabaseJob),
        // KubernetesExecutor task pods: files/pod-template-file.kubernetes-helm-yaml, from workers.*.
        component("worker-pod-template", v.workers, gitSync),
    ];
    if (v.dagProcessor?.enabled) out.push(component("dag-processor", v.dagProcessor, [...groomer(v.dagProcessor), ...gitSync]));
    if (v.statsd?.enabled) out.push(component("statsd", v.statsd));
    if (v.cleanup?.enabled) out.push(component("cleanup", v.cleanup));
    if (v.databaseCleanup?.enabled) out.push(component("database-cleanup", v.databaseCleanup));
    if (v.createUserJob?.enabled !== false && v.createUserJob) out.push(component("create-user", v.createUserJob));
    if (v.redis?.enabled) out.push(component("redis", v.redis));
    return out;
}
