import * as pulumi from "@pulumi/pulumi";
import type { Provider } from "@pulumi/gcp/provider";
import { Network } from "@pulumi/gcp/compute/network";
import { Subnetwork } from "@pulumi/gcp/compute/subnetwork";
import { Router } from "@pulumi/gcp/compute/router";
import { RouterNat } from "@pulumi/gcp/compute/routerNat";
import { Firewall } from "@pulumi/gcp/compute/firewall";

export interface GcpNetworkArgs {
    project: string;
    region: string;
    stack: string;
    environment: "staging" | "prod";
    /** Node subnet, its pod and service secondary ranges, and the private control plane's /28. */
    cidrs: { nodes: string; pods: string; services: string; controlPlane: string };
    provider: Provider;
}

/** Names of the subnet's secondary ranges, used by the cluster's IP allocation policy. */
export const PODS_RANGE = "pods";
export const SERVICES_RANGE = "services";

/**
 * Ports the private control plane must reach on nodes: kubelet (logs/exec) and admission webhooks / API
 * services (Strimzi, Spark operator, Vault injector, KEDA metrics server, cert webhooks).
 */
export const WEBHOOK_PORTS = ["443", "6443", "8080", "8443", "9443", "10250", "15017"] as const;

/** Network tag carried by every node of the stack, the target of the control-plane firewall rule. */
export function nodeTag(stack: string): string {
    return `dataplatform-${stack}-node`;
}

/** VPC (no auto subnets), one regional subnet with pod/service ranges, Cloud Router + NAT, control-plane firewall. */
export class GcpNetwork extends pulumi.ComponentResource {
    readonly networkId: pulumi.Output<string>;
    readonly networkSelfLink: pulumi.Output<string>;
    readonly networkName: pulumi.Output<string>;
    readonly subnetworkId: pulumi.Output<string>;
    readonly subnetworkSelfLink: pulumi.Output<string>;
    readonly subnetworkName: pulumi.Output<string>;

    constructor(name: string, args: GcpNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplatform:gcp:Network", name, {}, opts);
        const { stack, cidrs } = args;
        const gcp = { project: args.project, region: args.region };
        const provider = args.provider;
        const prod = args.environment === "prod";
        const child = { parent: this, provider };

        const vpc = new Network(
            `${name}-vpc`,
            {
                name: `dataplatform-${stack}`,
                project: gcp.project,
                autoCreateSubnetworks: false,
                routingMode: "REGIONAL",
                description: `Data platform ${stack}`,
            },
            child,
        );

        const subnet = new Subnetwork(
            `${name}-subnet`,
            {
                name: `dataplatform-${stack}-${gcp.region}`,
                project: gcp.project,
                region: gcp.region,
                network: vpc.id,
                ipCidrRange: cidrs.nodes,
                secondaryIpRanges: [
                    { rangeName: PODS_RANGE, ipCidrRange: cidrs.pods },
                    { rangeName: SERVICES_RANGE, ipCidrRange: cidrs.services },
                ],
                privateIpGoogleAccess: true,
                logConfig: { aggregationInterval: "INTERVAL_5_SEC", flowSampling: prod ? 0.5 : 0.1, metadata: "INCLUDE_ALL_METADATA" },
            },
            child,
        );

        // Private nodes have no external IP: NAT for image pulls from public registries and chart repos.
        const router = new Router(
            `${name}-router`,
            {
                name: `dataplatform-${stack}-router`,
                project: gcp.project,
                region: gcp.region,
                network: vpc.id,
            },
            child,
        );
        new RouterNat(
            `${name}-nat`,
            {
                name: `dataplatform-${stack}-nat`,
                project: gcp.project,
                region: gcp.region,
                router: router.name,
                natIpAllocateOption: "AUTO_ONLY",
                sourceSubnetworkIpRangesToNat: "LIST_OF_SUBNETWORKS",
                subnetworks: [{ name: subnet.id, sourceIpRangesToNats: ["ALL_IP_RANGES"] }],
                enableDynamicPortAllocation: true,
                minPortsPerVm: 64,
                maxPortsPerVm: 4096,
                logConfig: { enable: true, filter: "ERRORS_ONLY" },
            },
            child,
        );

        new Firewall(
            `${name}-control-plane-webhooks`,
            {
                name: `dataplatform-${stack}-control-plane-webhooks`,
                project: gcp.project,
                network: vpc.id,
                description: "Private GKE control plane to admission webhooks and kubelet on nodes",
                direction: "INGRESS",
                priority: 1000,
                sourceRanges: [cidrs.controlPlane],
                targetTags: [nodeTag(stack)],
                allows: [{ protocol: "tcp", ports: [...WEBHOOK_PORTS] }],
                logConfig: { metadata: "INCLUDE_ALL_METADATA" },
            },
            child,
        );

        this.networkId = vpc.id;
        this.networkSelfLink = vpc.selfLink;
        this.networkName = vpc.name;
        this.subnetworkId = subnet.id;
        this.subnetworkSelfLink = subnet.selfLink;
        this.subnetworkName = subnet.name;
        this.registerOutputs({ networkId: this.networkId, subnetworkId: this.subnetworkId });
    }
}
