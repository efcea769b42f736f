import * as pulumi from "@pulumi/pulumi";
import { eksClusterNetwork } from "./cluster-network";
import { OpenIdConnectProvider } from "@pulumi/aws/iam/openIdConnectProvider";
import { AccessEntry } from "@pulumi/aws/eks/accessEntry";
import type { Provider as AwsProvider } from "@pulumi/aws/provider";
import type { Provider as GcpProvider } from "@pulumi/gcp/provider";
import { Provider as K8sProvider } from "@pulumi/kubernetes/provider";
import { StorageClass } from "@pulumi/kubernetes/storage/v1";
import type { AwsStack } from "../config";
import { apiAllowedCidrs } from "../config/network";
import type { BucketRef, ClusterNetwork, IdentityBinder, ManagedDatabase } from "../interfaces";
import type { Foundation, PreviewSubject, WarehouseFoundation } from "../foundation/contract";
import { warehouseKeys } from "../bigquery/keys";
import { AwsLake } from "./lake";
import { AwsAirflowDatabase } from "./airflow-db";
import { AwsBudget } from "./budget";
import { AwsFederation } from "../gcp/aws-federation";
import type { GcpProjectProviders } from "../gcp/services";
import { ClusterAutoscaler } from "./autoscaler";
import { EksCluster } from "./cluster";
import { AwsIdentityBinder } from "./identity";
import { AwsKeys } from "./keys";
import { AwsNetwork } from "./network";
import { AwsRegistry } from "./registry";
import { clusterName as stackClusterName } from "../naming";
import { awsProvider, warehouseProvider } from "./provider";

/** Kubernetes group of the preview role's access entry (EKS refuses groups starting with `system:`). */
export const PREVIEW_GROUP = "dataplatform-preview";

export interface AwsFoundationArgs {
    config: AwsStack;
}

/** Kubeconfig that fetches a short-lived token with `aws eks get-token` on each use: no static credential. */
export function kubeconfig(clusterName: string, endpoint: string, caPem: string, region: string): string {
    return JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: clusterName, cluster: { server: endpoint, "certificate-authority-data": Buffer.from(caPem).toString("base64") } }],
        contexts: [{ name: clusterName, context: { cluster: clusterName, user: clusterName } }],
        "current-context": clusterName,
        users: [
            {
                name: clusterName,
                user: {
                    exec: {
                        apiVersion: "client.authentication.k8s.io/v1beta1",
                        command: "aws",
                        args: ["eks", "get-token", "--cluster-name", clusterName, "--region", region, "--output", "json"],
                        interactiveMode: "Never",
                    },
                },
            },
        ],
    });
}

/**
 * AWS foundation: CMKs, VPC, private EKS with node groups, add-ons and autoscaler, default encrypted StorageClass,
 * identity binder; beside it, under its parent, the lake, the Airflow database (RDS), the account budget and the
 * CMEK of the BigQuery project.
 */
export class AwsFoundation extends pulumi.ComponentResource implements Foundation {
    readonly cloud = "aws";
    readonly provider: AwsProvider;
    readonly warehouseProvider: GcpProvider;
    readonly warehouseProviders: GcpProjectProviders;
    readonly keys: AwsKeys;
    readonly vpcId: pulumi.Output<string>;
    readonly privateSubnetIds: pulumi.Output<string>[];
    readonly clusterSecurityGroupId: pulumi.Output<string>;
    readonly clusterName: pulumi.Output<string>;
    readonly clusterEndpoint: pulumi.Output<string>;
    readonly clusterCaCertificate: pulumi.Output<string>;
    readonly oidcIssuer: pulumi.Output<string>;
    readonly k8sProvider: K8sProvider;
    readonly clusterReady: pulumi.Resource[];
    readonly previewSubject?: PreviewSubject;
    /** Control-plane, node and identity addresses for the NetworkPolicies. */
    readonly clusterNetwork: ClusterNetwork;
    readonly storageClassName: pulumi.Output<string>;
    readonly identity: IdentityBinder;
    readonly federation: AwsFederation;
    readonly registry: AwsRegistry;
    /** EKS accepts the in-cluster API address as the audience of the tokens Vault reviews. */
    readonly apiAudience = "https://kubernetes.default.svc";
    readonly buckets: Readonly<Record<string, BucketRef>>;
    readonly lakeScheme = "s3";
    readonly warehouse: WarehouseFoundation;
    readonly airflowDatabase: ManagedDatabase;
    readonly outputs: Record<string, pulumi.Input<unknown>>;

    constructor(name: string, args: AwsFoundationArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplatform:aws:Foundation", name, {}, opts);
        const cfg = args.config;
        const aws = cfg.aws;
        const prod = cfg.environment === "prod";

        this.provider = awsProvider(`${name}-aws`, aws, { parent: this });
        this.warehouseProviders = warehouseProvider(`${name}-warehouse`, cfg, { parent: this });
        this.warehouseProvider = this.warehouseProviders.provider;
        const provider = this.provider;

        this.keys = new AwsKeys(
            `${name}-keys`,
            { accountId: aws.accountId, region: aws.region, stack: cfg.stack, environment: cfg.environment, provider },
            { parent: this },
        );
        this.registry = new AwsRegistry(
            `${name}-registry`,
            {
                accountId: aws.accountId,
                region: aws.region,
                stack: cfg.stack,
                kmsKeyArn: this.keys.arn("ecr"),
                environment: cfg.environment,
                provider,
            },
            { parent: this },
        );
        const network = new AwsNetwork(
            `${name}-network`,
            {
                cidr: cfg.network.nodeCidr,
                availabilityZones: aws.availabilityZones,
                environment: cfg.environment,
                region: aws.region,
                accountId: aws.accountId,
                provider,
                stack: cfg.stack,
                logsKeyArn: this.keys.arn("logs"),
            },
            { parent: this },
        );
        this.vpcId = network.vpcId;
        this.privateSubnetIds = network.privateSubnetIds;

        const clusterName = stackClusterName(cfg.stack);
        const eks = new EksCluster(
            `${name}-eks`,
            {
                clusterName,
                cluster: cfg.cluster,
                environment: cfg.environment,
                subnetIds: network.privateSubnetIds,
                availabilityZones: aws.availabilityZones,
                // Vault's egress is admitted too: its Kubernetes auth calls TokenReview on this endpoint.
                controlPlaneAllowedCidrs: apiAllowedCidrs(cfg),
                adminRoleArns: aws.adminRoleArns,
                eksKeyArn: this.keys.arn("eks"),
                ebsKeyArn: this.keys.arn("ebs"),
                logsKeyArn: this.keys.arn("logs"),
                provider,
            },
            { parent: this },
        );
        this.clusterName = eks.name;
        this.clusterEndpoint = eks.endpoint;
        this.clusterCaCertificate = eks.caCertificate;
        this.oidcIssuer = eks.oidcIssuer;
        this.clusterSecurityGroupId = eks.securityGroupId;

        // Everything on the Kubernetes provider waits for nodes and the workload add-ons (Pod Identity agent, EBS
        // CSI): a Helm release started earlier has no node to run on and its wait can run out.
        this.clusterReady = [...eks.nodeGroups.nodeGroups, eks.workloadAddons];
        this.clusterNetwork = eksClusterNetwork(cfg);
        this.k8sProvider = new K8sProvider(
            `${name}-k8s`,
            {
                kubeconfig: pulumi.all([eks.name, eks.endpoint, eks.caCertificate]).apply(([n, e, ca]) => kubeconfig(n, e, ca, aws.region)),
                enableServerSideApply: true,
            },
            { parent: this, dependsOn: [...eks.adminAccess, ...this.clusterReady] },
        );

        const storageClass = new StorageClass(
            `${name}-gp3`,
            {
                metadata: { name: "gp3", annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
                provisioner: "ebs.csi.aws.com",
                parameters: { type: "gp3", encrypted: "true", kmsKeyId: this.keys.arn("ebs"), "csi.storage.k8s.io/fstype": "ext4" },
                volumeBindingMode: "WaitForFirstConsumer",
                allowVolumeExpansion: true,
                reclaimPolicy: prod ? "Retain" : "Delete",
            },
            { parent: this, provider: this.k8sProvider, dependsOn: [eks.workloadAddons] },
        );
        this.storageClassName = storageClass.metadata.name;
        new ClusterAutoscaler(
            `${name}-autoscaler`,
            {
                clusterName,
                accountId: aws.accountId,
                region: aws.region,
                provider,
                k8sProvider: this.k8sProvider,
            },
            { parent: this, dependsOn: [eks.workloadAddons] },
        );

        this.federation = new AwsFederation(
            `${name}-bigquery`,
            {
                stack: cfg.stack,
                generation: cfg.generation,
                warehouseProject: cfg.warehouseProject,
                issuerUri: eks.oidcIssuer,
                provider: this.warehouseProvider,
            },
            { parent: this },
        );

        // Previews: an access entry mapped to a Kubernetes group only (no EKS access policy); RBAC grants it read access.
        if (aws.previewRoleArn) {
            new AccessEntry(
                `${name}-preview`,
                {
                    clusterName: eks.name,
                    principalArn: aws.previewRoleArn,
                    type: "STANDARD",
                    kubernetesGroups: [PREVIEW_GROUP],
                },
                { parent: this, provider },
            );
            this.previewSubject = { kind: "Group", name: PREVIEW_GROUP };
        }

        // IRSA needs the cluster's issuer registered in IAM; Pod Identity does not.
        const oidc = cfg.awsIrsa
            ? new OpenIdConnectProvider(`${name}-oidc`, { url: eks.oidcIssuer, clientIdLists: ["sts.amazonaws.com"] }, { parent: this, provider })
            : undefined;
        this.identity = new AwsIdentityBinder({
            clusterName: eks.name,
            region: aws.region,
            provider,
            k8sProvider: this.k8sProvider,
            s3KeyArn: this.keys.arn("s3"),
            irsa: oidc ? { oidcProviderArn: oidc.arn, issuer: eks.oidcIssuer } : undefined,
            federation: this.federation,
        });

        // The data side has always sat beside the foundation, under the Platform: created with the foundation's own
        // parent, so its URNs stay what they were.
        const beside = { parent: opts?.parent };
        this.buckets = new AwsLake(
            "lake",
            {
                accountId: aws.accountId,
                stack: cfg.stack,
                environment: cfg.environment,
                buckets: cfg.lake.buckets,
                provider,
                kmsKeyArn: this.keys.arn("s3"),
            },
            beside,
        ).buckets;
        // BigQuery stays in GCP on aws stacks: its CMEK lives in the warehouse project.
        const bigqueryKeys = warehouseKeys("warehouse-keys", cfg, this.warehouseProviders, beside);
        this.warehouse = {
            provider: this.warehouseProvider,
            quotaProvider: this.warehouseProviders.quota,
            lookupProvider: this.warehouseProviders.bootstrap,
            kmsKeyName: bigqueryKeys.keyId("bigquery"),
            keyGrants: bigqueryKeys.ready("bigquery"),
            // Google bills BigQuery, not AWS: the warehouse project has its own GCP budget.
            budget: cfg.budget.warehouse,
        };
        const b = cfg.budget;
        new AwsBudget("budget", { stack: cfg.stack, amount: b.amount, currency: b.currency, thresholds: b.thresholds, emails: b.emails, provider }, beside);
        this.airflowDatabase = new AwsAirflowDatabase(
            "airflow-db",
            {
                stack: cfg.stack,
                environment: cfg.environment,
                database: cfg.airflow.database,
                provider,
                vpcId: this.vpcId,
                privateSubnetIds: this.privateSubnetIds,
                clusterSecurityGroupId: this.clusterSecurityGroupId,
                kmsKeyArn: this.keys.arn("rds"),
                logsKeyArn: this.keys.arn("logs"),
            },
            beside,
        );

        this.outputs = {
            clusterName: this.clusterName,
            clusterEndpoint: this.clusterEndpoint,
            oidcIssuer: this.oidcIssuer,
            vpcId: this.vpcId,
            natGateways: network.natGatewayCount,
            storageClass: this.storageClassName,
            bigqueryWorkloadIdentityPool: this.federation.poolName,
            registry: this.registry.url,
        };
        this.registerOutputs(this.outputs);
    }
}
