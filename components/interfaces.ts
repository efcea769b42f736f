import * as pulumi from "@pulumi/pulumi";
import type { Provider } from "@pulumi/kubernetes/provider";
import type { ServiceAccount } from "@pulumi/kubernetes/core/v1";
import type * as k8sInput from "@pulumi/kubernetes/types/input";

/** A lake bucket as the layers above see it, whatever the cloud. */
export interface BucketRef {
    /** Name in stack config (raw, curated, archive, logs). */
    readonly logicalName: string;
    /** Real bucket name. */
    readonly name: pulumi.Output<string>;
    /** gs://name or s3://name. */
    readonly url: pulumi.Output<string>;
    /** AWS: bucket ARN; GCP: undefined. */
    readonly arn?: pulumi.Output<string>;
    readonly resource: pulumi.Resource;
}

/** A BigQuery dataset (always in GCP, also on AWS stacks). */
export interface DatasetRef {
    readonly logicalName: string;
    readonly project: string;
    readonly datasetId: pulumi.Output<string>;
    readonly resource: pulumi.Resource;
}

/** What a workload may do; the binder turns each into the narrowest cloud grant at resource scope. */
export type Grant =
    | { kind: "bucket"; bucket: BucketRef; access: "read" | "write" | "readwrite"; prefix?: string }
    | { kind: "dataset"; dataset: DatasetRef; access: "read" | "edit" }
    /** BigQuery job user on the warehouse project (run queries/loads; data access stays dataset-scoped). */
    | { kind: "bigqueryJobs" }
    /** BigQuery read session user (Storage Read API, used by the Spark BigQuery connector and BI tools). */
    | { kind: "bigqueryReadSessions" };

export interface BindArgs {
    namespace: pulumi.Input<string>;
    serviceAccountName: string;
    grants: Grant[];
    /** Extra annotations/labels on the ServiceAccount. */
    labels?: Record<string, string>;
}

/** A Kubernetes ServiceAccount with keyless access to cloud data, and what a pod must carry to use it. */
export interface WorkloadIdentity {
    readonly namespace: pulumi.Output<string>;
    readonly serviceAccountName: string;
    readonly serviceAccount: ServiceAccount;
    /**
     * What a pod of this identity waits for: the ServiceAccount and the cloud side that hands it credentials (EKS
     * Pod Identity association, IAM bindings). A pod admitted before the association gets no credentials.
     */
    readonly ready: pulumi.Resource[];
    /** The cloud principal: principal://…, a Google service account email, or an IAM role ARN. */
    readonly principal: pulumi.Output<string>;
    /** Env vars, volumes and mounts a pod needs (e.g. the external-account credential config for BigQuery from AWS). */
    readonly podEnv: k8sInput.core.v1.EnvVar[];
    readonly podVolumes: k8sInput.core.v1.Volume[];
    readonly podVolumeMounts: k8sInput.core.v1.VolumeMount[];
    /** Spark/Hadoop settings to reach the lake with this identity (filesystem, credential chain, project or region). */
    readonly sparkConf: Readonly<Record<string, string>>;
}

/** Given a namespace, a ServiceAccount name and grants, creates the ServiceAccount and its least-privilege cloud identity. */
export interface IdentityBinder {
    bind(name: string, args: BindArgs, opts?: pulumi.ComponentResourceOptions): WorkloadIdentity;
}

/** The managed PostgreSQL that holds Airflow's metadata (Cloud SQL / RDS). */
export interface ManagedDatabase {
    readonly host: pulumi.Output<string>;
    readonly port: number;
    readonly database: string;
    readonly username: string;
    /** Always a Pulumi secret. */
    readonly password: pulumi.Output<string>;
    readonly resource: pulumi.Resource;
}

/** Addresses the NetworkPolicies need that only the cloud knows (plain values from config, no Outputs). */
export interface ClusterNetwork {
    /** Where pods reach the Kubernetes API server, and where its webhook calls into pods come from. */
    readonly controlPlaneCidrs: readonly string[];
    readonly controlPlanePort: number;
    /** Node addresses: the kubelet and host-network pods (node-exporter). */
    readonly nodeCidrs: readonly string[];
    /** Ranges left out of "outside the cluster" (pods, services, nodes, control plane where they are apart from other services). */
    readonly clusterCidrs: readonly string[];
    /** Node-local endpoints a pod's workload identity calls (metadata server, Pod Identity agent). */
    readonly identityEndpoints: readonly { readonly cidr: string; readonly port: number; readonly why: string }[];
}

/**
 * What every Kubernetes layer (Kafka, Spark, Airflow, KEDA, Vault wiring, monitoring) receives: never the cloud, never
 * the whole config. Each layer's own args add exactly the settings and cross-layer facts it uses (components/wiring.ts).
 */
export interface KubernetesLayerArgs {
    readonly provider: Provider;
    readonly storageClassName: pulumi.Input<string>;
    readonly identity: IdentityBinder;
    readonly namespaces: import("./k8s/namespaces").Namespaces;
}
