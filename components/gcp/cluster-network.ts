import type { GcpStack } from "../config";
import type { ClusterNetwork } from "../interfaces";

/**
 * GKE (private cluster, Dataplane V2): pods reach the API server at the private control plane's /28
 * (masterIpv4CidrBlock), and the API server's webhook calls come from that range too
 * (https://cloud.google.com/kubernetes-engine/docs/how-to/private-clusters#add_firewall_rules).
 * Workload Identity's metadata server answers on 169.254.169.254:80 and, with Dataplane V2, is reached at
 * 169.254.169.252:988 (https://cloud.google.com/kubernetes-engine/docs/how-to/network-policy#network-policy-and-workload-identity).
 */
export function gkeClusterNetwork(cfg: Pick<GcpStack, "network">): ClusterNetwork {
    const n = cfg.network;
    return {
        controlPlaneCidrs: [n.controlPlaneCidr],
        controlPlanePort: 443,
        nodeCidrs: [n.nodeCidr],
        // Nothing else lives in these ranges (Cloud SQL's private range is allocated apart), so none of them is "outside".
        clusterCidrs: [n.podsCidr, n.servicesCidr, n.nodeCidr, n.controlPlaneCidr],
        identityEndpoints: [
            { cidr: "169.254.169.254/32", port: 80, why: "GKE metadata server (Workload Identity tokens)" },
            { cidr: "169.254.169.252/32", port: 988, why: "GKE metadata server behind Dataplane V2" },
        ],
    };
}
