import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "./config";
import { createFoundation } from "./foundation";
import type { KubernetesLayerArgs } from "./interfaces";
import type { KafkaPlatform } from "./contracts/kafka-client";
import { namespacePlan, Namespaces } from "./k8s/namespaces";
import { NetworkFlows } from "./k8s/network-policies";
import { PreviewAccess } from "./k8s/preview-access";
import { KafkaLayer } from "./kafka/layer";
import { VaultLayer } from "./vault/layer";
import { Monitoring } from "./monitoring/monitoring";
import { Warehouse } from "./bigquery/warehouse";
import { WarehouseCosts } from "./bigquery/costs";
import { Processing } from "./processing";
import { Workloads } from "./workloads";
import { kafkaArgs, monitoringArgs, namespacesArgs, networkFlowsArgs, processingArgs, vaultArgs, workloadsArgs } from "./wiring";

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
        // [1 foundation] createFoundation ("foundation"): GcpFoundation | AwsFoundation, the one seam to the cloud:
        //   cluster, k8s provider, StorageClass, identity binder, lake ("lake"), Airflow DB ("airflow-db"), BigQuery
        //   providers, CMEK and budget (and on aws "warehouse-keys", "budget"), all under this component.
        const foundation = createFoundation("foundation", cfg, { parent: this });
        const outputs: Record<string, pulumi.Input<unknown>> = { cloud: foundation.cloud, environment: cfg.environment, ...foundation.outputs };
        // [2 data] Warehouse ("warehouse", both clouds) → datasets, tables, BI reader; WarehouseCosts ("costs") → quota, budget.
        const wh = foundation.warehouse;
        const warehouse = new Warehouse(
            "warehouse",
            {
                project: cfg.warehouseProject,
                stack: cfg.stack,
                environment: cfg.environment,
                warehouse: cfg.warehouse,
                provider: wh.provider,
                kmsKeyName: wh.kmsKeyName,
                keyGrants: wh.keyGrants,
            },
            { parent: this },
        );
        new WarehouseCosts(
            "costs",
            {
                project: cfg.warehouseProject,
                stack: cfg.stack,
                environment: cfg.environment,
                generation: cfg.generation,
                queryUsagePerDayTiB: cfg.warehouse.queryUsagePerDayTiB,
                thresholds: cfg.budget.thresholds,
                notificationChannels: cfg.budget.notificationChannels,
                quotaProvider: wh.quotaProvider,
                lookupProvider: wh.lookupProvider,
                budget: wh.budget,
            },
            { parent: this },
        );
        outputs.buckets = Object.fromEntries(Object.entries(foundation.buckets).map(([k, b]) => [k, b.url]));
        outputs.datasets = Object.fromEntries(Object.entries(warehouse.datasets).map(([k, d]) => [k, d.datasetId]));
        outputs.biReader = warehouse.bi.email;
        // [3 namespaces] Every namespace once; Kubernetes layers receive only KubernetesLayerArgs.
        const namespaces = new Namespaces("namespaces", namespacesArgs(cfg, foundation.k8sProvider), { parent: this });
        if (foundation.previewSubject) {
            new PreviewAccess(
                "preview-access",
                {
                    subject: foundation.previewSubject,
                    releaseNamespaces: Object.keys(namespacePlan(cfg)),
                    provider: foundation.k8sProvider,
                },
                { parent: this, dependsOn: [namespaces] },
            );
        }
        // Default deny and the declared flows (k8s/flows.ts) in every namespace, before the workloads.
        new NetworkFlows("network-flows", networkFlowsArgs(cfg, foundation.k8sProvider, namespaces, foundation.clusterNetwork), { parent: this });
        const k8s: KubernetesLayerArgs = {
            provider: foundation.k8sProvider,
            storageClassName: foundation.storageClassName,
            identity: foundation.identity,
            namespaces,
        };
        // [4 kafka] KafkaLayer ("kafka", KubernetesLayerArgs) implements KafkaPlatform.
        const kafka: KafkaPlatform = new KafkaLayer("kafka", kafkaArgs(cfg, k8s), { parent: this });
        outputs.kafkaBootstrapServers = kafka.bootstrapServers;
        // [5 vault] VaultLayer ("vault"): auth backend, KV mount, roles, Vault Secrets Operator.
        const vault = new VaultLayer(
            "vault",
            vaultArgs(cfg, k8s, {
                clusterEndpoint: foundation.clusterEndpoint,
                clusterCaCertificate: foundation.clusterCaCertificate,
                apiAudience: foundation.apiAudience,
            }),
            { parent: this },
        );
        outputs.vault = { authMount: vault.authMount, kvMount: vault.kvMount, roles: vault.apps.map((a) => a.name) };
        // [6 processing] Spark operator + jobs, KEDA + scalers, Airflow (on the foundation's managed database).
        new Processing(
            "processing",
            processingArgs(cfg, k8s, {
                buckets: foundation.buckets,
                datasets: warehouse.datasets,
                kafka,
                airflowDatabase: foundation.airflowDatabase,
                airflowSecrets: vault.airflowSecrets(),
                airflowDependsOn: [vault],
            }),
            { parent: this },
        );
        // [6b workloads] dataplatform:workloads: team ServiceAccounts with exactly their configured grants.
        if (cfg.workloads.length > 0) {
            const workloads = new Workloads("workloads", workloadsArgs(cfg, k8s, { buckets: foundation.buckets, datasets: warehouse.datasets, kafka }), {
                parent: this,
            });
            outputs.workloads = workloads.outputs;
        }
        // [7 monitoring] Monitoring ("monitoring"): kube-prometheus-stack, PodMonitors, rules, dashboards.
        new Monitoring(
            "monitoring",
            monitoringArgs(cfg, k8s, {
                secrets: vault.monitoringSecrets(),
                secretsReady: [vault.secretResource("grafanaAdmin"), vault.secretResource("alertmanagerReceivers")],
            }),
            { parent: this },
        );

        this.outputs = outputs;
        this.registerOutputs(outputs);
    }
}
