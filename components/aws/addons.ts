import * as pulumi from "@pulumi/pulumi";
import { Addon } from "@pulumi/aws/eks/addon";
import { getAddonVersionOutput } from "@pulumi/aws/eks/getAddonVersion";
import { Role } from "@pulumi/aws/iam/role";
import { RolePolicy } from "@pulumi/aws/iam/rolePolicy";
import { RolePolicyAttachment } from "@pulumi/aws/iam/rolePolicyAttachment";
import type { Provider } from "@pulumi/aws/provider";
import { podIdentityTrustPolicy } from "./identity";

export type AddonName = "vpc-cni" | "kube-proxy" | "eks-pod-identity-agent" | "coredns" | "aws-ebs-csi-driver";

/** Daemon add-ons nodes need to become Ready: installed before the node groups. */
export const NETWORK_ADDONS: readonly AddonName[] = ["eks-pod-identity-agent", "vpc-cni", "kube-proxy"];
/** Deployments that need nodes to schedule on: installed after the node groups. */
export const WORKLOAD_ADDONS: readonly AddonName[] = ["coredns", "aws-ebs-csi-driver"];

/** Add-ons with their own AWS identity (Pod Identity): the ServiceAccount and AWS-managed policy. */
export const ADDON_IDENTITIES: Partial<Record<AddonName, { serviceAccount: string; policyArn: string }>> = {
    "vpc-cni": { serviceAccount: "aws-node", policyArn: "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy" },
    "aws-ebs-csi-driver": { serviceAccount: "ebs-csi-controller-sa", policyArn: "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy" },
};

/**
 * Add-on settings. The VPC CNI enforces NetworkPolicies only when asked to: without it the Kafka, Airflow and
 * other policies would be stored but ignored on EKS.
 */
const ADDON_CONFIGURATION: Partial<Record<AddonName, Record<string, unknown>>> = {
    "vpc-cni": { enableNetworkPolicy: "true" },
};

/**
 * The one place add-on versions are decided: the default build EKS publishes for the cluster's Kubernetes
 * minor (not the most recent), so versions move only with `cluster.version`.
 */
function addonVersion(addon: AddonName, kubernetesVersion: string, provider: Provider): pulumi.Output<string> {
    return getAddonVersionOutput({ addonName: addon, kubernetesVersion, mostRecent: false }, { provider }).version;
}

export interface EksAddonsArgs {
    clusterName: pulumi.Input<string>;
    kubernetesVersion: string;
    addons: readonly AddonName[];
    /** EBS key, for the CSI driver's volume encryption grants. */
    ebsKeyArn: pulumi.Input<string>;
    provider: Provider;
}

/** EKS managed add-ons; those that call AWS get their own role through Pod Identity, none through the node role. */
export class EksAddons extends pulumi.ComponentResource {
    readonly addons: Addon[] = [];

    constructor(name: string, args: EksAddonsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplatform:aws:EksAddons", name, {}, opts);
        const o = { parent: this, provider: args.provider };
        let agent: Addon | undefined;
        for (const addon of args.addons) {
            const ident = ADDON_IDENTITIES[addon];
            // Add-ons with a Pod Identity role get credentials from the agent: it must run first.
            const deps: pulumi.Resource[] = ident && agent ? [agent] : [];
            let podIdentityAssociations: { roleArn: pulumi.Input<string>; serviceAccount: string }[] | undefined;
            if (ident) {
                const role = new Role(
                    `${name}-${addon}`,
                    { assumeRolePolicy: JSON.stringify(podIdentityTrustPolicy()), description: `EKS add-on ${addon}` },
                    o,
                );
                deps.push(new RolePolicyAttachment(`${name}-${addon}`, { role: role.name, policyArn: ident.policyArn }, o));
                if (addon === "aws-ebs-csi-driver") deps.push(this.ebsKeyPolicy(`${name}-${addon}-kms`, role, args.ebsKeyArn, o));
                podIdentityAssociations = [{ roleArn: role.arn, serviceAccount: ident.serviceAccount }];
            }
            const created = new Addon(
                `${name}-${addon}`,
                {
                    clusterName: args.clusterName,
                    addonName: addon,
                    addonVersion: addonVersion(addon, args.kubernetesVersion, args.provider),
                    podIdentityAssociations,
                    configurationValues: ADDON_CONFIGURATION[addon] ? JSON.stringify(ADDON_CONFIGURATION[addon]) : undefined,
                    resolveConflictsOnCreate: "OVERWRITE",
                    resolveConflictsOnUpdate: "OVERWRITE",
                },
                { ...o, dependsOn: deps },
            );
            if (addon === "eks-pod-identity-agent") agent = created;
            this.addons.push(created);
        }
        this.registerOutputs({ addons: args.addons });
    }

    /** Encrypted volumes: the driver creates grants for EC2 on the EBS key (only for AWS resources). */
    private ebsKeyPolicy(name: string, role: Role, keyArn: pulumi.Input<string>, o: pulumi.CustomResourceOptions): RolePolicy {
        return new RolePolicy(
            name,
            {
                role: role.name,
                policy: pulumi.output(keyArn).apply((arn) =>
                    JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [
                            {
                                Sid: "UseEbsKey",
                                Effect: "Allow",
                                Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
                                Resource: arn,
                            },
                            {
                                Sid: "GrantsForVolumes",
                                Effect: "Allow",
                                Action: ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
                                Resource: arn,
                                Condition: { Bool: { "kms:GrantIsForAWSResource": true } },
                            },
                        ],
                    }),
                ),
            },
            o,
        );
    }
}
