import type { PlatformConfig } from "../config";
import type { ClusterNetwork } from "../interfaces";

/**
 * EKS (VPC CNI network policy engine): the private API endpoint is a set of EKS-managed ENIs placed in the
 * cluster's subnets, so pods reach it, and its webhook calls come from, addresses inside the VPC range
 * (https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html); those ENIs change on control-plane updates,
 * so the range is the stable choice (aws/aws-network-policy-agent#281). Pods take VPC addresses too, and the
 * STS interface endpoint and RDS sit in the same range, so no range is left out of "outside": on EKS the default
 * deny on ingress, not the egress address, keeps pods apart. EKS Pod Identity's agent listens on 169.254.170.23:80
 * (https://docs.aws.amazon.com/eks/latest/userguide/pod-id-how-it-works.html); IRSA calls STS, which is outside.
 */
export function eksClusterNetwork(cfg: Pick<PlatformConfig, "network">): ClusterNetwork {
    const n = cfg.network;
    return {
        controlPlaneCidrs: [n.nodeCidr],
        controlPlanePort: 443,
        nodeCidrs: [n.nodeCidr],
        clusterCidrs: [],
        identityEndpoints: [{ cidr: "169.254.170.23/32", port: 80, why: "EKS Pod Identity agent (node-local credentials)" }],
    };
}
