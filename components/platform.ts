import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "./config";
import { GcpFoundation } from "./gcp/foundation";
import { AwsFoundation } from "./aws/foundation";
import type { KafkaPlatform, KubernetesLayerArgs } from "./interfaces";
import { namespacePlan, Namespaces } from "./k8s/namespaces";
import { NetworkFlows } from "./k8s/network-policies";
import { PreviewAccess } from "./k8s/preview-access";
import { KafkaLayer } from "./kafka/layer";
import { VaultLayer } from "./vault/layer";
import { Monitoring } from "./monitoring/monitoring";
import { GcpLake } from "./gcp/lake";
import { AwsLake } from "./aws/lake";
import { bigqueryKmsLocation, GcpKeys } from "./gcp/keys";
import { Warehouse } from "./gcp/warehouse";
import { WarehouseCosts } from "./gcp/costs";
import { AwsBudget } from "./aws/budget";
import { GcpAirflowDatabase } from "./gcp/airflow-db";
import { AwsAirflowDatabase } from "./aws/airflow-db";
import { Processing } from "./processing";
import { Workloads } from "./workloads";

export interface PlatformArgs {
    config: PlatformConfig;
}

/**
 * The whole platform for one stack: the cloud foundation and data layer of the stack's cloud, then the
 * cloud-agnostic Kubernetes layers on top of what the cloud hands over.
 */
export class Platform extends pulumi.ComponentResource {
    /** Stack outputs. */
    readonly outputs: Record<string, pulumi.Input<unknown>>;

    constructor(name: string, args: PlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplatform:index:Platform", name, {}, opts);
        const cfg = args.config;
        const outputs: Record<string, pulumi.Input<unknown>> = { cloud: cfg.cloud, environment: cfg.environment };

        // [1 foundation] GcpFoundation | AwsFoundation ("foundation"): keys, network, cluster, k8s provider,
        //   StorageClass, identity binder, warehouseProvider (gcp provider of the BigQuery project).
        const gcpFoundation = cfg.cloud === "gcp" ? new GcpFoundation("foundation", { config: cfg }, { parent: this }) : undefined;
        if (gcpFoundation) Object.assign(outputs, gcpFoundation.outputs);
        const awsFoundation = cfg.cloud === "aws" ? new AwsFoundation("foundation", { config: cfg }, { parent: this }) : undefined;
        if (awsFoundation) Object.assign(outputs, awsFoundation.outputs);
        // [2 data] GcpLake | AwsLake ("lake") → buckets; Warehouse ("warehouse", gcp folder, both clouds) → datasets,
        //   tables, BI reader, quota; budgets (GCP billing budget; AWS budget on aws stacks).
        const lake = cfg.cloud === "gcp"
            ? new GcpLake("lake", {
                config: cfg, provider: gcpFoundation!.provider,
                kmsKeyName: gcpFoundation!.keys.keyId("storage"), keyGrants: [gcpFoundation!.keys.grant("storage")],
            }, { parent: this })
            : new AwsLake("lake", { config: cfg, provider: awsFoundation!.provider, kmsKeyArn: awsFoundation!.keys.arn("s3") }, { parent: this });
        const warehouseProviders = (gcpFoundation ?? awsFoundation!).warehouseProviders;
        const warehouseProvider = warehouseProviders.provider;
        // BigQuery stays in GCP on aws stacks: its CMEK lives in the warehouse project.
        const warehouseKeys = gcpFoundation?.warehouseKeys ?? new GcpKeys("warehouse-keys", {
            config: cfg, provider: warehouseProvider, lookupProvider: warehouseProviders.bootstrap, project: cfg.warehouseProject, ring: "warehouse",
            location: bigqueryKmsLocation(cfg.warehouse.location), purposes: ["bigquery"],
        }, { parent: this });
        const warehouse = new Warehouse("warehouse", {
            config: cfg, provider: warehouseProvider,
            kmsKeyName: warehouseKeys.keyId("bigquery"), keyGrants: [warehouseKeys.grant("bigquery")],
        }, { parent: this });
        new WarehouseCosts("costs", { config: cfg, quotaProvider: warehouseProviders.quota, lookupProvider: warehouseProviders.bootstrap }, { parent: this });
        if (awsFoundation) new AwsBudget("budget", { config: cfg, provider: awsFoundation.provider }, { parent: this });
        outputs.buckets = Object.fromEntries(Object.entries(lake.buckets).map(([k, b]) => [k, b.url]));
        outputs.datasets = Object.fromEntries(Object.entries(warehouse.datasets).map(([k, d]) => [k, d.datasetId]));
        outputs.biReader = warehouse.bi.email;
        // [3 namespaces] Every namespace once; Kubernetes layers receive only KubernetesLayerArgs.
        const foundation = gcpFoundation ?? awsFoundation!;
        const namespaces = new Namespaces("namespaces", { config: cfg, provider: foundation.k8sProvider }, { parent: this });
        if (foundation.previewSubject) {
            new PreviewAccess("preview-access", {
                subject: foundation.previewSubject, releaseNamespaces: Object.keys(namespacePlan(cfg)), provider: foundation.k8sProvider,
            }, { parent: this, dependsOn: [namespaces] });
        }
        // Default deny and the declared flows (k8s/flows.ts) in every namespace, before the workloads.
        new NetworkFlows("network-flows", { config: cfg, provider: foundation.k8sProvider, namespaces, network: foundation.clusterNetwork }, { parent: this });
        const k8s: KubernetesLayerArgs = {
            config: cfg, provider: foundation.k8sProvider, storageClassName: foundation.storageClassName,
            identity: foundation.identity, namespaces,
        };
        // [4 kafka] KafkaLayer ("kafka", KubernetesLayerArgs) implements KafkaPlatform.
        const kafka: KafkaPlatform = new KafkaLayer("kafka", k8s, { parent: this });
        outputs.kafkaBootstrapServers = kafka.bootstrapServers;
        // [5 vault] VaultLayer ("vault"): auth backend, KV mount, roles, Vault Secrets Operator.
        const vault = new VaultLayer("vault", {
            ...k8s, clusterEndpoint: foundation.clusterEndpoint, clusterCaCertificate: foundation.clusterCaCertificate,
            // GKE accepts its issuer as token audience, EKS the in-cluster API address.
            apiAudience: cfg.cloud === "gcp" ? foundation.oidcIssuer : "https://kubernetes.default.svc",
        }, { parent: this });
        outputs.vault = { authMount: vault.authMount, kvMount: vault.kvMount, roles: vault.apps.map((a) => a.name) };
        // [6 processing] managed Airflow DB (gcp/aws folder), Spark operator + jobs, KEDA + scalers, Airflow.
        const airflowDatabase = cfg.cloud === "gcp"
            ? new GcpAirflowDatabase("airflow-db", {
                config: cfg, provider: gcpFoundation!.provider, networkId: gcpFoundation!.networkId,
                kmsKeyName: gcpFoundation!.keys.keyId("sql"), keyGrants: [gcpFoundation!.keys.grant("sql")],
            }, { parent: this })
            : new AwsAirflowDatabase("airflow-db", {
                config: cfg, provider: awsFoundation!.provider, vpcId: awsFoundation!.vpcId, privateSubnetIds: awsFoundation!.privateSubnetIds,
                clusterSecurityGroupId: awsFoundation!.clusterSecurityGroupId, kmsKeyArn: awsFoundation!.keys.arn("rds"),
                logsKeyArn: awsFoundation!.keys.arn("logs"),
            }, { parent: this });
        new Processing("processing", {
            ...k8s, buckets: lake.buckets, datasets: warehouse.datasets, kafka, airflowDatabase, airflowDependsOn: [vault],
        }, { parent: this });
        // [6b workloads] dataplatform:workloads: team ServiceAccounts with exactly their configured grants.
        if (cfg.workloads.length > 0) {
            const workloads = new Workloads("workloads", {
                config: cfg, identity: foundation.identity, namespaces, buckets: lake.buckets, datasets: warehouse.datasets, kafka,
            }, { parent: this });
            outputs.workloads = workloads.outputs;
        }
        // [7 monitoring] Monitoring ("monitoring"): kube-prometheus-stack, PodMonitors, rules, dashboards.
        new Monitoring("monitoring", {
            ...k8s,
            secrets: { grafanaAdmin: vault.secretName("grafanaAdmin"), alertmanagerReceivers: vault.secretName("alertmanagerReceivers") },
            secretsReady: [vault.secretResource("grafanaAdmin"), vault.secretResource("alertmanagerReceivers")],
        }, { parent: this });

        this.outputs = outputs;
        this.registerOutputs(outputs);
    }
}
