import * as pulumi from "@pulumi/pulumi";
import { gkeClusterNetwork } from "./cluster-network";
import type { Provider } from "@pulumi/gcp/provider";
import { Provider as K8sProvider } from "@pulumi/kubernetes/provider";
import { StorageClass } from "@pulumi/kubernetes/storage/v1";
import { getProjectOutput } from "@pulumi/gcp/organizations/getProject";
import type { PlatformConfig } from "../config";
import type { ClusterNetwork, IdentityBinder } from "../interfaces";
import { gcpBootstrapProvider, gcpProvider, lookupProvider } from "./provider";
import { bigqueryKmsLocation, GcpKeys } from "./keys";
import { GcpNetwork } from "./network";
import { GkeCluster } from "./cluster";
import { GcpIdentityBinder } from "./identity";
import { GcpProjectServices, PLATFORM_SERVICES, warehouseProviderWithServices } from "./services";

export interface GcpFoundationArgs {
    config: PlatformConfig;
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
        users: [{
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
        }],
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

/** Keys, network, private GKE cluster, Kubernetes provider, encrypted StorageClass and the identity binder. */
export class GcpFoundation extends pulumi.ComponentResource {
    readonly provider: Provider;
    readonly warehouseProvider: Provider;
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
    /** Control-plane, node and identity addresses for the NetworkPolicies. */
    readonly clusterNetwork: ClusterNetwork;
    readonly storageClassName: pulumi.Output<string>;
    readonly identity: IdentityBinder;
    readonly outputs: Record<string, pulumi.Input<unknown>>;

    constructor(name: string, args: GcpFoundationArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplatform:gcp:Foundation", name, {}, opts);
        const cfg = args.config;
        const gcp = cfg.gcp!;
        // APIs first, through their own provider: everything on `provider` then waits for them.
        const bootstrap = gcpBootstrapProvider(`${name}-gcp-bootstrap`, gcp.project, gcp.region, { parent: this });
        const services = new GcpProjectServices(`${name}-services`, { provider: bootstrap, project: gcp.project, services: PLATFORM_SERVICES }, { parent: this });
        this.provider = gcpProvider(`${name}-gcp`, gcp.project, gcp.region, { parent: this, dependsOn: [services] }, bootstrap);
        if (cfg.warehouseProject === gcp.project) {
            this.warehouseProvider = this.provider;
        } else {
            this.warehouseProvider = warehouseProviderWithServices(`${name}-gcp-warehouse`, cfg.warehouseProject, cfg.warehouseRegion, { parent: this });
        }

        this.keys = new GcpKeys(`${name}-keys`, {
            config: cfg, provider: this.provider, project: gcp.project, location: gcp.region, purposes: ["gke", "disk", "storage"],
        }, { parent: this });
        this.warehouseKeys = new GcpKeys(`${name}-warehouse-keys`, {
            config: cfg, provider: this.warehouseProvider, project: cfg.warehouseProject,
            location: bigqueryKmsLocation(cfg.warehouse.location), purposes: ["bigquery"],
        }, { parent: this });

        const network = new GcpNetwork(`${name}-network`, { config: cfg, provider: this.provider }, { parent: this });
        this.networkId = network.networkId;
        this.subnetworkId = network.subnetworkId;

        const gke = new GkeCluster(`${name}-gke`, {
            config: cfg,
            provider: this.provider,
            networkId: network.networkId,
            subnetworkId: network.subnetworkId,
            gkeKeyId: this.keys.keyId("gke"),
            diskKeyId: this.keys.keyId("disk"),
            keyGrants: [this.keys.grant("gke"), this.keys.grant("disk")],
        }, { parent: this });
        const cluster = gke.cluster;
        this.clusterName = gke.clusterName;
        this.nodeServiceAccountEmail = gke.nodeServiceAccountEmail;
        this.clusterCaCertificate = cluster.masterAuth.apply((m) => Buffer.from(m.clusterCaCertificate ?? "", "base64").toString("utf8"));
        this.oidcIssuer = pulumi.interpolate`https://container.googleapis.com/v1/projects/${gcp.project}/locations/${gke.location}/clusters/${cluster.name}`;

        // Without allowed CIDRs the IP endpoint is private: reach the API through the IAM-gated DNS endpoint.
        const viaDns = cfg.network.controlPlaneAllowedCidrs.length === 0;
        this.clusterEndpoint = viaDns
            ? cluster.controlPlaneEndpointsConfig.apply((c) => `https://${c.dnsEndpointConfig?.endpoint ?? ""}`)
            : pulumi.interpolate`https://${cluster.endpoint}`;
        const kubeconfig = pulumi.all([cluster.name, this.clusterEndpoint, this.clusterCaCertificate]).apply(([n, server, ca]) =>
            gkeKubeconfig({ name: `gke_${gcp.project}_${gke.location}_${n}`, server, caCertificatePem: viaDns ? undefined : ca }));
        this.clusterNetwork = gkeClusterNetwork(cfg);
        this.k8sProvider = new K8sProvider(`${name}-k8s`, {
            kubeconfig,
            enableServerSideApply: true,
        }, { parent: this, dependsOn: Object.values(gke.nodePools.pools) });

        const sc = new StorageClass(`${name}-storageclass`, {
            metadata: { name: "pd-balanced-cmek", annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
            ...storageClassSpec(cfg, this.keys.keyId("disk")),
        }, { parent: this, provider: this.k8sProvider, dependsOn: [this.keys.grant("disk")] });
        this.storageClassName = sc.metadata.name;

        const projectNumber = getProjectOutput({ projectId: gcp.project }, { parent: this, provider: lookupProvider(this.provider) }).number;
        this.identity = new GcpIdentityBinder({
            config: cfg,
            provider: this.provider,
            warehouseProvider: this.warehouseProvider,
            k8sProvider: this.k8sProvider,
            projectNumber,
            workloadPool: gke.workloadPool,
            dependsOn: [cluster],
        }, this);

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
        };
        this.registerOutputs(this.outputs);
    }
}
