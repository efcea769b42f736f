import * as pulumi from "@pulumi/pulumi";
import { Namespace } from "@pulumi/kubernetes/core/v1";
import type { Provider } from "@pulumi/kubernetes/provider";
import type { PlatformConfig } from "../config";

/** Pod Security Standard enforced per namespace; node-exporter needs host access, so monitoring is privileged. */
export type PodSecurity = "restricted" | "baseline" | "privileged";

export const KEDA_NAMESPACE = "keda";
export const VSO_NAMESPACE = "vault-secrets-operator";

/** Every namespace the platform uses, derived from config, with its Pod Security level. */
export function namespacePlan(cfg: PlatformConfig): Record<string, PodSecurity> {
    const plan: Record<string, PodSecurity> = {};
    const add = (ns: string, level: PodSecurity) => { plan[ns] = plan[ns] ?? level; };
    add(cfg.kafka.namespace, "restricted");
    add(KEDA_NAMESPACE, "restricted");
    add(VSO_NAMESPACE, "restricted");
    add(cfg.spark.operatorNamespace, "restricted");
    add(cfg.airflow.namespace, "baseline");
    add(cfg.spark.jobNamespace, "baseline");
    add(cfg.monitoring.namespace, "privileged");
    for (const ns of cfg.kafka.clientNamespaces) add(ns, "baseline");
    for (const u of cfg.kafka.users) for (const ns of u.namespaces) add(ns, "baseline");
    return plan;
}

export interface NamespacesArgs {
    config: PlatformConfig;
    provider: Provider;
}

/** Creates the platform's namespaces once, so every layer can depend on the ones it uses. */
export class Namespaces extends pulumi.ComponentResource {
    private readonly byName: Record<string, Namespace> = {};

    constructor(name: string, args: NamespacesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplatform:k8s:Namespaces", name, {}, opts);
        for (const [ns, level] of Object.entries(namespacePlan(args.config))) {
            this.byName[ns] = new Namespace(ns, {
                metadata: {
                    name: ns,
                    labels: {
                        "pod-security.kubernetes.io/enforce": level,
                        "pod-security.kubernetes.io/warn": "restricted",
                        "pod-security.kubernetes.io/audit": "restricted",
                    },
                },
            }, { parent: this, provider: args.provider });
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
