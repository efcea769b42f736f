import * as pulumi from "@pulumi/pulumi";
import { DatasetIamMember } from "@pulumi/gcp/bigquery/datasetIamMember";
import { WorkloadIdentityPool } from "@pulumi/gcp/iam/workloadIdentityPool";
import { WorkloadIdentityPoolProvider } from "@pulumi/gcp/iam/workloadIdentityPoolProvider";
import { IAMMember } from "@pulumi/gcp/projects/iammember";
import type { Provider as GcpProvider } from "@pulumi/gcp/provider";
import { ConfigMap } from "@pulumi/kubernetes/core/v1";
import type { Provider as K8sProvider } from "@pulumi/kubernetes/provider";
import type * as k8sInput from "@pulumi/kubernetes/types/input";
import type { DatasetRef, Grant } from "../interfaces";
import { datasetIamMember } from "./identity";
import { generationSuffix } from "../names";

/** Where a pod finds the projected token and the credential configuration. */
export const GCP_TOKEN_DIR = "/var/run/secrets/tokens/gcp";
const GCP_CREDENTIALS_DIR = "/etc/gcp";
const GCP_CREDENTIALS_FILE = "credentials.json";

export type BigQueryBinding = { scope: "dataset"; dataset: DatasetRef; role: string } | { scope: "project"; role: string };

/** Each BigQuery grant → the narrowest role at its scope (data on the dataset, jobs/read sessions on the project). */
export function bigQueryBindings(grants: readonly Grant[]): BigQueryBinding[] {
    const out: BigQueryBinding[] = [];
    for (const g of grants) {
        if (g.kind === "dataset")
            out.push({ scope: "dataset", dataset: g.dataset, role: g.access === "edit" ? "roles/bigquery.dataEditor" : "roles/bigquery.dataViewer" });
        else if (g.kind === "bigqueryJobs") out.push({ scope: "project", role: "roles/bigquery.jobUser" });
        else if (g.kind === "bigqueryReadSessions") out.push({ scope: "project", role: "roles/bigquery.readSessionUser" });
    }
    // A project role granted twice is one binding.
    return out.filter((b, i) => b.scope === "dataset" || out.findIndex((x) => x.scope === "project" && x.role === b.role) === i);
}

/** The federated principal of one Kubernetes ServiceAccount (google.subject = the token's sub). */
export function federatedPrincipal(poolName: string, namespace: string, serviceAccount: string): string {
    return `principal://iam.googleapis.com/${poolName}/subject/system:serviceaccount:${namespace}:${serviceAccount}`;
}

/** Audience the projected ServiceAccount token carries: the provider's canonical audience. */
export function tokenAudience(poolName: string, providerId: string): string {
    return `https://iam.googleapis.com/${poolName}/providers/${providerId}`;
}

/** External-account credential configuration (what `gcloud iam workload-identity-pools create-cred-config` writes): no key inside. */
export function credentialConfiguration(providerName: string, tokenFile = `${GCP_TOKEN_DIR}/token`): Record<string, unknown> {
    return {
        universe_domain: "googleapis.com",
        type: "external_account",
        audience: `//iam.googleapis.com/${providerName}`,
        subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
        token_url: "https://sts.googleapis.com/v1/token",
        credential_source: { file: tokenFile, format: { type: "text" } },
    };
}

/** Pool and provider ids: 4-32 chars, lower-case, not starting with "gcp-". */
export function federationIds(stack: string, generation?: number): { poolId: string; providerId: string } {
    // The generation suffix survives truncation: it is what makes the id new.
    const suffix = generationSuffix({ generation });
    const id = `${`eks-${stack}`
        .toLowerCase()
        .replace(/[^a-z0-9-]/g, "-")
        .slice(0, 32 - suffix.length)
        .replace(/-+$/, "")}${suffix}`;
    return { poolId: id, providerId: "eks-oidc" };
}

export interface AwsFederationArgs {
    stack: string;
    /** Stack generation after a destroy (the pool id of a deleted pool stays reserved for 30 days). */
    generation?: number;
    warehouseProject: string;
    /** OIDC issuer of the EKS cluster (https://oidc.eks.<region>.amazonaws.com/id/<id>). */
    issuerUri: pulumi.Input<string>;
    provider: GcpProvider;
}

export interface FederatedAccess {
    /** The BigQuery bindings and the credential ConfigMap. */
    ready: pulumi.Resource[];
    podEnv: k8sInput.core.v1.EnvVar[];
    podVolumes: k8sInput.core.v1.Volume[];
    podVolumeMounts: k8sInput.core.v1.VolumeMount[];
}

/** GCP side of AWS → BigQuery: a workload identity pool whose OIDC provider trusts the EKS cluster's token issuer. */
export class AwsFederation extends pulumi.ComponentResource {
    readonly poolName: pulumi.Output<string>;
    readonly providerName: pulumi.Output<string>;
    readonly audience: pulumi.Output<string>;
    private readonly gcp: GcpProvider;
    private readonly project: string;

    constructor(name: string, args: AwsFederationArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplatform:gcp:AwsFederation", name, {}, opts);
        this.gcp = args.provider;
        this.project = args.warehouseProject;
        const o = { parent: this, provider: args.provider };
        const ids = federationIds(args.stack, args.generation);
        const pool = new WorkloadIdentityPool(
            name,
            {
                project: args.warehouseProject,
                workloadIdentityPoolId: ids.poolId,
                displayName: `EKS ${args.stack}`.slice(0, 32),
                description: "Kubernetes ServiceAccounts of the EKS cluster, for BigQuery",
            },
            o,
        );
        this.audience = pool.name.apply((p) => tokenAudience(p, ids.providerId));
        const provider = new WorkloadIdentityPoolProvider(
            name,
            {
                project: args.warehouseProject,
                workloadIdentityPoolId: pool.workloadIdentityPoolId,
                workloadIdentityPoolProviderId: ids.providerId,
                displayName: "EKS OIDC issuer",
                attributeMapping: { "google.subject": "assertion.sub", "attribute.namespace": "assertion['kubernetes.io']['namespace']" },
                attributeCondition: "assertion.sub.startsWith('system:serviceaccount:')",
                oidc: { issuerUri: args.issuerUri, allowedAudiences: [this.audience] },
            },
            o,
        );
        this.poolName = pool.name;
        this.providerName = provider.name;
        this.registerOutputs({ poolName: this.poolName, providerName: this.providerName });
    }

    /**
     * Binds one ServiceAccount's federated principal to its BigQuery roles and writes its credential configuration
     * (a ConfigMap in the workload's namespace). Resources are children of the workload's identity component.
     */
    bind(
        name: string,
        args: { namespace: pulumi.Input<string>; serviceAccountName: string; grants: readonly Grant[]; k8sProvider: K8sProvider },
        parent: pulumi.Resource,
    ): FederatedAccess {
        const o = { parent, provider: this.gcp };
        const member = pulumi.all([this.poolName, args.namespace]).apply(([pool, ns]) => federatedPrincipal(pool, ns, args.serviceAccountName));
        const ready: pulumi.Resource[] = [];
        bigQueryBindings(args.grants).forEach((b, i) => {
            // Dataset IAM takes federated principals only as `iamMember:principal://…` (provider's iamMemberToAccess).
            if (b.scope === "dataset") {
                ready.push(
                    new DatasetIamMember(
                        `${name}-bq-${b.dataset.logicalName}-${i}`,
                        { project: b.dataset.project, datasetId: b.dataset.datasetId, role: b.role, member: member.apply(datasetIamMember) },
                        { ...o, dependsOn: [b.dataset.resource] },
                    ),
                );
            } else {
                ready.push(new IAMMember(`${name}-bq-${b.role.split(".").pop()}`, { project: this.project, role: b.role, member }, o));
            }
        });
        const cm = new ConfigMap(
            `${name}-gcp-credentials`,
            {
                metadata: { name: `${args.serviceAccountName}-gcp-credentials`, namespace: args.namespace },
                data: { [GCP_CREDENTIALS_FILE]: this.providerName.apply((p) => JSON.stringify(credentialConfiguration(p), null, 2)) },
            },
            { parent, provider: args.k8sProvider },
        );
        ready.push(cm);
        return {
            ready,
            podEnv: [
                { name: "GOOGLE_APPLICATION_CREDENTIALS", value: `${GCP_CREDENTIALS_DIR}/${GCP_CREDENTIALS_FILE}` },
                { name: "GOOGLE_CLOUD_PROJECT", value: this.project },
            ],
            podVolumes: [
                { name: "gcp-token", projected: { sources: [{ serviceAccountToken: { audience: this.audience, expirationSeconds: 3600, path: "token" } }] } },
                { name: "gcp-credentials", configMap: { name: cm.metadata.name } },
            ],
            podVolumeMounts: [
                { name: "gcp-token", mountPath: GCP_TOKEN_DIR, readOnly: true },
                { name: "gcp-credentials", mountPath: GCP_CREDENTIALS_DIR, readOnly: true },
            ],
        };
    }
}
