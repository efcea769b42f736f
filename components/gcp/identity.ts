import * as pulumi from "@pulumi/pulumi";
import * as crypto from "crypto";
import type { Provider as GcpProvider } from "@pulumi/gcp/provider";
import type { Provider as K8sProvider } from "@pulumi/kubernetes/provider";
import { ServiceAccount } from "@pulumi/kubernetes/core/v1";
import type * as k8sInput from "@pulumi/kubernetes/types/input";
import { BucketIAMMember } from "@pulumi/gcp/storage/bucketIAMMember";
import { DatasetIamMember } from "@pulumi/gcp/bigquery/datasetIamMember";
import { IAMMember as ProjectIAMMember } from "@pulumi/gcp/projects/iammember";
import { Account } from "@pulumi/gcp/serviceaccount/account";
import { IAMMember as ServiceAccountIAMMember } from "@pulumi/gcp/serviceaccount/iammember";
import type { BindArgs, Grant, IdentityBinder, WorkloadIdentity } from "../interfaces";

/** A grant as a single IAM binding: where it applies, which role, and an optional condition. */
export interface GcpBinding {
    scope: "bucket" | "dataset" | "project";
    role: string;
    condition?: { title: string; description: string; expression: string };
}

export const BUCKET_ROLES = { read: "roles/storage.objectViewer", write: "roles/storage.objectCreator", readwrite: "roles/storage.objectUser" } as const;
export const DATASET_ROLES = { read: "roles/bigquery.dataViewer", edit: "roles/bigquery.dataEditor" } as const;

/** A grant with its bucket name resolved (the only value a binding's condition depends on). */
export type ResolvedGrant =
    | { kind: "bucket"; bucketName: string; access: "read" | "write" | "readwrite"; prefix?: string }
    | { kind: "dataset"; access: "read" | "edit" }
    | { kind: "bigqueryJobs" }
    | { kind: "bigqueryReadSessions" };

/**
 * The narrowest IAM binding of a grant. A prefix becomes a condition on object names, plus listing
 * restricted to that prefix (list is checked on the bucket, with the requested prefix as an API attribute).
 */
export function gcpBinding(g: ResolvedGrant): GcpBinding {
    switch (g.kind) {
        case "bucket": {
            const role = BUCKET_ROLES[g.access];
            if (g.prefix === undefined || g.prefix === "") return { scope: "bucket", role };
            const prefix = g.prefix.replace(/^\/+/, "");
            if (/["\\]/.test(prefix))
                throw new Error(`bucket grant on ${g.bucketName}: prefix ${JSON.stringify(g.prefix)} must not contain quotes or backslashes`);
            const objects = `projects/_/buckets/${g.bucketName}/objects/${prefix}`;
            return {
                scope: "bucket",
                role,
                condition: {
                    title: `prefix ${prefix}`.slice(0, 100),
                    description: `Objects under gs://${g.bucketName}/${prefix} only`,
                    expression: `resource.name.startsWith("${objects}") || (resource.type == "storage.googleapis.com/Bucket" && api.getAttribute("storage.googleapis.com/objectListPrefix", "").startsWith("${prefix}"))`,
                },
            };
        }
        case "dataset":
            return { scope: "dataset", role: DATASET_ROLES[g.access] };
        case "bigqueryJobs":
            return { scope: "project", role: "roles/bigquery.jobUser" };
        case "bigqueryReadSessions":
            return { scope: "project", role: "roles/bigquery.readSessionUser" };
    }
}

/** Workload Identity Federation principal of a Kubernetes ServiceAccount. */
export function wifPrincipal(projectNumber: string, workloadPool: string, namespace: string, serviceAccount: string): string {
    return `principal://iam.googleapis.com/projects/${projectNumber}/locations/global/workloadIdentityPools/${workloadPool}/subject/ns/${namespace}/sa/${serviceAccount}`;
}

/**
 * The member string a BigQuery dataset IAM resource accepts. The provider maps members onto dataset access
 * entries by their prefix (user/group/domain/serviceAccount/iamMember, or a special group) and refuses any
 * other prefix, so a federated `principal://…` is written `iamMember:principal://…` there
 * (terraform-provider-google, services/bigquery/iam_bigquery_member_dataset.go, iamMemberToAccess; the
 * member docs of @pulumi/gcp bigquery.DatasetIamMember). Bucket and project IAM take the bare principal.
 */
export function datasetIamMember(member: string): string {
    return /^principal(Set)?:\/\//.test(member) ? `iamMember:${member}` : member;
}

/** Member allowed to impersonate a Google service account from a Kubernetes ServiceAccount. */
export function ksaImpersonationMember(workloadPool: string, namespace: string, serviceAccount: string): string {
    return `serviceAccount:${workloadPool}[${namespace}/${serviceAccount}]`;
}

/** A valid, stable Google service account id (6-30 chars) for a workload. */
export function gsaAccountId(stack: string, name: string): string {
    const base = `wi-${name}`
        .toLowerCase()
        .replace(/[^a-z0-9-]/g, "-")
        .replace(/-+/g, "-");
    const h = crypto.createHash("sha256").update(`${stack}/${name}`).digest("hex").slice(0, 6);
    return `${base.slice(0, 23).replace(/-$/, "")}-${h}`;
}

export interface GcpIdentityBinderArgs {
    /** Cluster project (impersonated service accounts, GCS connector) and warehouse project (BigQuery roles). */
    project: string;
    warehouseProject: string;
    stack: string;
    /** gcpImpersonation: bind through an impersonated Google service account instead of direct principal:// bindings. */
    impersonation: boolean;
    /** Provider of the cluster project (GSAs) and of the warehouse project (datasets, BigQuery roles). */
    provider: GcpProvider;
    warehouseProvider: GcpProvider;
    k8sProvider: K8sProvider;
    projectNumber: pulumi.Input<string>;
    workloadPool: string;
    /** Resources the bindings wait for (the cluster, so the workload pool exists). */
    dependsOn?: pulumi.Resource[];
}

interface GcpWorkloadIdentityArgs extends BindArgs {
    binder: GcpIdentityBinderArgs;
}

/** One workload: its Kubernetes ServiceAccount and resource-scoped IAM bindings (direct or via an impersonated GSA). */
class GcpWorkloadIdentity extends pulumi.ComponentResource implements WorkloadIdentity {
    readonly namespace: pulumi.Output<string>;
    readonly serviceAccountName: string;
    readonly serviceAccount: ServiceAccount;
    readonly ready: pulumi.Resource[] = [];
    readonly principal: pulumi.Output<string>;
    readonly podEnv: k8sInput.core.v1.EnvVar[] = [];
    readonly podVolumes: k8sInput.core.v1.Volume[] = [];
    readonly podVolumeMounts: k8sInput.core.v1.VolumeMount[] = [];
    readonly sparkConf: Readonly<Record<string, string>>;

    constructor(name: string, args: GcpWorkloadIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplatform:gcp:WorkloadIdentity", name, {}, opts);
        const b = args.binder;
        this.sparkConf = gcsSparkConf(b.project);
        const ns = pulumi.output(args.namespace);
        const ksa = args.serviceAccountName;
        this.namespace = ns;
        this.serviceAccountName = ksa;
        const gcpOpts = { parent: this, provider: b.provider, dependsOn: b.dependsOn };
        const whOpts = { parent: this, provider: b.warehouseProvider, dependsOn: b.dependsOn };

        let member: pulumi.Output<string>;
        let annotations: Record<string, pulumi.Input<string>> = {};
        if (b.impersonation) {
            const gsa = new Account(
                `${name}-gsa`,
                {
                    accountId: gsaAccountId(b.stack, name),
                    project: b.project,
                    displayName: `Workload ${ksa} (${b.stack})`,
                    description: "Impersonated by one Kubernetes ServiceAccount through Workload Identity; no keys",
                },
                gcpOpts,
            );
            this.ready.push(
                new ServiceAccountIAMMember(
                    `${name}-wi-user`,
                    {
                        serviceAccountId: gsa.name,
                        role: "roles/iam.workloadIdentityUser",
                        member: ns.apply((n) => ksaImpersonationMember(b.workloadPool, n, ksa)),
                    },
                    gcpOpts,
                ),
            );
            member = gsa.member;
            this.principal = gsa.email;
            annotations = { "iam.gke.io/gcp-service-account": gsa.email };
        } else {
            member = pulumi.all([b.projectNumber, ns]).apply(([num, n]) => wifPrincipal(num, b.workloadPool, n, ksa));
            this.principal = member;
        }

        args.grants.forEach((g, i) => this.ready.push(this.bindGrant(`${name}-${grantSuffix(g, i)}`, g, member, b.warehouseProject, gcpOpts, whOpts)));

        this.serviceAccount = new ServiceAccount(
            `${name}-ksa`,
            {
                metadata: { name: ksa, namespace: ns, labels: args.labels, annotations },
            },
            { parent: this, provider: b.k8sProvider },
        );
        this.ready.push(this.serviceAccount);

        this.registerOutputs({ principal: this.principal, namespace: this.namespace });
    }

    private bindGrant(
        name: string,
        g: Grant,
        member: pulumi.Input<string>,
        warehouseProject: string,
        gcpOpts: pulumi.CustomResourceOptions,
        whOpts: pulumi.CustomResourceOptions,
    ): pulumi.Resource {
        switch (g.kind) {
            case "bucket": {
                const binding = g.bucket.name.apply((bucketName) => gcpBinding({ kind: "bucket", bucketName, access: g.access, prefix: g.prefix }));
                return new BucketIAMMember(
                    name,
                    {
                        bucket: g.bucket.name,
                        role: binding.role,
                        member,
                        condition: g.prefix ? binding.apply((x) => x.condition!) : undefined,
                    },
                    { ...gcpOpts, dependsOn: [g.bucket.resource, ...((gcpOpts.dependsOn as pulumi.Resource[] | undefined) ?? [])] },
                );
            }
            case "dataset":
                return new DatasetIamMember(
                    name,
                    {
                        project: g.dataset.project,
                        datasetId: g.dataset.datasetId,
                        role: gcpBinding({ kind: "dataset", access: g.access }).role,
                        member: pulumi.output(member).apply(datasetIamMember),
                    },
                    { ...whOpts, dependsOn: [g.dataset.resource, ...((whOpts.dependsOn as pulumi.Resource[] | undefined) ?? [])] },
                );
            case "bigqueryJobs":
            case "bigqueryReadSessions":
                return new ProjectIAMMember(name, { project: warehouseProject, role: gcpBinding(g).role, member }, whOpts);
        }
    }
}

function grantSuffix(g: Grant, i: number): string {
    switch (g.kind) {
        case "bucket":
            return `bucket-${g.bucket.logicalName}-${g.access}${g.prefix ? `-p${i}` : ""}`;
        case "dataset":
            return `dataset-${g.dataset.logicalName}-${g.access}`;
        case "bigqueryJobs":
            return "bq-jobs";
        case "bigqueryReadSessions":
            return "bq-read-sessions";
    }
}

/** The GKE identity binder handed to every Kubernetes layer. */
export class GcpIdentityBinder implements IdentityBinder {
    constructor(
        private readonly args: GcpIdentityBinderArgs,
        private readonly parent: pulumi.Resource,
    ) {}

    bind(name: string, args: BindArgs, opts?: pulumi.ComponentResourceOptions): WorkloadIdentity {
        return new GcpWorkloadIdentity(name, { ...args, binder: this.args }, { parent: this.parent, ...opts });
    }
}

/** The GCS connector with the pod's Workload Identity credentials (application default credentials). */
function gcsSparkConf(project: string): Record<string, string> {
    return {
        "spark.hadoop.fs.gs.impl": "com.google.cloud.hadoop.fs.gcs.GoogleHadoopFileSystem",
        "spark.hadoop.fs.AbstractFileSystem.gs.impl": "com.google.cloud.hadoop.fs.gcs.GoogleHadoopFS",
        "spark.hadoop.fs.gs.project.id": project,
    };
}
