import * as pulumi from "@pulumi/pulumi";
import { PodIdentityAssociation } from "@pulumi/aws/eks/podIdentityAssociation";
import { Role } from "@pulumi/aws/iam/role";
import { RolePolicy } from "@pulumi/aws/iam/rolePolicy";
import type { Provider as AwsProvider } from "@pulumi/aws/provider";
import { Deployment } from "@pulumi/kubernetes/apps/v1";
import { ServiceAccount } from "@pulumi/kubernetes/core/v1";
import type { Provider as K8sProvider } from "@pulumi/kubernetes/provider";
import { ClusterRole, ClusterRoleBinding, Role as K8sRole, RoleBinding } from "@pulumi/kubernetes/rbac/v1";
import { POOL_LABEL } from "../labels";
import { IMAGES } from "../versions";
import { podIdentityTrustPolicy } from "./identity";
import type { PolicyStatement } from "./keys";

const NAME = "cluster-autoscaler";
const NAMESPACE = "kube-system";

/** Least privilege for the autoscaler: resize only this cluster's node group ASGs (tagged by EKS), describe the rest. */
export function autoscalerPolicy(clusterName: string, accountId: string, region: string): { Version: string; Statement: PolicyStatement[] } {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "ResizeOwnNodeGroups",
                Effect: "Allow",
                Action: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
                Resource: `arn:aws:autoscaling:${region}:${accountId}:autoScalingGroup:*:autoScalingGroupName/*`,
                Condition: { StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${clusterName}`]: "owned" } },
            },
            // Describe calls support no resource-level scoping.
            {
                Sid: "Describe",
                Effect: "Allow",
                Action: [
                    "autoscaling:DescribeAutoScalingGroups",
                    "autoscaling:DescribeAutoScalingInstances",
                    "autoscaling:DescribeLaunchConfigurations",
                    "autoscaling:DescribeScalingActivities",
                    "autoscaling:DescribeTags",
                    "ec2:DescribeImages",
                    "ec2:DescribeInstanceTypes",
                    "ec2:DescribeLaunchTemplateVersions",
                    "ec2:GetInstanceTypesFromInstanceRequirements",
                ],
                Resource: "*",
            },
            // Labels and taints of empty node groups, for scale-from-zero of the Spark pool.
            {
                Sid: "DescribeNodeGroups",
                Effect: "Allow",
                Action: ["eks:DescribeNodegroup"],
                Resource: `arn:aws:eks:${region}:${accountId}:nodegroup/${clusterName}/*/*`,
            },
        ],
    };
}

/** Command-line flags: auto-discovery of this cluster's node groups, balanced across AZs. */
export function autoscalerArgs(clusterName: string): string[] {
    return [
        "./cluster-autoscaler",
        "--cloud-provider=aws",
        `--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/${clusterName}`,
        "--balance-similar-node-groups",
        "--expander=least-waste",
        "--skip-nodes-with-local-storage=false",
        "--skip-nodes-with-system-pods=false",
        "--stderrthreshold=info",
        "--v=2",
    ];
}

export interface ClusterAutoscalerArgs {
    clusterName: string;
    accountId: string;
    region: string;
    provider: AwsProvider;
    k8sProvider: K8sProvider;
}

/** Cluster Autoscaler for the managed node groups (EKS does not scale them itself; the Spark pool starts at zero). */
export class ClusterAutoscaler extends pulumi.ComponentResource {
    constructor(name: string, args: ClusterAutoscalerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplatform:aws:ClusterAutoscaler", name, {}, opts);
        const aws = { parent: this, provider: args.provider };
        const k8s = { parent: this, provider: args.k8sProvider };
        const role = new Role(name, { assumeRolePolicy: JSON.stringify(podIdentityTrustPolicy()), description: "Cluster Autoscaler" }, aws);
        const policy = new RolePolicy(name, { role: role.name, policy: JSON.stringify(autoscalerPolicy(args.clusterName, args.accountId, args.region)) }, aws);
        // The association must exist before the pod starts, or the pod gets no credentials injected.
        const assoc = new PodIdentityAssociation(
            name,
            { clusterName: args.clusterName, namespace: NAMESPACE, serviceAccount: NAME, roleArn: role.arn },
            { ...aws, dependsOn: [policy] },
        );

        const meta = { name: NAME, namespace: NAMESPACE };
        const sa = new ServiceAccount(name, { metadata: meta }, k8s);
        const read = ["get", "list", "watch"];
        const clusterRole = new ClusterRole(
            name,
            {
                metadata: { name: NAME },
                rules: [
                    { apiGroups: [""], resources: ["events", "endpoints"], verbs: ["create", "patch"] },
                    { apiGroups: [""], resources: ["pods/eviction"], verbs: ["create"] },
                    { apiGroups: [""], resources: ["pods/status"], verbs: ["update"] },
                    { apiGroups: [""], resources: ["endpoints"], resourceNames: [NAME], verbs: ["get", "update"] },
                    { apiGroups: [""], resources: ["nodes"], verbs: [...read, "update"] },
                    {
                        apiGroups: [""],
                        resources: ["namespaces", "pods", "services", "replicationcontrollers", "persistentvolumeclaims", "persistentvolumes"],
                        verbs: read,
                    },
                    { apiGroups: ["apps"], resources: ["statefulsets", "replicasets", "daemonsets"], verbs: read },
                    { apiGroups: ["policy"], resources: ["poddisruptionbudgets"], verbs: ["list", "watch"] },
                    {
                        apiGroups: ["storage.k8s.io"],
                        resources: ["storageclasses", "csinodes", "csidrivers", "csistoragecapacities", "volumeattachments"],
                        verbs: read,
                    },
                    { apiGroups: ["batch"], resources: ["jobs", "cronjobs"], verbs: read },
                    { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create"] },
                    { apiGroups: ["coordination.k8s.io"], resources: ["leases"], resourceNames: [NAME], verbs: ["get", "update"] },
                ],
            },
            k8s,
        );
        new ClusterRoleBinding(
            name,
            {
                metadata: { name: NAME },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: clusterRole.metadata.name },
                subjects: [{ kind: "ServiceAccount", name: NAME, namespace: NAMESPACE }],
            },
            k8s,
        );
        const nsRole = new K8sRole(
            name,
            {
                metadata: meta,
                rules: [
                    { apiGroups: [""], resources: ["configmaps"], verbs: ["create", "list", "watch"] },
                    { apiGroups: [""], resources: ["configmaps"], resourceNames: ["cluster-autoscaler-status"], verbs: ["delete", "get", "update", "watch"] },
                ],
            },
            k8s,
        );
        new RoleBinding(
            name,
            {
                metadata: meta,
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: nsRole.metadata.name },
                subjects: [{ kind: "ServiceAccount", name: NAME, namespace: NAMESPACE }],
            },
            k8s,
        );

        const labels = { "app.kubernetes.io/name": NAME };
        new Deployment(
            name,
            {
                metadata: { ...meta, labels },
                spec: {
                    replicas: 1,
                    selector: { matchLabels: labels },
                    template: {
                        metadata: { labels },
                        spec: {
                            serviceAccountName: sa.metadata.name,
                            priorityClassName: "system-cluster-critical",
                            // On the on-demand system pool: never on the Spot nodes it scales.
                            nodeSelector: { [POOL_LABEL]: "system" },
                            securityContext: { runAsNonRoot: true, runAsUser: 65534, fsGroup: 65534, seccompProfile: { type: "RuntimeDefault" } },
                            containers: [
                                {
                                    name: NAME,
                                    image: IMAGES.clusterAutoscaler,
                                    command: autoscalerArgs(args.clusterName),
                                    env: [{ name: "AWS_REGION", value: args.region }],
                                    resources: { requests: { cpu: "100m", memory: "300Mi" }, limits: { memory: "600Mi" } },
                                    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                                },
                            ],
                        },
                    },
                },
            },
            { ...k8s, dependsOn: [assoc] },
        );
        this.registerOutputs({ roleArn: role.arn });
    }
}
