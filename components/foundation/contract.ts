import type * as pulumi from "@pulumi/pulumi";
import type { Provider as GcpProvider } from "@pulumi/gcp/provider";
import type { Provider as K8sProvider } from "@pulumi/kubernetes/provider";
import type { BucketRef, ClusterNetwork, IdentityBinder, ManagedDatabase } from "../interfaces";

/** The Kubernetes identity of pull-request previews (read-only RBAC is bound to it). */
export interface PreviewSubject {
    readonly kind: "User" | "Group";
    readonly name: string;
}

/** The GCP billing budget that covers BigQuery: the whole project on gcp stacks, the warehouse project on aws stacks. */
export interface WarehouseBudget {
    readonly billingAccount: string;
    readonly amount: number;
    readonly currency: string;
}

/** What BigQuery needs from the cloud side; BigQuery lives in GCP on every stack, so both foundations hand this over. */
export interface WarehouseFoundation {
    /** Every resource in the warehouse project. */
    readonly provider: GcpProvider;
    /** Billing budgets and quota preferences (bills requests to the project). */
    readonly quotaProvider: GcpProvider;
    /** Lookups that need no API enabled in the project. */
    readonly lookupProvider: GcpProvider;
    /**
     * CMEK of datasets and tables (KMS location matching warehouse.location), known from config so the CMEK policy
     * decides in a first preview; keyGrants are the key and its BigQuery service-agent grant.
     */
    readonly kmsKeyName: pulumi.Input<string>;
    readonly keyGrants: pulumi.Resource[];
    readonly budget: WarehouseBudget;
}

/**
 * The one seam between a cloud and everything above it: what GcpFoundation and AwsFoundation both hand over.
 * Platform wires the layers from this alone and never asks which cloud it runs on.
 */
export interface Foundation {
    readonly cloud: "gcp" | "aws";
    /**
     * Node groups/pools and the add-ons workloads need: the Kubernetes provider waits for these, so nothing
     * that schedules pods (Helm releases, Deployments, Jobs) is created before the cluster can run it.
     */
    readonly clusterReady: pulumi.Resource[];
    readonly k8sProvider: K8sProvider;
    /** Default encrypted StorageClass (CMEK / CMK). */
    readonly storageClassName: pulumi.Output<string>;
    readonly identity: IdentityBinder;
    /** Set when previews are configured. */
    readonly previewSubject?: PreviewSubject;
    /** Control-plane, node and identity addresses for the NetworkPolicies. */
    readonly clusterNetwork: ClusterNetwork;
    /** Kubernetes API endpoint (https://…) and CA (PEM), for Vault's Kubernetes auth. */
    readonly clusterEndpoint: pulumi.Output<string>;
    readonly clusterCaCertificate: pulumi.Output<string>;
    /** The audience the API server accepts on the ServiceAccount tokens Vault reviews. */
    readonly apiAudience: pulumi.Input<string>;
    /** Lake buckets by logical name. */
    readonly buckets: Readonly<Record<string, BucketRef>>;
    /** URL scheme of the lake buckets (gs, s3). */
    readonly lakeScheme: "gs" | "s3";
    readonly warehouse: WarehouseFoundation;
    /** Managed PostgreSQL of Airflow's metadata (Cloud SQL / RDS). */
    readonly airflowDatabase: ManagedDatabase;
    /** Stack outputs contributed by the cloud side. */
    readonly outputs: Record<string, pulumi.Input<unknown>>;
}
