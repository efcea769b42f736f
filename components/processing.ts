import * as pulumi from "@pulumi/pulumi";
import type { BucketRef, DatasetRef, KafkaPlatform, KubernetesLayerArgs, ManagedDatabase } from "./interfaces";
import { SparkOperator } from "./spark/operator";
import { SparkJobs } from "./spark/jobs";
import { Keda } from "./keda/operator";
import { LagAutoscaling } from "./keda/autoscaling";
import { Airflow } from "./airflow/airflow";

export interface ProcessingArgs extends KubernetesLayerArgs {
    buckets: Readonly<Record<string, BucketRef>>;
    datasets: Readonly<Record<string, DatasetRef>>;
    kafka: KafkaPlatform;
    /** Airflow's managed metadata database (Cloud SQL / RDS). */
    airflowDatabase: ManagedDatabase;
    /** Resources Airflow needs first (the Vault role of its ServiceAccount). */
    airflowDependsOn?: pulumi.Resource[];
}

/** Processing and orchestration: Spark operator and jobs, KEDA lag autoscaling, Airflow. */
export class Processing extends pulumi.ComponentResource {
    readonly sparkOperator: SparkOperator;
    readonly sparkJobs: SparkJobs;
    readonly keda: Keda;
    readonly autoscaling: LagAutoscaling;
    readonly airflow: Airflow;

    constructor(name: string, args: ProcessingArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplatform:processing:Processing", name, {}, opts);
        const layer: KubernetesLayerArgs = {
            config: args.config, provider: args.provider, storageClassName: args.storageClassName,
            identity: args.identity, namespaces: args.namespaces,
        };
        const cfg = args.config;
        this.sparkOperator = new SparkOperator(`${name}-spark-operator`, layer, { parent: this });
        this.sparkJobs = new SparkJobs(`${name}-spark`, {
            ...layer, buckets: args.buckets, datasets: args.datasets, kafka: args.kafka, operator: this.sparkOperator.release,
        }, { parent: this });
        this.keda = new Keda(`${name}-keda`, layer, { parent: this });
        this.autoscaling = new LagAutoscaling(`${name}-autoscaling`, {
            ...layer,
            kafka: args.kafka,
            buckets: args.buckets,
            keda: this.keda.release,
            streaming: { namespace: cfg.spark.jobNamespace, job: this.sparkJobs.streamingJob, source: this.sparkJobs.streamingSource, dependsOn: this.sparkJobs.ready },
        }, { parent: this });
        this.airflow = new Airflow(`${name}-airflow`, {
            ...layer, buckets: args.buckets, datasets: args.datasets, database: args.airflowDatabase, dependsOn: args.airflowDependsOn,
        }, { parent: this });
        this.registerOutputs({});
    }
}
