import * as pulumi from "@pulumi/pulumi";
import { NetworkPolicy } from "@pulumi/kubernetes/networking/v1";
import type { Provider } from "@pulumi/kubernetes/provider";
import type * as k8sInput from "@pulumi/kubernetes/types/input";
import { FLOW_POLICY_LABEL } from "./flows";
import type { NetworkPolicy as FlowPolicy } from "./netpol-eval";
import type { Namespaces } from "./namespaces";

export interface NetworkFlowsArgs {
    provider: Provider;
    namespaces: Namespaces;
    /** The policies of the platform's flow table (platformNetworkPolicies, resolved in the wiring). */
    policies: readonly FlowPolicy[];
}

/** Default deny in every platform namespace and the NetworkPolicies of the flow table (flows.ts), nothing else. */
export class NetworkFlows extends pulumi.ComponentResource {
    readonly policies: NetworkPolicy[];

    constructor(name: string, args: NetworkFlowsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplatform:k8s:NetworkFlows", name, {}, opts);
        this.policies = args.policies.map(
            (p) =>
                new NetworkPolicy(
                    `${name}-${p.namespace}-${p.name}`,
                    {
                        metadata: { name: p.name, namespace: args.namespaces.name(p.namespace), labels: { [FLOW_POLICY_LABEL]: "true" } },
                        spec: p.spec as k8sInput.networking.v1.NetworkPolicySpec,
                    },
                    { parent: this, provider: args.provider },
                ),
        );
        this.registerOutputs({ policies: this.policies.length });
    }
}
