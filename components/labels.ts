import * as pulumi from "@pulumi/pulumi";
import type * as k8sInput from "@pulumi/kubernetes/types/input";
import type { PlatformConfig } from "./config";

/**
 * Cost and ownership labels, applied in this one place: a stack transformation adds them to every
 * taggable resource, so components never repeat them. The policy pack checks the same map.
 */
export function platformLabels(cfg: Pick<PlatformConfig, "environment" | "labels">): Record<string, string> {
    return { env: cfg.environment, team: cfg.labels.team, "cost-center": cfg.labels["cost-center"], "managed-by": "pulumi" };
}

/** Where each taggable type keeps its labels/tags (a dotted path into its inputs). */
export const LABEL_PATHS: Readonly<Record<string, string>> = {
    "gcp:storage/bucket:Bucket": "labels",
    "gcp:bigquery/dataset:Dataset": "labels",
    "gcp:bigquery/table:Table": "labels",
    "gcp:kms/cryptoKey:CryptoKey": "labels",
    "gcp:container/cluster:Cluster": "resourceLabels",
    "gcp:container/nodePool:NodePool": "nodeConfig.resourceLabels",
    "gcp:sql/databaseInstance:DatabaseInstance": "settings.userLabels",
    "gcp:compute/disk:Disk": "labels",
    "gcp:compute/globalAddress:GlobalAddress": "labels",
    "gcp:artifactregistry/repository:Repository": "labels",
    "aws:ec2/vpc:Vpc": "tags",
    "aws:ec2/subnet:Subnet": "tags",
    "aws:ec2/internetGateway:InternetGateway": "tags",
    "aws:ec2/natGateway:NatGateway": "tags",
    "aws:ec2/eip:Eip": "tags",
    "aws:ec2/routeTable:RouteTable": "tags",
    "aws:ec2/securityGroup:SecurityGroup": "tags",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "tags",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "tags",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "tags",
    "aws:ec2/flowLog:FlowLog": "tags",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "tags",
    "aws:ec2/launchTemplate:LaunchTemplate": "tags",
    "aws:kms/key:Key": "tags",
    "aws:eks/cluster:Cluster": "tags",
    "aws:eks/nodeGroup:NodeGroup": "tags",
    "aws:eks/addon:Addon": "tags",
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": "tags",
    "aws:eks/accessEntry:AccessEntry": "tags",
    "aws:iam/role:Role": "tags",
    "aws:iam/policy:Policy": "tags",
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": "tags",
    "aws:s3/bucket:Bucket": "tags",
    "aws:s3/bucketV2:BucketV2": "tags",
    "aws:rds/instance:Instance": "tags",
    "aws:rds/subnetGroup:SubnetGroup": "tags",
    "aws:rds/parameterGroup:ParameterGroup": "tags",
    "aws:cloudwatch/logGroup:LogGroup": "tags",
    "aws:budgets/budget:Budget": "tags",
    "aws:ecr/repository:Repository": "tags",
    "aws:secretsmanager/secret:Secret": "tags",
};

/** A value only known later: wrapping it (or a block containing it) in an Output cannot be avoided. */
function isEventual(v: unknown): boolean {
    return pulumi.Output.isInstance(v) || v instanceof Promise;
}

/** Platform labels first, so a component may override a value on purpose. Plain stays plain. */
function merge(existing: unknown, labels: Record<string, string>): pulumi.Input<Record<string, string>> {
    if (isEventual(existing)) return pulumi.output(existing as pulumi.Input<Record<string, string> | undefined>).apply((e) => ({ ...labels, ...(e ?? {}) }));
    return { ...labels, ...((existing as Record<string, string> | undefined) ?? {}) };
}

/**
 * Sets the labels at a dotted path. Plain enclosing blocks (nodeConfig, settings) are copied, never wrapped in
 * an Output: a wrapped block is unknown as a whole in a first preview, hiding every field from the policies.
 */
function setPath(props: Record<string, any>, path: string, labels: Record<string, string>): Record<string, any> {
    const [head, ...rest] = path.split(".");
    if (rest.length === 0) return { ...props, [head]: merge(props[head], labels) };
    const inner = props[head];
    if (isEventual(inner)) {
        return {
            ...props,
            [head]: pulumi.output(inner as pulumi.Input<Record<string, any> | undefined>).apply((i) => setPath(i ?? {}, rest.join("."), labels)),
        };
    }
    return { ...props, [head]: setPath((inner as Record<string, any> | undefined) ?? {}, rest.join("."), labels) };
}

/** Instances and volumes a node group launches carry the tags through the launch template's tag specifications. */
function launchTemplateTags(props: Record<string, any>, labels: Record<string, string>): Record<string, any> {
    type Spec = { resourceType: string; tags?: Record<string, string> };
    const add = (existing: Spec[] | undefined): Spec[] => {
        const out = [...(existing ?? [])];
        for (const resourceType of ["instance", "volume"]) {
            const i = out.findIndex((s) => s.resourceType === resourceType);
            if (i < 0) out.push({ resourceType, tags: labels });
            else out[i] = { ...out[i], tags: { ...labels, ...(out[i].tags ?? {}) } };
        }
        return out;
    };
    const existing = props.tagSpecifications;
    const specs = isEventual(existing) ? pulumi.output(existing as pulumi.Input<Spec[] | undefined>).apply(add) : add(existing as Spec[] | undefined);
    return { ...props, tagSpecifications: specs };
}

/** Kubernetes objects get the same ownership labels as recommended `app.kubernetes.io` labels plus cost labels. */
function k8sLabels(labels: Record<string, string>): Record<string, string> {
    return { "app.kubernetes.io/part-of": "dataplatform", "app.kubernetes.io/managed-by": "pulumi", ...labels };
}

/** Registers the one transformation that labels every taggable resource of the stack. */
export function registerLabels(cfg: Pick<PlatformConfig, "environment" | "labels">): void {
    const labels = platformLabels(cfg);
    pulumi.runtime.registerStackTransformation((args) => {
        const path = LABEL_PATHS[args.type];
        if (path) {
            const props = setPath(args.props, path, labels);
            return { props: args.type === "aws:ec2/launchTemplate:LaunchTemplate" ? launchTemplateTags(props, labels) : props, opts: args.opts };
        }
        if (
            args.type.startsWith("kubernetes:") &&
            !args.type.startsWith("kubernetes:helm.sh") &&
            args.type !== "pulumi:providers:kubernetes" &&
            args.props.metadata !== undefined
        ) {
            return { props: setPath(args.props, "metadata.labels", k8sLabels(labels)), opts: args.opts };
        }
        return undefined;
    });
}

/** Label and taint that pin workloads to the dedicated node pools (applied by both clouds' node pools). */
export const POOL_LABEL = "dataplatform.io/pool";
export type PoolName = "system" | "kafka" | "spark";

export function poolScheduling(pool: "kafka" | "spark"): { nodeSelector: Record<string, string>; tolerations: k8sInput.core.v1.Toleration[] } {
    return {
        nodeSelector: { [POOL_LABEL]: pool },
        tolerations: [{ key: POOL_LABEL, operator: "Equal", value: pool, effect: "NoSchedule" }],
    };
}
