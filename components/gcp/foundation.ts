import * as pulumi from "@pulumi/pulumi";
import { gkeClusterNetwork } from "./cluster-network";
import type { Provider } from "@pulumi/gcp/provider";
import { Provider as K8sProvider } from "@pulumi/kubernetes/provider";
import { StorageClass } from "@pulumi/kubernetes/storage/v1";
import { getProjectOutput } from "@pulumi/gcp/organizations/getProject";
import { IAMMember as ProjectIAMMember } from "@pulumi/gcp/projects/iammember";
import type { GcpStack, PlatformConfig } from "../config";
import { apiAllowedCidrs } from "../config/network";
import type { BucketRef, ClusterNetwork, IdentityBinder, ManagedDatabase } from "../interfaces";
import type { Foundation, PreviewSubject, WarehouseFoundation } from "../foundation/contract";
import { GcpKeys } from "./keys";
import { warehouseKeys } from "../bigquery/keys";
import { GcpLake } from "./lake";
import { GcpAirflowDatabase } from "./airflow-db";
import { GcpNetwork } from "./network";
import { artifactRepositories, clusterPlacement, controlPlaneAccess, GkeCluster } from "./cluster";
import { GcpRegistry } from "./registry";
import { GcpIdentityBinder } from "./identity";
import { gcpProjectProviders, GcpProjectProviders, PLATFORM_SERVICES, warehouseProviders } from "./services";

export interface GcpFoundationArgs {
    config: GcpStack;
}

/** A kubeconfig whose credentials come from gke-gcloud-auth-plugin at run time (no static token). */
export function gkeKubeconfig(a: { name: string; server: string; caCertificatePem?: string }): string {
    const cluster: Record<string, string> = { server: a.server };
    if (a.caCertificatePem) cluster["certificate-authority-data"] = Buffer.from(a.caCertificatePem).toString("base64");
    return JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: a.name, cluster }],
        contexts: [{ name: a.name, context: { cluster: a.name, user: a.name } }],
        "current-context": a.name,
        users: [
            {
                name: a.name,
                user: {
                    exec: {
                        apiVersion: "client.authentication.k8s.io/v1beta1",
                        command: "gke-gcloud-auth-plugin",
                        installHint: "Install gke-gcloud-auth-plugin: gcloud components install gke-gcloud-auth-plugin",
                        provideClusterInfo: true,
                        interactiveMode: "Never",
                    },
                },
            },
        ],
    });
}

/** Parameters of the default StorageClass: CMEK pd-balanced, bound in the pod's zone. */
export function storageClassSpec<K extends pulumi.Input<string>>(cfg: Pick<PlatformConfig, "environment">, diskKeyId: K) {
    return {
        provisioner: "pd.csi.storage.gke.io",
        parameters: { type: "pd-balanced", "disk-encryption-kms-key": diskKeyId },
        volumeBindingMode: "WaitForFirstConsumer",
        allowVolumeExpansion: true,
        reclaimPolicy: cfg.environment === "prod" ? "Retain" : "Delete",
    };
}

/**
 * Keys, network, private GKE cluster, Kubernetes provider, encrypted StorageClass and the identity binder; beside
 * it, under its parent, the lake and the Airflow database (Cloud SQL).
 */
export class GcpFoundation extends pulumi.ComponentResource implements Foundation {
    readonly cloud = "gcp";
    readonly provider: Provider;
    readonly warehouseProvider: Provider;
    /** Lookups, resources and quota/budget providers of the cluster project and of the warehouse project. */
    readonly providers: GcpProjectProviders;
    readonly warehouseProviders: GcpProjectProviders;
    readonly keys: GcpKeys;
    readonly warehouseKeys: GcpKeys;
    readonly networkId: pulumi.Output<string>;
    readonly subnetworkId: pulumi.Output<string>;
    readonly clusterName: pulumi.Output<string>;
    readonly clusterEndpoint: pulumi.Output<string>;
    readonly clusterCaCertificate: pulumi.Output<string>;
    readonly oidcIssuer: pulumi.Output<string>;
    readonly nodeServiceAccountEmail: pulumi.Output<string>;
    readonly k8sProvider: K8sProvider;
    readonly clusterReady: pulumi.Resource[];
    readonly previewSubject?: PreviewSubject;
    /** Control-plane, node and identity addresses for the NetworkPolicies. */
    readonly clusterNetwork: ClusterNetwork;
    readonly storageClassName: pulumi.Output<string>;
    readonly identity: IdentityBinder;
    readonly registry: GcpRegistry;
    /** GKE accepts its issuer as the audience of the tokens Vault reviews. */
    readonly apiAudience: pulumi.Output<string>;
    readonly buckets: Readonly<Record<string, BucketRef>>;
    readonly lakeScheme = "gs";
    readonly warehouse: WarehouseFoundation;
    readonly airflowDatabase: ManagedDatabase;
    readonly outputs: Record<string, pulumi.Input<unknown>>;

    constructor(name: string, args: GcpFoundationArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplatform:gcp:Foundation", name, {}, opts);
        const cfg = args.config;
        const gcp = cfg.gcp;
        // APIs first, through a provider that needs none of them: everything on `provider` then waits for them.
        this.providers = gcpProjectProviders(`${name}-gcp`, `${name}-services`, gcp.project, gcp.region, PLATFORM_SERVICES, { parent: this });
        this.provider = this.providers.provider;
        this.warehouseProviders =
            cfg.warehouseProject === gcp.project
                ? this.providers
                : warehouseProviders(`${name}-gcp-warehouse`, cfg.warehouseProject, cfg.warehouseRegion, { parent: this });
        this.warehouseProvider = this.warehouseProviders.provider;

        this.keys = new GcpKeys(
            `${name}-keys`,
            {
                stack: cfg.stack,
                environment: cfg.environment,
                generation: cfg.generation,
                provider: this.provider,
                lookupProvider: this.providers.bootstrap,
                project: gcp.project,
                location: gcp.region,
                ring: "platform",
                purposes: ["gke", "disk", "storage", "registry", "sql"],
            },
            { parent: this },
        );
        this.warehouseKeys = warehouseKeys(`${name}-warehouse-keys`, cfg, this.warehouseProviders, { parent: this });
        this.warehouse = {
            provider: this.warehouseProvider,
            quotaProvider: this.warehouseProviders.quota,
            lookupProvider: this.warehouseProviders.bootstrap,
            kmsKeyName: this.warehouseKeys.keyId("bigquery"),
            keyGrants: this.warehouseKeys.ready("bigquery"),
            // One billing budget covers the whole project, BigQuery included.
            budget: { billingAccount: gcp.billingAccount, amount: cfg.budget.amount, currency: cfg.budget.currency },
        };

        this.registry = new GcpRegistry(
            `${name}-registry`,
            {
                project: gcp.project,
                stack: cfg.stack,
                location: gcp.region,
                kmsKeyName: this.keys.keyId("registry"),
                keyGrants: this.keys.ready("registry"),
                environment: cfg.environment,
                provider: this.provider,
            },
            { parent: this },
        );

        const n = cfg.network;
        const network = new GcpNetwork(
            `${name}-network`,
            {
                project: gcp.project,
                region: gcp.region,
                stack: cfg.stack,
                environment: cfg.environment,
                provider: this.provider,
                cidrs: { nodes: n.nodeCidr, pods: n.podsCidr, services: n.servicesCidr, controlPlane: n.controlPlaneCidr },
            },
            { parent: this },
        );
        this.networkId = network.networkId;
        this.subnetworkId = network.subnetworkId;

        const gke = new GkeCluster(
            `${name}-gke`,
            {
                project: gcp.project,
                stack: cfg.stack,
                environment: cfg.environment,
                placement: clusterPlacement(cfg),
                cluster: cfg.cluster,
                endpointAccess: controlPlaneAccess(cfg),
                imageRepositories: artifactRepositories(cfg),
                provider: this.provider,
                networkId: network.networkId,
                subnetworkId: network.subnetworkId,
                gkeKeyId: this.keys.keyId("gke"),
                diskKeyId: this.keys.keyId("disk"),
                keyGrants: [...this.keys.ready("gke"), ...this.keys.ready("disk")],
                registry: { project: gcp.project, location: gcp.region, repositoryId: this.registry.repositoryId, repository: this.registry.repository },
            },
            { parent: this },
        );
        const cluster = gke.cluster;
        this.clusterName = gke.clusterName;
        this.nodeServiceAccountEmail = gke.nodeServiceAccountEmail;
        this.clusterCaCertificate = cluster.masterAuth.apply((m) => Buffer.from(m.clusterCaCertificate ?? "", "base64").toString("utf8"));
        this.oidcIssuer = pulumi.interpolate`https://container.googleapis.com/v1/projects/${gcp.project}/locations/${gke.location}/clusters/${cluster.name}`;
        this.apiAudience = this.oidcIssuer;

        // Without allowed CIDRs the IP endpoint is private: reach the API through the IAM-gated DNS endpoint.
        const viaDns = apiAllowedCidrs(cfg).length === 0;
        this.clusterEndpoint = viaDns
            ? cluster.controlPlaneEndpointsConfig.apply((c) => `https://${c.dnsEndpointConfig?.endpoint ?? ""}`)
            : pulumi.interpolate`https://${cluster.endpoint}`;
        const kubeconfig = pulumi
            .all([cluster.name, this.clusterEndpoint, this.clusterCaCertificate])
            .apply(([n, server, ca]) => gkeKubeconfig({ name: `gke_${gcp.project}_${gke.location}_${n}`, server, caCertificatePem: viaDns ? undefined : ca }));
        // Everything on the Kubernetes provider waits for the node pools: nothing that schedules pods starts earlier.
        this.clusterReady = Object.values(gke.nodePools.pools);
        this.clusterNetwork = gkeClusterNetwork(cfg);
        this.k8sProvider = new K8sProvider(
            `${name}-k8s`,
            {
                kubeconfig,
                enableServerSideApply: true,
            },
            { parent: this, dependsOn: this.clusterReady },
        );

        const sc = new StorageClass(
            `${name}-storageclass`,
            {
                metadata: { name: "pd-balanced-cmek", annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
                ...storageClassSpec(cfg, this.keys.keyId("disk")),
            },
            { parent: this, provider: this.k8sProvider, dependsOn: this.keys.ready("disk") },
        );
        this.storageClassName = sc.metadata.name;

        // Previews: IAM lets the account reach the cluster (get credentials, connect through the DNS endpoint) and
        // nothing inside it; RBAC on its email (GKE's user name of a service account) grants the reads.
        if (gcp.previewServiceAccount) {
            new ProjectIAMMember(
                `${name}-preview-cluster-viewer`,
                {
                    project: gcp.project,
                    role: "roles/container.clusterViewer",
                    member: `serviceAccount:${gcp.previewServiceAccount}`,
                },
                { parent: this, provider: this.provider },
            );
            this.previewSubject = { kind: "User", name: gcp.previewServiceAccount };
        }

        const projectNumber = getProjectOutput({ projectId: gcp.project }, { parent: this, provider: this.providers.bootstrap }).number;
        this.identity = new GcpIdentityBinder(
            {
                project: gcp.project,
                warehouseProject: cfg.warehouseProject,
                stack: cfg.stack,
                impersonation: cfg.gcpImpersonation,
                provider: this.provider,
                warehouseProvider: this.warehouseProvider,
                k8sProvider: this.k8sProvider,
                projectNumber,
                workloadPool: gke.workloadPool,
                dependsOn: [cluster],
            },
            this,
        );

        // The data side has always sat beside the foundation, under the Platform: created with the foundation's own
        // parent, so its URNs stay what they were.
        const beside = { parent: opts?.parent };
        this.buckets = new GcpLake(
            "lake",
            {
                project: gcp.project,
                region: gcp.region,
                stack: cfg.stack,
                environment: cfg.environment,
                buckets: cfg.lake.buckets,
                softDeleteDays: cfg.lake.softDeleteDays,
                provider: this.provider,
                kmsKeyName: this.keys.keyId("storage"),
                keyGrants: this.keys.ready("storage"),
            },
            beside,
        ).buckets;
        this.airflowDatabase = new GcpAirflowDatabase(
            "airflow-db",
            {
                project: gcp.project,
                region: gcp.region,
                stack: cfg.stack,
                environment: cfg.environment,
                database: cfg.airflow.database,
                provider: this.provider,
                networkId: this.networkId,
                kmsKeyName: this.keys.keyId("sql"),
                keyGrants: this.keys.ready("sql"),
            },
            beside,
        );

        this.outputs = {
            gcpProject: gcp.project,
            region: gcp.region,
            network: network.networkName,
            subnetwork: network.subnetworkName,
            clusterName: this.clusterName,
            clusterLocation: gke.location,
            clusterEndpoint: this.clusterEndpoint,
            workloadPool: gke.workloadPool,
            nodeServiceAccount: this.nodeServiceAccountEmail,
            storageClass: this.storageClassName,
            kmsKeyRing: this.keys.keyRingId,
            registry: this.registry.url,
        };
        this.registerOutputs(this.outputs);
    }
}
