import * as pulumi from "@pulumi/pulumi";
import { Namespace } from "@pulumi/kubernetes/core/v1";
import type { Provider } from "@pulumi/kubernetes/provider";
import type { PlatformConfig } from "../config";

/** Pod Security Standard a namespace enforces (https://kubernetes.io/docs/concepts/security/pod-security-standards/). */
export type PodSecurity = "restricted" | "baseline" | "privileged";

export const KEDA_NAMESPACE = "keda";
export const VSO_NAMESPACE = "vault-secrets-operator";
/** node-exporter alone: its host access must not widen what the rest of monitoring may do. */
export const NODE_EXPORTER_NAMESPACE = "node-exporter";

/**
 * Every namespace the platform uses, derived from config, with the Pod Security level it enforces. Each level is
 * a decision; tests/admission.test.ts evaluates every pod the program and its charts create against it.
 */
export function namespacePlan(cfg: Pick<PlatformConfig, "kafka" | "spark" | "monitoring" | "airflow" | "workloads">): Record<string, PodSecurity> {
    const plan: Record<string, PodSecurity> = {};
    const add = (ns: string, level: PodSecurity) => {
        plan[ns] = plan[ns] ?? level;
    };
    // Operators and brokers only: Strimzi's chart defaults are restricted, and its operands get restricted
    // contexts from the restricted Pod Security Provider the program selects (kafka/operator.ts).
    add(cfg.kafka.namespace, "restricted");
    // Operator pods only, each with a context the program sets or has checked against the chart's defaults.
    add(KEDA_NAMESPACE, "restricted");
    add(VSO_NAMESPACE, "restricted");
    // The operator's controller and webhook; the chart's CRD-upgrade hook, whose context no value reaches, is off.
    add(cfg.spark.operatorNamespace, "restricted");
    // Prometheus, Alertmanager, Grafana, kube-state-metrics and the operator all run restricted contexts (chart
    // defaults, prometheus-operator's own containers); node-exporter, which cannot, has its own namespace.
    add(cfg.monitoring.namespace, "restricted");
    // node-exporter reads the node itself: hostNetwork, hostPID and hostPath mounts of /, /proc and /sys are its
    // purpose, and only the privileged level admits them. Nothing else runs here.
    add(NODE_EXPORTER_NAMESPACE, "privileged");
    // Airflow runs DAG authors' code in task pods built from the chart's many containers (git-sync, log groomers,
    // migration waits) whose images the platform does not own; baseline still refuses host access and privilege.
    add(cfg.airflow.namespace, "baseline");
    // Spark drivers and executors are created by spark-submit and the operator from job images named in config
    // and by job authors; baseline refuses host access and privilege without dictating the images' users.
    add(cfg.spark.jobNamespace, "baseline");
    // Client namespaces host the teams' own applications, which the platform does not build.
    for (const ns of cfg.kafka.clientNamespaces) add(ns, "baseline");
    for (const u of cfg.kafka.users) for (const ns of u.namespaces) add(ns, "baseline");
    for (const w of cfg.workloads) add(w.namespace, "restricted");
    return plan;
}

export interface NamespacesArgs {
    /** Every namespace and the level it enforces (namespacePlan). */
    plan: Readonly<Record<string, PodSecurity>>;
    provider: Provider;
}

/** Creates the platform's namespaces once, so every layer can depend on the ones it uses. */
export class Namespaces extends pulumi.ComponentResource {
    private readonly byName: Record<string, Namespace> = {};

    constructor(name: string, args: NamespacesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplatform:k8s:Namespaces", name, {}, opts);
        for (const [ns, level] of Object.entries(args.plan)) {
            this.byName[ns] = new Namespace(
                ns,
                {
                    metadata: {
                        name: ns,
                        labels: {
                            "pod-security.kubernetes.io/enforce": level,
                            "pod-security.kubernetes.io/warn": "restricted",
                            "pod-security.kubernetes.io/audit": "restricted",
                        },
                    },
                },
                { parent: this, provider: args.provider },
            );
        }
        this.registerOutputs({ names: Object.keys(this.byName) });
    }

    /** The namespace resource; fails loudly for a namespace the config does not declare. */
    get(ns: string): Namespace {
        const r = this.byName[ns];
        if (!r) throw new Error(`namespace ${ns} is not part of the platform (known: ${Object.keys(this.byName).join(", ")})`);
        return r;
    }

    /** The namespace's name as an Output, which carries the dependency on its creation. */
    name(ns: string): pulumi.Output<string> {
        return this.get(ns).metadata.name;
    }
}
