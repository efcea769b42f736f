import * as pulumi from "@pulumi/pulumi";
import { PodIdentityAssociation } from "@pulumi/aws/eks/podIdentityAssociation";
import { Role } from "@pulumi/aws/iam/role";
import { RolePolicy } from "@pulumi/aws/iam/rolePolicy";
import type { Provider as AwsProvider } from "@pulumi/aws/provider";
import { ServiceAccount } from "@pulumi/kubernetes/core/v1";
import type { Provider as K8sProvider } from "@pulumi/kubernetes/provider";
import type * as k8sInput from "@pulumi/kubernetes/types/input";
import type { BindArgs, Grant, IdentityBinder, WorkloadIdentity } from "../interfaces";
import type { AwsFederation } from "../gcp/aws-federation";
import type { PolicyStatement } from "./keys";

/** A bucket grant with its ARN resolved. */
export interface ResolvedBucketGrant {
    bucketArn: string;
    access: "read" | "write" | "readwrite";
    prefix?: string;
}

/** "raw/events" and "/raw/events/" both mean the folder raw/events/ (never a sibling such as raw/events-old). */
export function normalizePrefix(prefix: string | undefined): string {
    const p = (prefix ?? "").replace(/^\/+/, "");
    return p === "" || p.endsWith("/") ? p : `${p}/`;
}

/**
 * Bucket grants → IAM statements scoped to the bucket ARN and prefix, plus use of the lake's KMS key
 * (Decrypt to read, GenerateDataKey too to write). Never a `*` resource.
 */
export function s3Statements(grants: readonly ResolvedBucketGrant[], s3KeyArn: string): PolicyStatement[] {
    const out: PolicyStatement[] = [];
    grants.forEach((g, i) => {
        const prefix = normalizePrefix(g.prefix);
        const objects = `${g.bucketArn}/${prefix}*`;
        if (g.access === "read" || g.access === "readwrite") {
            out.push({ Sid: `ReadObjects${i}`, Effect: "Allow", Action: ["s3:GetObject"], Resource: objects });
            out.push(
                prefix === ""
                    ? { Sid: `ListBucket${i}`, Effect: "Allow", Action: ["s3:ListBucket"], Resource: g.bucketArn }
                    : {
                          Sid: `ListBucket${i}`,
                          Effect: "Allow",
                          Action: ["s3:ListBucket"],
                          Resource: g.bucketArn,
                          Condition: { StringLike: { "s3:prefix": [prefix, `${prefix}*`] } },
                      },
            );
        }
        if (g.access === "write" || g.access === "readwrite") {
            out.push({ Sid: `WriteObjects${i}`, Effect: "Allow", Action: ["s3:PutObject", "s3:AbortMultipartUpload"], Resource: objects });
        }
        if (g.access === "readwrite") {
            // Spark's committers and checkpoints rewrite and clean up what they own (GCS objectUser allows the same).
            out.push({ Sid: `DeleteObjects${i}`, Effect: "Allow", Action: ["s3:DeleteObject"], Resource: objects });
            out.push({ Sid: `ListUploads${i}`, Effect: "Allow", Action: ["s3:ListBucketMultipartUploads"], Resource: g.bucketArn });
        }
    });
    if (grants.length > 0) {
        const writes = grants.some((g) => g.access !== "read");
        out.push({ Sid: "LakeKey", Effect: "Allow", Action: writes ? ["kms:Decrypt", "kms:GenerateDataKey"] : ["kms:Decrypt"], Resource: s3KeyArn });
    }
    return out;
}

/** Trust of a role assumed by EKS Pod Identity (the agent tags the session with cluster, namespace, ServiceAccount). */
export function podIdentityTrustPolicy(): { Version: string; Statement: PolicyStatement[] } {
    return {
        Version: "2012-10-17",
        Statement: [{ Sid: "EksPodIdentity", Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] }],
    };
}

/** IRSA trust: only the one ServiceAccount's projected token, for STS. */
export function irsaTrustPolicy(oidcProviderArn: string, issuer: string, namespace: string, serviceAccount: string): { Version: string; Statement: unknown[] } {
    const host = issuer.replace(/^https:\/\//, "");
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "EksIrsa",
                Effect: "Allow",
                Principal: { Federated: oidcProviderArn },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: { StringEquals: { [`${host}:sub`]: `system:serviceaccount:${namespace}:${serviceAccount}`, [`${host}:aud`]: "sts.amazonaws.com" } },
            },
        ],
    };
}

export interface AwsIdentityBinderArgs {
    clusterName: pulumi.Output<string>;
    /** Region of the lake buckets (S3A endpoint). */
    region: string;
    provider: AwsProvider;
    k8sProvider: K8sProvider;
    /** The lake's KMS key. */
    s3KeyArn: pulumi.Output<string>;
    /** Set with `awsIrsa`: the cluster's IAM OIDC provider. */
    irsa?: { oidcProviderArn: pulumi.Output<string>; issuer: pulumi.Output<string> };
    /** GCP side of BigQuery access. */
    federation: AwsFederation;
}

interface AwsWorkloadIdentityArgs extends BindArgs {
    binder: AwsIdentityBinderArgs;
}

function isBucketGrant(g: Grant): g is Extract<Grant, { kind: "bucket" }> {
    return g.kind === "bucket";
}

/** One workload: its ServiceAccount, an IAM role with bucket-scoped policy, and keyless BigQuery access when granted. */
class AwsWorkloadIdentity extends pulumi.ComponentResource implements WorkloadIdentity {
    readonly namespace: pulumi.Output<string>;
    readonly serviceAccountName: string;
    readonly serviceAccount: ServiceAccount;
    readonly ready: pulumi.Resource[];
    readonly principal: pulumi.Output<string>;
    readonly podEnv: k8sInput.core.v1.EnvVar[] = [];
    readonly podVolumes: k8sInput.core.v1.Volume[] = [];
    readonly podVolumeMounts: k8sInput.core.v1.VolumeMount[] = [];
    readonly sparkConf: Readonly<Record<string, string>>;

    constructor(name: string, args: AwsWorkloadIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplatform:aws:WorkloadIdentity", name, {}, opts);
        const b = args.binder;
        this.sparkConf = s3aSparkConf(b.region);
        const o = { parent: this, provider: b.provider };
        this.namespace = pulumi.output(args.namespace);
        this.serviceAccountName = args.serviceAccountName;
        const sa = args.serviceAccountName;

        const irsa = b.irsa;
        const role = new Role(
            name,
            {
                description: `Workload ${sa}`,
                assumeRolePolicy: irsa
                    ? pulumi
                          .all([irsa.oidcProviderArn, irsa.issuer, this.namespace])
                          .apply(([arn, iss, ns]) => JSON.stringify(irsaTrustPolicy(arn, iss, ns, sa)))
                    : JSON.stringify(podIdentityTrustPolicy()),
            },
            o,
        );

        const buckets = args.grants.filter(isBucketGrant);
        const deps: pulumi.Resource[] = [];
        if (buckets.length > 0) {
            const resolved = pulumi.all(
                buckets.map((g) => {
                    if (!g.bucket.arn) throw new Error(`bucket ${g.bucket.logicalName} has no ARN: not an S3 bucket`);
                    return g.bucket.arn;
                }),
            );
            deps.push(
                new RolePolicy(
                    `${name}-s3`,
                    {
                        role: role.name,
                        policy: pulumi.all([resolved, b.s3KeyArn]).apply(([arns, key]) =>
                            JSON.stringify({
                                Version: "2012-10-17",
                                Statement: s3Statements(
                                    buckets.map((g, i) => ({ bucketArn: arns[i], access: g.access, prefix: g.prefix })),
                                    key,
                                ),
                            }),
                        ),
                    },
                    o,
                ),
            );
        }

        this.serviceAccount = new ServiceAccount(
            name,
            {
                metadata: {
                    name: sa,
                    namespace: args.namespace,
                    labels: args.labels,
                    annotations: irsa ? { "eks.amazonaws.com/role-arn": role.arn } : undefined,
                },
            },
            { parent: this, provider: b.k8sProvider },
        );
        this.ready = [this.serviceAccount, role, ...deps];
        if (!irsa) {
            this.ready.push(
                new PodIdentityAssociation(
                    name,
                    { clusterName: b.clusterName, namespace: this.namespace, serviceAccount: sa, roleArn: role.arn },
                    { ...o, dependsOn: deps },
                ),
            );
        }

        if (args.grants.some((g) => g.kind !== "bucket")) {
            const access = b.federation.bind(
                name,
                { namespace: args.namespace, serviceAccountName: sa, grants: args.grants, k8sProvider: b.k8sProvider },
                this,
            );
            this.ready.push(...access.ready);
            this.podEnv.push(...access.podEnv);
            this.podVolumes.push(...access.podVolumes);
            this.podVolumeMounts.push(...access.podVolumeMounts);
        }

        this.principal = role.arn;
        this.registerOutputs({ principal: this.principal, serviceAccountName: sa });
    }
}

/** The AWS binder: one IAM role per workload, bound by EKS Pod Identity (or IRSA), BigQuery through federation. */
export class AwsIdentityBinder implements IdentityBinder {
    constructor(private readonly args: AwsIdentityBinderArgs) {}

    bind(name: string, args: BindArgs, opts?: pulumi.ComponentResourceOptions): WorkloadIdentity {
        return new AwsWorkloadIdentity(name, { ...args, binder: this.args }, opts);
    }
}

/** S3A with the SDK's default chain, which picks up EKS Pod Identity (or IRSA) credentials. */
function s3aSparkConf(region: string): Record<string, string> {
    return {
        "spark.hadoop.fs.s3a.impl": "org.apache.hadoop.fs.s3a.S3AFileSystem",
        "spark.hadoop.fs.s3a.aws.credentials.provider": "software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider",
        "spark.hadoop.fs.s3a.endpoint.region": region,
    };
}
