import * as pulumi from "@pulumi/pulumi";
import type { CustomResource } from "@pulumi/kubernetes/apiextensions";
import type { Provider } from "@pulumi/kubernetes/provider";
import type { KafkaConfig } from "../config/kafka";
import { registerStrimzi } from "./cluster";
import { accessResources, type AccessTarget } from "./access-specs";

export interface KafkaAccessesArgs {
    kafka: KafkaConfig;
    provider: Provider;
    /** Namespace name as an Output carrying its creation. */
    namespace: (ns: string) => pulumi.Input<string>;
    /** Copies beyond kafka.users[].namespaces that other layers ask for (resolved in the wiring). */
    extraTargets: readonly AccessTarget[];
    /** Access Operator release (CRD + controller). */
    operator: pulumi.Resource;
    /** The KafkaUsers the accesses read. */
    users: Readonly<Record<string, pulumi.Resource>>;
}

/**
 * KafkaAccess objects in the client namespaces: the Access Operator copies the cluster CA, the bootstrap
 * address and the user's credentials into a Secret there (named like the KafkaAccess) and rewrites it
 * whenever Strimzi renews a certificate or a password, so nothing is copied by hand.
 */
export class KafkaAccesses extends pulumi.ComponentResource {
    /** `${user}/${namespace}` → KafkaAccess. */
    readonly accesses: Readonly<Record<string, CustomResource>>;

    constructor(name: string, args: KafkaAccessesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplatform:kafka:Accesses", name, {}, opts);
        const out: Record<string, CustomResource> = {};
        for (const a of accessResources(args.kafka, args.extraTargets)) {
            const user = (a.spec.user as { name: string }).name;
            const ns = a.metadata.namespace;
            out[`${user}/${ns}`] = registerStrimzi(`${name}-${user}-${ns}`, a, args.namespace(ns), {
                parent: this,
                provider: args.provider,
                dependsOn: [args.operator, args.users[user]],
            });
        }
        this.accesses = out;
        this.registerOutputs({ accesses: Object.keys(out) });
    }
}
