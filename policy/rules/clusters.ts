import type { ResourceValidationPolicy } from "@pulumi/policy";
import { asArray, at, describe } from "./util";

const GKE = "gcp:container/cluster:Cluster";
const GKE_POOL = "gcp:container/nodePool:NodePool";
const EKS = "aws:eks/cluster:Cluster";
const REQUIRED_EKS_LOGS = ["api", "audit", "authenticator"];

/** Findings for a GKE cluster (pure, for reuse in tests). */
function gkeClusterFindings(p: Record<string, any>): string[] {
    const out: string[] = [];
    if (at(p, "privateClusterConfig.enablePrivateNodes") !== true) out.push("privateClusterConfig.enablePrivateNodes is not true");
    if (!at(p, "workloadIdentityConfig.workloadPool")) out.push("workloadIdentityConfig.workloadPool is not set");
    // The provider default is true; only an explicit opt-out is a finding.
    if (p.enableShieldedNodes === false) out.push("enableShieldedNodes is false");
    if (at(p, "databaseEncryption.state") !== "ENCRYPTED" || !at(p, "databaseEncryption.keyName"))
        out.push("databaseEncryption is not ENCRYPTED with a KMS key");
    if (p.datapathProvider !== "ADVANCED_DATAPATH" && at(p, "networkPolicy.enabled") !== true)
        out.push("no network policy enforcement (datapathProvider ADVANCED_DATAPATH or networkPolicy.enabled)");
    return out;
}

export const gkeCluster: ResourceValidationPolicy = {
    name: "gke-cluster-hardened",
    description: "GKE clusters: private nodes, Workload Identity, shielded nodes, secrets encrypted with KMS, network policy enforced.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== GKE) args.notApplicable();
        const f = gkeClusterFindings(args.props);
        if (f.length) report(`${describe(args)}: ${f.join("; ")}.`);
    },
};

export const gkeNodePool: ResourceValidationPolicy = {
    name: "gke-node-pool-hardened",
    description: "GKE node pools run shielded nodes with secure boot and the GKE metadata server (Workload Identity).",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== GKE_POOL) args.notApplicable();
        const out: string[] = [];
        if (at(args.props, "nodeConfig.shieldedInstanceConfig.enableSecureBoot") !== true)
            out.push("nodeConfig.shieldedInstanceConfig.enableSecureBoot is not true");
        if (at(args.props, "nodeConfig.workloadMetadataConfig.mode") !== "GKE_METADATA") out.push("nodeConfig.workloadMetadataConfig.mode is not GKE_METADATA");
        if (out.length) report(`${describe(args)}: ${out.join("; ")}.`);
    },
};

function eksFindings(p: Record<string, any>): string[] {
    const out: string[] = [];
    const vpc = p.vpcConfig ?? {};
    if (vpc.endpointPublicAccess !== false) {
        // The API default for a public endpoint is 0.0.0.0/0.
        const cidrs = asArray<string>(vpc.publicAccessCidrs);
        if (cidrs.length === 0 || cidrs.includes("0.0.0.0/0"))
            out.push("public API endpoint open to 0.0.0.0/0 (disable it or set vpcConfig.publicAccessCidrs)");
    }
    const secrets = asArray(p.encryptionConfig).some((e: any) => asArray(e?.resources).includes("secrets") && at(e, "provider.keyArn"));
    if (!secrets) out.push("encryptionConfig does not encrypt secrets with a KMS key");
    const logs = asArray<string>(p.enabledClusterLogTypes);
    const missing = REQUIRED_EKS_LOGS.filter((l) => !logs.includes(l));
    if (missing.length) out.push(`enabledClusterLogTypes lacks ${missing.join(", ")}`);
    return out;
}

export const eksCluster: ResourceValidationPolicy = {
    name: "eks-cluster-hardened",
    description: "EKS clusters: private or allow-listed API endpoint, secrets encrypted with KMS, control-plane logs (api, audit, authenticator).",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== EKS) args.notApplicable();
        const f = eksFindings(args.props);
        if (f.length) report(`${describe(args)}: ${f.join("; ")}.`);
    },
};

export const clusterPolicies = [gkeCluster, gkeNodePool, eksCluster];
