import * as pulumi from "@pulumi/pulumi";
import type { Provider } from "@pulumi/gcp/provider";
import { Cluster, ClusterArgs } from "@pulumi/gcp/container/cluster";
import { Account } from "@pulumi/gcp/serviceaccount/account";
import { IAMMember } from "@pulumi/gcp/projects/iammember";
import { RepositoryIamMember } from "@pulumi/gcp/artifactregistry/repositoryIamMember";
import type { Repository } from "@pulumi/gcp/artifactregistry/repository";
import type { GcpStack, StackBase } from "../config";
import { apiAllowedCidrs } from "../config/network";
import { PODS_RANGE, SERVICES_RANGE } from "./network";
import { GkeNodePools, hardenedNodeConfig } from "./nodepools";
import { clusterName } from "../naming";

export interface GkeClusterArgs {
    project: string;
    stack: string;
    environment: "staging" | "prod";
    /** clusterPlacement(): region over its zones, or one zone. */
    placement: { location: string; nodeLocations?: string[] };
    /** cluster: version, release channel and node pools. */
    cluster: StackBase["cluster"];
    /** controlPlaneAccess(): private endpoint, authorized networks, DNS endpoint. */
    endpointAccess: ReturnType<typeof controlPlaneAccess>;
    /** Repositories of other projects that config images name (artifactRepositories()): nodes may pull from each. */
    imageRepositories: ArtifactRepository[];
    provider: Provider;
    networkId: pulumi.Input<string>;
    subnetworkId: pulumi.Input<string>;
    /** CryptoKey ids: application-layer secrets encryption and node boot disks. */
    gkeKeyId: pulumi.Input<string>;
    diskKeyId: pulumi.Input<string>;
    /** The keys and their service-agent grants; the cluster and node pools are created after them. */
    keyGrants: pulumi.Resource[];
    /** The platform's own image repository (created by the foundation): nodes get read access on it. */
    registry: { project: string; location: string; repositoryId: string; repository: Repository };
}

/**
 * The only project role of the node service account: the documented minimum for a custom node service account
 * (logs, metrics, and what node components read; https://cloud.google.com/kubernetes-engine/docs/how-to/service-accounts#default-gke-service-agent),
 * no default compute SA, no editor.
 */
export const NODE_ROLES = ["roles/container.defaultNodeServiceAccount"] as const;

export interface ArtifactRepository {
    project: string;
    location: string;
    repository: string;
}

/**
 * Artifact Registry repositories of every image named anywhere in the stack config: nodes pull these with
 * their own identity, so each gets a reader grant on that repository only (no project-wide registry role).
 */
export function artifactRepositories(cfg: unknown): ArtifactRepository[] {
    const found = new Map<string, ArtifactRepository>();
    const walk = (v: unknown): void => {
        if (typeof v === "string") {
            const m = /^([a-z0-9-]+)-docker\.pkg\.dev\/([a-z][a-z0-9-]{4,28}[a-z0-9])\/([a-z0-9][a-z0-9._-]*)\//.exec(v);
            if (m) found.set(`${m[2]}/${m[1]}/${m[3]}`, { project: m[2], location: m[1], repository: m[3] });
        } else if (Array.isArray(v)) v.forEach(walk);
        else if (v !== null && typeof v === "object") Object.values(v).forEach(walk);
    };
    walk(cfg);
    return [...found.values()].sort((a, b) => `${a.project}/${a.location}/${a.repository}`.localeCompare(`${b.project}/${b.location}/${b.repository}`));
}

/**
 * Where the cluster and its nodes live: regional over all zones in prod, zonal (first zone) in staging.
 * A zonal cluster's own zone must not be listed in node locations, so they stay unset there.
 */
export function clusterPlacement(cfg: Pick<GcpStack, "gcp" | "cluster">): { location: string; nodeLocations?: string[] } {
    const gcp = cfg.gcp;
    return cfg.cluster.regional ? { location: gcp.region, nodeLocations: [...gcp.zones] } : { location: gcp.zones[0] };
}

/** Control-plane access: IP endpoint limited to the configured CIDRs, or private endpoint plus the IAM-gated DNS endpoint. */
export function controlPlaneAccess(cfg: {
    network: { controlPlaneCidr: string; controlPlaneAllowedCidrs: string[] };
    vault?: { egressCidrs: readonly string[] };
}): Pick<ClusterArgs, "privateClusterConfig" | "masterAuthorizedNetworksConfig" | "controlPlaneEndpointsConfig"> {
    // Vault's egress is admitted too: its Kubernetes auth calls TokenReview on this endpoint.
    const allowed = apiAllowedCidrs(cfg);
    const privateOnly = allowed.length === 0;
    return {
        privateClusterConfig: {
            enablePrivateNodes: true,
            enablePrivateEndpoint: privateOnly,
            masterIpv4CidrBlock: cfg.network.controlPlaneCidr,
            masterGlobalAccessConfig: { enabled: false },
        },
        masterAuthorizedNetworksConfig: {
            gcpPublicCidrsAccessEnabled: false,
            cidrBlocks: allowed.map((c, i) => ({ cidrBlock: c, displayName: `allowed-${i}` })),
        },
        controlPlaneEndpointsConfig: { dnsEndpointConfig: { allowExternalTraffic: privateOnly } },
    };
}

/** GKE Standard: private, Workload Identity, Dataplane V2, CMEK secrets encryption, shielded nodes, own node pools. */
export class GkeCluster extends pulumi.ComponentResource {
    readonly cluster: Cluster;
    readonly clusterName: pulumi.Output<string>;
    readonly location: string;
    readonly workloadPool: string;
    readonly nodeServiceAccountEmail: pulumi.Output<string>;
    readonly nodePools: GkeNodePools;

    constructor(name: string, args: GkeClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplatform:gcp:Cluster", name, {}, opts);
        const { project, stack, cluster } = args;
        const prod = args.environment === "prod";
        const provider = args.provider;
        const { location, nodeLocations } = args.placement;
        this.location = location;
        this.workloadPool = `${project}.svc.id.goog`;

        const nodeSa = new Account(
            `${name}-nodes`,
            {
                accountId: `dataplatform-${stack}-nodes`.slice(0, 30),
                project: project,
                displayName: `GKE nodes (${stack})`,
                description: "Least-privilege node identity: logs and metrics only; workloads use Workload Identity",
            },
            { parent: this, provider },
        );
        const nodeRoles = NODE_ROLES.map(
            (role) =>
                new IAMMember(
                    `${name}-nodes-${role.split("/")[1].replace(/\./g, "-").toLowerCase()}`,
                    {
                        project: project,
                        role,
                        member: nodeSa.member,
                    },
                    { parent: this, provider },
                ),
        );
        this.nodeServiceAccountEmail = nodeSa.email;
        const own = args.registry;
        new RepositoryIamMember(
            `${name}-nodes-pull-${own.project}-registry`,
            {
                project: own.project,
                location: own.location,
                repository: own.repository.repositoryId,
                role: "roles/artifactregistry.reader",
                member: nodeSa.member,
            },
            { parent: this, provider },
        );
        // Other repositories that config images name (not created here): reader on each of them only.
        for (const repo of args.imageRepositories.filter(
            (r) => !(r.project === own.project && r.location === own.location && r.repository === own.repositoryId),
        )) {
            new RepositoryIamMember(
                `${name}-nodes-pull-${repo.project}-${repo.repository}`,
                {
                    project: repo.project,
                    location: repo.location,
                    repository: repo.repository,
                    role: "roles/artifactregistry.reader",
                    member: nodeSa.member,
                },
                { parent: this, provider },
            );
        }

        this.cluster = new Cluster(
            `${name}`,
            {
                name: clusterName(stack),
                project: project,
                location,
                nodeLocations,
                network: args.networkId,
                subnetwork: args.subnetworkId,
                networkingMode: "VPC_NATIVE",
                ipAllocationPolicy: { clusterSecondaryRangeName: PODS_RANGE, servicesSecondaryRangeName: SERVICES_RANGE },
                // The default pool is replaced by the configured pools; while it briefly exists it is hardened too.
                removeDefaultNodePool: true,
                initialNodeCount: 1,
                nodeConfig: hardenedNodeConfig({ stack }, nodeSa.email, args.diskKeyId, cluster.nodePools.system),
                releaseChannel: { channel: cluster.releaseChannel },
                minMasterVersion: cluster.version,
                ...args.endpointAccess,
                masterAuth: { clientCertificateConfig: { issueClientCertificate: false } },
                enableLegacyAbac: false,
                workloadIdentityConfig: { workloadPool: this.workloadPool },
                // Dataplane V2 enforces NetworkPolicy itself (no Calico addon).
                datapathProvider: "ADVANCED_DATAPATH",
                databaseEncryption: { state: "ENCRYPTED", keyName: args.gkeKeyId },
                enableShieldedNodes: true,
                // No vulnerabilityMode: VULNERABILITY_BASIC was removed by Google in July 2025.
                securityPostureConfig: { mode: "BASIC" },
                addonsConfig: {
                    gcePersistentDiskCsiDriverConfig: { enabled: true },
                    httpLoadBalancing: { disabled: false },
                    horizontalPodAutoscaling: { disabled: false },
                },
                loggingConfig: { enableComponents: ["SYSTEM_COMPONENTS", "APISERVER", "WORKLOADS"] },
                // Metrics come from the in-cluster Prometheus stack; keep only system metrics in Cloud Monitoring.
                monitoringConfig: { enableComponents: ["SYSTEM_COMPONENTS"], managedPrometheus: { enabled: false } },
                maintenancePolicy: {
                    recurringWindow: { startTime: "2025-01-04T01:00:00Z", endTime: "2025-01-04T07:00:00Z", recurrence: "FREQ=WEEKLY;BYDAY=SA,SU" },
                },
                costManagementConfig: { enabled: true },
                deletionProtection: prod,
            },
            { parent: this, provider, dependsOn: [...args.keyGrants, ...nodeRoles], protect: prod, ignoreChanges: ["nodeConfig", "initialNodeCount"] },
        );
        this.clusterName = this.cluster.name;

        this.nodePools = new GkeNodePools(
            `${name}-pools`,
            {
                project,
                stack,
                nodePools: cluster.nodePools,
                provider,
                cluster: this.cluster,
                location,
                nodeLocations,
                serviceAccountEmail: nodeSa.email,
                diskKeyId: args.diskKeyId,
                dependsOn: [...args.keyGrants, ...nodeRoles],
            },
            { parent: this },
        );

        this.registerOutputs({ clusterName: this.clusterName, nodeServiceAccountEmail: this.nodeServiceAccountEmail });
    }
}
