import * as pulumi from "@pulumi/pulumi";
import { LogGroup } from "@pulumi/aws/cloudwatch/logGroup";
import { AccessEntry } from "@pulumi/aws/eks/accessEntry";
import { AccessPolicyAssociation } from "@pulumi/aws/eks/accessPolicyAssociation";
import { Cluster } from "@pulumi/aws/eks/cluster";
import { Role } from "@pulumi/aws/iam/role";
import { RolePolicy } from "@pulumi/aws/iam/rolePolicy";
import { RolePolicyAttachment } from "@pulumi/aws/iam/rolePolicyAttachment";
import type { Provider } from "@pulumi/aws/provider";
import type { ClusterConfig } from "../config/cluster";
import { EksAddons, NETWORK_ADDONS, WORKLOAD_ADDONS } from "./addons";
import { EksNodeGroups } from "./nodegroups";
import { logRetentionDays } from "./keys";

export const CONTROL_PLANE_LOGS = ["api", "audit", "authenticator"] as const;
export const CLUSTER_ADMIN_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";
const NODE_POLICIES = ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryReadOnly"];

/** API endpoint exposure: always private; public only for an explicit allow-list. */
export function endpointAccess(allowedCidrs: readonly string[]): { endpointPrivateAccess: true; endpointPublicAccess: boolean; publicAccessCidrs?: string[] } {
    return allowedCidrs.length > 0
        ? { endpointPrivateAccess: true, endpointPublicAccess: true, publicAccessCidrs: [...allowedCidrs] }
        : { endpointPrivateAccess: true, endpointPublicAccess: false };
}

function serviceTrust(service: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            { Effect: "Allow", Principal: { Service: service }, Action: ["sts:AssumeRole", ...(service === "eks.amazonaws.com" ? ["sts:TagSession"] : [])] },
        ],
    });
}

export interface EksClusterArgs {
    clusterName: string;
    cluster: ClusterConfig;
    environment: "staging" | "prod";
    /** Private subnets, one per AZ in availabilityZones order. */
    subnetIds: pulumi.Input<string>[];
    availabilityZones: readonly string[];
    controlPlaneAllowedCidrs: readonly string[];
    adminRoleArns: readonly string[];
    eksKeyArn: pulumi.Input<string>;
    ebsKeyArn: pulumi.Input<string>;
    /** CMK of the control-plane log group. */
    logsKeyArn: pulumi.Input<string>;
    provider: Provider;
}

/** EKS control plane (private, secrets envelope-encrypted, audited, access entries only), node groups and add-ons. */
export class EksCluster extends pulumi.ComponentResource {
    readonly cluster: Cluster;
    readonly name: pulumi.Output<string>;
    readonly endpoint: pulumi.Output<string>;
    readonly caCertificate: pulumi.Output<string>;
    readonly oidcIssuer: pulumi.Output<string>;
    readonly securityGroupId: pulumi.Output<string>;
    /** Cluster administration is in place (access entries with their policies): the Kubernetes provider waits for it. */
    readonly adminAccess: pulumi.Resource[];
    readonly workloadAddons: EksAddons;
    readonly nodeGroups: EksNodeGroups;

    constructor(name: string, args: EksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplatform:aws:EksCluster", name, {}, opts);
        const o = { parent: this, provider: args.provider };
        const prod = args.environment === "prod";

        const role = new Role(`${name}-cluster`, { assumeRolePolicy: serviceTrust("eks.amazonaws.com"), description: "EKS control plane" }, o);
        const rolePolicy = new RolePolicyAttachment(`${name}-cluster`, { role: role.name, policyArn: "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy" }, o);
        const keyUse = new RolePolicy(
            `${name}-cluster-kms`,
            {
                role: role.name,
                policy: pulumi.output(args.eksKeyArn).apply((arn) =>
                    JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [
                            {
                                Sid: "SecretsEnvelopeEncryption",
                                Effect: "Allow",
                                Action: ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"],
                                Resource: arn,
                            },
                        ],
                    }),
                ),
            },
            o,
        );
        // Created before the cluster so EKS does not create it with unlimited retention.
        const logs = new LogGroup(
            `${name}-control-plane`,
            {
                name: `/aws/eks/${args.clusterName}/cluster`,
                retentionInDays: logRetentionDays(args.environment),
                kmsKeyId: args.logsKeyArn,
            },
            o,
        );

        this.cluster = new Cluster(
            name,
            {
                name: args.clusterName,
                version: args.cluster.version,
                roleArn: role.arn,
                vpcConfig: { subnetIds: args.subnetIds, ...endpointAccess(args.controlPlaneAllowedCidrs) },
                encryptionConfig: { resources: ["secrets"], provider: { keyArn: args.eksKeyArn } },
                enabledClusterLogTypes: [...CONTROL_PLANE_LOGS],
                accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false },
                // Networking add-ons come as managed add-ons below, with pinned versions and their own identities.
                bootstrapSelfManagedAddons: false,
                deletionProtection: prod,
                upgradePolicy: { supportType: "STANDARD" },
            },
            { ...o, dependsOn: [rolePolicy, keyUse, logs], protect: prod },
        );

        this.adminAccess = args.adminRoleArns.flatMap((arn, i) => {
            const entry = new AccessEntry(`${name}-admin-${i}`, { clusterName: this.cluster.name, principalArn: arn, type: "STANDARD" }, o);
            const assoc = new AccessPolicyAssociation(
                `${name}-admin-${i}`,
                {
                    clusterName: this.cluster.name,
                    principalArn: arn,
                    policyArn: CLUSTER_ADMIN_POLICY,
                    accessScope: { type: "cluster" },
                },
                { ...o, dependsOn: [entry] },
            );
            return [entry, assoc];
        });

        const nodeRole = new Role(`${name}-node`, { assumeRolePolicy: serviceTrust("ec2.amazonaws.com"), description: "EKS managed nodes" }, o);
        const nodePolicies = NODE_POLICIES.map(
            (p) => new RolePolicyAttachment(`${name}-node-${p}`, { role: nodeRole.name, policyArn: `arn:aws:iam::aws:policy/${p}` }, o),
        );

        const networkAddons = new EksAddons(
            `${name}-network`,
            {
                clusterName: this.cluster.name,
                kubernetesVersion: args.cluster.version,
                addons: NETWORK_ADDONS,
                ebsKeyArn: args.ebsKeyArn,
                provider: args.provider,
            },
            { parent: this },
        );
        const nodeGroups = (this.nodeGroups = new EksNodeGroups(
            `${name}-nodes`,
            {
                clusterName: this.cluster.name,
                kubernetesVersion: this.cluster.version,
                nodeRoleArn: nodeRole.arn,
                subnetIds: args.subnetIds,
                availabilityZones: args.availabilityZones,
                pools: args.cluster.nodePools,
                ebsKeyArn: args.ebsKeyArn,
                provider: args.provider,
            },
            { parent: this, dependsOn: [networkAddons, ...nodePolicies] },
        ));
        this.workloadAddons = new EksAddons(
            `${name}-workloads`,
            {
                clusterName: this.cluster.name,
                kubernetesVersion: args.cluster.version,
                addons: WORKLOAD_ADDONS,
                ebsKeyArn: args.ebsKeyArn,
                provider: args.provider,
            },
            { parent: this, dependsOn: [nodeGroups] },
        );

        this.name = this.cluster.name;
        this.endpoint = this.cluster.endpoint;
        this.caCertificate = this.cluster.certificateAuthority.apply((ca) => Buffer.from(ca.data ?? "", "base64").toString("utf8"));
        this.oidcIssuer = this.cluster.identities.apply((ids) => ids[0]?.oidcs?.[0]?.issuer ?? "");
        this.securityGroupId = this.cluster.vpcConfig.apply((v) => v.clusterSecurityGroupId ?? "");
        this.registerOutputs({ name: this.name, endpoint: this.endpoint, oidcIssuer: this.oidcIssuer, securityGroupId: this.securityGroupId });
    }
}
