import * as pulumi from "@pulumi/pulumi";
import { LaunchTemplate } from "@pulumi/aws/ec2/launchTemplate";
import { NodeGroup } from "@pulumi/aws/eks/nodeGroup";
import type { Provider } from "@pulumi/aws/provider";
import type { ClusterConfig } from "../config/cluster";
import { POOL_LABEL, PoolName, poolScheduling } from "../labels";

export interface NodeGroupSpec {
    pool: PoolName;
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

/** Managed node groups from config: system untainted, kafka and spark dedicated by the shared pool label and taint. */
export function nodeGroupSpecs(pools: ClusterConfig["nodePools"]): NodeGroupSpec[] {
    return (["system", "kafka", "spark"] as const).map((pool) => {
        const p = pools[pool];
        const taints = pool === "system" ? [] : poolScheduling(pool).tolerations.map((t) => ({
            key: t.key as string, value: t.value as string, effect: EFFECT[t.effect as keyof typeof EFFECT],
        }));
        return {
            pool,
            instanceTypes: [p.machineType],
            capacityType: p.spot ? "SPOT" : "ON_DEMAND",
            minSize: p.min,
            maxSize: p.max,
            desiredSize: p.min,
            diskSizeGb: p.diskSizeGb,
            labels: { [POOL_LABEL]: pool },
            taints,
        };
    });
}

export interface EksNodeGroupsArgs {
    clusterName: pulumi.Input<string>;
    kubernetesVersion: pulumi.Input<string>;
    nodeRoleArn: pulumi.Input<string>;
    subnetIds: pulumi.Input<string>[];
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
        this.nodeGroups = nodeGroupSpecs(args.pools).map((spec) => {
            const lt = new LaunchTemplate(`${name}-${spec.pool}`, {
                description: `EKS ${spec.pool} nodes`,
                updateDefaultVersion: true,
                blockDeviceMappings: [{
                    deviceName: "/dev/xvda",
                    ebs: { volumeSize: spec.diskSizeGb, volumeType: "gp3", encrypted: "true", kmsKeyId: args.ebsKeyArn, deleteOnTermination: "true" },
                }],
                // Hop limit 1: pods cannot reach node credentials; workloads use Pod Identity instead.
                metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
            }, o);
            return new NodeGroup(`${name}-${spec.pool}`, {
                clusterName: args.clusterName,
                version: args.kubernetesVersion,
                nodeRoleArn: args.nodeRoleArn,
                subnetIds: args.subnetIds,
                amiType: "AL2023_x86_64_STANDARD",
                instanceTypes: spec.instanceTypes,
                capacityType: spec.capacityType,
                scalingConfig: { minSize: spec.minSize, maxSize: spec.maxSize, desiredSize: spec.desiredSize },
                labels: spec.labels,
                taints: spec.taints,
                launchTemplate: { id: lt.id, version: pulumi.interpolate`${lt.latestVersion}` },
                updateConfig: { maxUnavailable: 1 },
            }, { ...o, ignoreChanges: ["scalingConfig.desiredSize"] });
        });
        this.registerOutputs({ nodeGroups: this.nodeGroups.map((n) => n.nodeGroupName) });
    }
}
