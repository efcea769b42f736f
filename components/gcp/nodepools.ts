import * as pulumi from "@pulumi/pulumi";
import type { Provider } from "@pulumi/gcp/provider";
import type { Cluster } from "@pulumi/gcp/container/cluster";
import { NodePool } from "@pulumi/gcp/container/nodePool";
import type * as gcpInput from "@pulumi/gcp/types/input";
import type { PlatformConfig, StackBase } from "../config";
import type { NodePoolConfig } from "../config/cluster";
import { POOL_LABEL, PoolName } from "../labels";
import { nodeTag } from "./network";

type NodeConfig = gcpInput.container.NodePoolNodeConfig;

/** GKE taints of a pool: what the Kubernetes layers tolerate via poolScheduling() (NoSchedule = NO_SCHEDULE). */
export function poolTaints(pool: PoolName): { key: string; value: string; effect: string }[] {
    return pool === "system" ? [] : [{ key: POOL_LABEL, value: pool, effect: "NO_SCHEDULE" }];
}

/** Node settings shared by every pool: COS containerd, shielded VM, GKE metadata server, CMEK boot disk, own SA. */
export function hardenedNodeConfig(
    cfg: Pick<PlatformConfig, "stack">,
    serviceAccount: pulumi.Input<string>,
    diskKeyId: pulumi.Input<string>,
    pool: NodePoolConfig,
): NodeConfig {
    return {
        machineType: pool.machineType,
        imageType: "COS_CONTAINERD",
        diskType: "pd-balanced",
        diskSizeGb: pool.diskSizeGb,
        bootDiskKmsKey: diskKeyId,
        serviceAccount,
        oauthScopes: ["https://www.googleapis.com/auth/cloud-platform"],
        shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
        workloadMetadataConfig: { mode: "GKE_METADATA" },
        metadata: { "disable-legacy-endpoints": "true" },
        kubeletConfig: { insecureKubeletReadonlyPortEnabled: "FALSE" },
        tags: [nodeTag(cfg.stack)],
    };
}

/** The full node config of one configured pool (labels, taints, Spot). */
function poolNodeConfig(
    cfg: Pick<PlatformConfig, "stack">,
    pool: PoolName,
    p: NodePoolConfig,
    serviceAccount: pulumi.Input<string>,
    diskKeyId: pulumi.Input<string>,
): NodeConfig {
    return {
        ...hardenedNodeConfig(cfg, serviceAccount, diskKeyId, p),
        // Spark scratch (shuffle, spill) is disk-bound.
        diskType: pool === "spark" ? "pd-ssd" : "pd-balanced",
        spot: p.spot,
        labels: { [POOL_LABEL]: pool },
        taints: poolTaints(pool),
    };
}

export interface GkeNodePoolsArgs {
    project: string;
    stack: string;
    nodePools: StackBase["cluster"]["nodePools"];
    provider: Provider;
    cluster: Cluster;
    location: string;
    nodeLocations?: string[];
    serviceAccountEmail: pulumi.Input<string>;
    diskKeyId: pulumi.Input<string>;
    dependsOn: pulumi.Resource[];
}

/** The configured node pools: system, kafka (dedicated, tainted), spark (Spot, tainted, from zero). */
export class GkeNodePools extends pulumi.ComponentResource {
    readonly pools: Readonly<Record<PoolName, NodePool>>;

    constructor(name: string, args: GkeNodePoolsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplatform:gcp:NodePools", name, {}, opts);
        const pools = {} as Record<PoolName, NodePool>;
        for (const pool of ["system", "kafka", "spark"] as const) {
            const p = args.nodePools[pool];
            pools[pool] = new NodePool(
                `${name}-${pool}`,
                {
                    name: pool,
                    project: args.project,
                    cluster: args.cluster.name,
                    location: args.location,
                    nodeLocations: args.nodeLocations,
                    // Per zone, as configured.
                    initialNodeCount: p.min,
                    autoscaling: { minNodeCount: p.min, maxNodeCount: p.max, locationPolicy: p.spot ? "ANY" : "BALANCED" },
                    management: { autoRepair: true, autoUpgrade: true },
                    // Brokers: one node at a time, never below capacity.
                    upgradeSettings: { strategy: "SURGE", maxSurge: 1, maxUnavailable: 0 },
                    nodeConfig: poolNodeConfig(args, pool, p, args.serviceAccountEmail, args.diskKeyId),
                },
                { parent: this, provider: args.provider, dependsOn: args.dependsOn, ignoreChanges: ["initialNodeCount"] },
            );
        }
        this.pools = pools;
        this.registerOutputs({});
    }
}
