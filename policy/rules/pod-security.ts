import type { StackValidationPolicy } from "@pulumi/policy";
import * as YAML from "yaml";
import { describeViolations, podSecurityViolations, PodSecurityLevel, PodTemplate } from "../../components/k8s/pod-security";
import { asArray, isUnknownValueError } from "./util";

type Obj = Record<string, any>;

/**
 * Driver and executor pods of a SparkApplication spec: the operator's mutating webhook copies podSecurityContext,
 * securityContext (main container), hostNetwork, sidecars, initContainers and the mounted spec.volumes onto the
 * pods spark-submit creates (kubeflow/spark-operator internal/webhook/sparkpod_defaulter.go); Spark itself adds
 * only emptyDir and configMap volumes and no security context.
 */
function sparkPods(app: Obj | undefined): PodTemplate[] {
    return (["driver", "executor"] as const).map((role) => {
        const r: Obj = app?.[role] ?? {};
        return {
            spec: {
                securityContext: r.podSecurityContext,
                hostNetwork: r.hostNetwork,
                containers: [{ name: `spark-kubernetes-${role}`, securityContext: r.securityContext }, ...asArray(r.sidecars)],
                initContainers: asArray(r.initContainers),
                volumes: [...asArray(app?.volumes), { name: "spark-local-dir-1", emptyDir: {} }, { name: "spark-conf-volume", configMap: {} }],
            },
        };
    });
}

/** Where each kind keeps the pod templates it turns into pods. */
const TEMPLATES: Record<string, (spec: Obj) => PodTemplate[]> = {
    Pod: (s) => [{ spec: s }],
    Deployment: (s) => [s?.template],
    StatefulSet: (s) => [s?.template],
    DaemonSet: (s) => [s?.template],
    ReplicaSet: (s) => [s?.template],
    Job: (s) => [s?.template],
    CronJob: (s) => [s?.jobTemplate?.spec?.template],
    ScaledJob: (s) => [s?.jobTargetRef?.template],
    SparkApplication: (s) => sparkPods(s),
    ScheduledSparkApplication: (s) => sparkPods(s?.template),
};

/**
 * The pod templates a resource hands to the cluster: workloads' templates, Spark applications' driver and
 * executor, and pod templates kept in ConfigMaps (Spark's spark.kubernetes.executor.podTemplateFile).
 */
export function podTemplatesOf(type: string, props: Obj): PodTemplate[] {
    const kind = type.split(":").pop() ?? "";
    if (kind === "Pod") return [{ metadata: props.metadata, spec: props.spec }];
    const f = TEMPLATES[kind];
    if (f) return f(props.spec).filter((t): t is PodTemplate => !!t?.spec);
    if (type !== "kubernetes:core/v1:ConfigMap") return [];
    return Object.values((props.data ?? {}) as Record<string, unknown>).flatMap((text) => {
        if (typeof text !== "string") return [];
        try {
            const doc = YAML.parse(text);
            return doc?.kind === "Pod" && doc.spec ? [doc as PodTemplate] : [];
        } catch {
            return [];
        }
    });
}

const LEVELS = new Set<PodSecurityLevel>(["privileged", "baseline", "restricted"]);

export const podSecurityAdmission: StackValidationPolicy = {
    name: "pod-security-admission",
    description: "Every pod template the stack writes meets the Pod Security Standard its namespace enforces (pod-security.kubernetes.io/enforce).",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const levels = new Map<string, PodSecurityLevel>();
        for (const r of args.resources) {
            if (r.type !== "kubernetes:core/v1:Namespace") continue;
            const level = r.props.metadata?.labels?.["pod-security.kubernetes.io/enforce"];
            if (typeof r.props.metadata?.name === "string" && LEVELS.has(level)) levels.set(r.props.metadata.name, level);
        }
        // One resource with a template unknown during preview must not hide the others: every known one is checked,
        // then the first unknown is rethrown (named by its resource), so the engine reports the policy as not run.
        let undecided: Error | undefined;
        for (const r of args.resources) {
            try {
                const ns = r.props.metadata?.namespace;
                const level = typeof ns === "string" ? levels.get(ns) : undefined;
                // Namespaces the stack does not label keep the cluster's own admission configuration.
                if (!level) continue;
                for (const t of podTemplatesOf(r.type, r.props)) {
                    const v = podSecurityViolations(t, level);
                    if (v.length) report(`${r.type} "${r.name}" in namespace ${ns} (${level}): ${describeViolations(v)}`, r.urn);
                }
            } catch (e) {
                if (!isUnknownValueError(e)) throw e;
                if (!undecided) {
                    e.message = `${r.type} "${r.name}": ${e.message}`;
                    undecided = e;
                }
            }
        }
        if (undecided) throw undecided;
    },
};
