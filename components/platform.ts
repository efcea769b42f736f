import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "./config";
import { GcpFoundation } from "./gcp/foundation";
import { AwsFoundation } from "./aws/foundation";
import type { KafkaPlatform, KubernetesLayerArgs } from "./interfaces";
import { Namespaces } from "./k8s/namespaces";
import { KafkaLayer } from "./kafka/layer";

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
        // [3 namespaces] Every namespace once; Kubernetes layers receive only KubernetesLayerArgs.
        const foundation = gcpFoundation ?? awsFoundation!;
        const namespaces = new Namespaces("namespaces", { config: cfg, provider: foundation.k8sProvider }, { parent: this });
        const k8s: KubernetesLayerArgs = {
            config: cfg, provider: foundation.k8sProvider, storageClassName: foundation.storageClassName,
            identity: foundation.identity, namespaces,
        };
        // [4 kafka] KafkaLayer ("kafka", KubernetesLayerArgs) implements KafkaPlatform.
        const kafka: KafkaPlatform = new KafkaLayer("kafka", k8s, { parent: this });
        outputs.kafkaBootstrapServers = kafka.bootstrapServers;
        // [5 vault] VaultLayer ("vault"): auth backend, KV mount, roles, Vault Secrets Operator.
        // [6 processing] managed Airflow DB (gcp/aws folder), Spark operator + jobs, KEDA + scalers, Airflow.
        // [7 monitoring] Monitoring ("monitoring"): kube-prometheus-stack, PodMonitors, rules, dashboards.

        this.outputs = outputs;
        this.registerOutputs(outputs);
    }
}
