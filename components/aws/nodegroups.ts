import * as pulumi from "@pulumi/pulumi";
import { LaunchTemplate } from "@pulumi/aws/ec2/launchTemplate";
import { NodeGroup } from "@pulumi/aws/eks/nodeGroup";
import type { Provider } from "@pulumi/aws/provider";
import type { ClusterConfig } from "../config/cluster";
import { POOL_LABEL, PoolName, poolScheduling } from "../labels";

export interface NodeGroupSpec {
    pool: PoolName;
    /** Resource name suffix: the pool, or pool-<AZ> for a pool split per AZ. */
    id: string;
    /** Indexes of the private subnets (one per AZ, in availabilityZones order) the group launches in. */
    subnets: number[];
    instanceTypes: string[];
    capacityType: "ON_DEMAND" | "SPOT";
    minSize: number;
    maxSize: number;
    desiredSize: number;
    diskSizeGb: number;
    labels: Record<string, string>;
    taints: { key: string; value: string; effect: "NO_SCHEDULE" | "NO_EXECUTE" | "PREFER_NO_SCHEDULE" }[];
}

const EFFECT = { NoSchedule: "NO_SCHEDULE", NoExecute: "NO_EXECUTE", PreferNoSchedule: "PREFER_NO_SCHEDULE" } as const;

/** Current instance families with the same vCPU:memory ratio, by class letter (general, memory, compute). */
const SAME_SHAPE_FAMILIES: Record<string, string[]> = {
    m: ["m6i", "m6a", "m7i", "m5", "m5a"],
    r: ["r6i", "r6a", "r7i", "r5", "r5a"],
    c: ["c6i", "c6a", "c7i", "c5", "c5a"],
};

/**
 * Instance types of one size for a Spot group: the configured type first, then the same size in sibling families.
 * Several Spot pools lower interruptions and capacity errors (EC2 Spot best practices: be flexible about instance
 * types, https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-best-practices.html); one size keeps the
 * Cluster Autoscaler's node template right (it assumes every type of a group has the same resources).
 */
function spotInstanceTypes(machineType: string): string[] {
    const [family, size] = machineType.split(".");
    const siblings = SAME_SHAPE_FAMILIES[family[0]]?.includes(family) ? SAME_SHAPE_FAMILIES[family[0]] : [family];
    return [...new Set([machineType, ...siblings.map((f) => `${f}.${size}`)])];
}

/**
 * Managed node groups from config: system untainted, kafka and spark dedicated by the shared pool label and taint.
 * Kafka gets one group per AZ: a broker's EBS volume is zonal, so the autoscaler must be able to add a node in that
 * AZ, which it cannot do with one group over three AZs (it picks the AZ); `--balance-similar-node-groups` keeps
 * the groups even.
 */
export function nodeGroupSpecs(pools: ClusterConfig["nodePools"], availabilityZones: readonly string[]): NodeGroupSpec[] {
    const all = availabilityZones.map((_, i) => i);
    return (["system", "kafka", "spark"] as const).flatMap((pool) => {
        const p = pools[pool];
        const taints =
            pool === "system"
                ? []
                : poolScheduling(pool).tolerations.map((t) => ({
                      key: t.key as string,
                      value: t.value as string,
                      effect: EFFECT[t.effect as keyof typeof EFFECT],
                  }));
        const base = {
            pool,
            instanceTypes: p.spot ? spotInstanceTypes(p.machineType) : [p.machineType],
            capacityType: p.spot ? ("SPOT" as const) : ("ON_DEMAND" as const),
            diskSizeGb: p.diskSizeGb,
            labels: { [POOL_LABEL]: pool },
            taints,
        };
        if (pool !== "kafka") return [{ ...base, id: pool, subnets: all, minSize: p.min, maxSize: p.max, desiredSize: p.min }];
        // The pool's size split evenly (the first AZs take the remainder): the groups' sizes add up to the pool's.
        const share = (total: number, i: number) => Math.floor(total / availabilityZones.length) + (i < total % availabilityZones.length ? 1 : 0);
        return availabilityZones.map((az, i) => {
            const min = share(p.min, i);
            return { ...base, id: `${pool}-${az}`, subnets: [i], minSize: min, maxSize: Math.max(min, share(p.max, i)), desiredSize: min };
        });
    });
}

export interface EksNodeGroupsArgs {
    clusterName: pulumi.Input<string>;
    kubernetesVersion: pulumi.Input<string>;
    nodeRoleArn: pulumi.Input<string>;
    /** Private subnets, one per AZ in availabilityZones order. */
    subnetIds: pulumi.Input<string>[];
    availabilityZones: readonly string[];
    pools: ClusterConfig["nodePools"];
    ebsKeyArn: pulumi.Input<string>;
    provider: Provider;
}

/** Managed node groups on launch templates: encrypted gp3 root volumes with the EBS key, IMDSv2 only. */
export class EksNodeGroups extends pulumi.ComponentResource {
    readonly nodeGroups: NodeGroup[];

    constructor(name: string, args: EksNodeGroupsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplatform:aws:EksNodeGroups", name, {}, opts);
        const o = { parent: this, provider: args.provider };
        this.nodeGroups = nodeGroupSpecs(args.pools, args.availabilityZones).map((spec) => {
            const lt = new LaunchTemplate(
                `${name}-${spec.id}`,
                {
                    description: `EKS ${spec.pool} nodes`,
                    updateDefaultVersion: true,
                    blockDeviceMappings: [
                        {
                            deviceName: "/dev/xvda",
                            ebs: { volumeSize: spec.diskSizeGb, volumeType: "gp3", encrypted: "true", kmsKeyId: args.ebsKeyArn, deleteOnTermination: "true" },
                        },
                    ],
                    // Hop limit 1: pods cannot reach node credentials; workloads use Pod Identity instead.
                    metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
                },
                o,
            );
            return new NodeGroup(
                `${name}-${spec.id}`,
                {
                    clusterName: args.clusterName,
                    version: args.kubernetesVersion,
                    nodeRoleArn: args.nodeRoleArn,
                    subnetIds: spec.subnets.map((i) => args.subnetIds[i]),
                    amiType: "AL2023_x86_64_STANDARD",
                    instanceTypes: spec.instanceTypes,
                    capacityType: spec.capacityType,
                    scalingConfig: { minSize: spec.minSize, maxSize: spec.maxSize, desiredSize: spec.desiredSize },
                    labels: spec.labels,
                    taints: spec.taints,
                    launchTemplate: { id: lt.id, version: pulumi.interpolate`${lt.latestVersion}` },
                    updateConfig: { maxUnavailable: 1 },
                },
                { ...o, ignoreChanges: ["scalingConfig.desiredSize"] },
            );
        });
        this.registerOutputs({ nodeGroups: this.nodeGroups.map((n) => n.nodeGroupName) });
    }
}
