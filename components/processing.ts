import * as pulumi from "@pulumi/pulumi";
import type { KubernetesLayerArgs } from "./interfaces";
import { SparkOperator, type SparkOperatorArgs } from "./spark/operator";
import { SparkJobs, type SparkJobsArgs } from "./spark/jobs";
import { Keda, type KedaArgs } from "./keda/operator";
import { LagAutoscaling, type LagAutoscalingArgs } from "./keda/autoscaling";
import { Airflow, type AirflowArgs } from "./airflow/airflow";

/** A layer's args without what every Kubernetes layer receives anyway. */
type Own<T> = Omit<T, keyof KubernetesLayerArgs>;

/** Each part's own args (components/wiring.ts processingArgs); the parts' dependencies on each other are wired here. */
export interface ProcessingArgs extends KubernetesLayerArgs {
    sparkOperator: Own<SparkOperatorArgs>;
    sparkJobs: Omit<Own<SparkJobsArgs>, "operator">;
    keda: Own<KedaArgs>;
    autoscaling: Omit<Own<LagAutoscalingArgs>, "keda" | "streaming">;
    airflow: Own<AirflowArgs>;
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
            provider: args.provider,
            storageClassName: args.storageClassName,
            identity: args.identity,
            namespaces: args.namespaces,
        };
        this.sparkOperator = new SparkOperator(`${name}-spark-operator`, { ...layer, ...args.sparkOperator }, { parent: this });
        this.sparkJobs = new SparkJobs(`${name}-spark`, { ...layer, ...args.sparkJobs, operator: this.sparkOperator.release }, { parent: this });
        this.keda = new Keda(`${name}-keda`, { ...layer, ...args.keda }, { parent: this });
        this.autoscaling = new LagAutoscaling(
            `${name}-autoscaling`,
            {
                ...layer,
                ...args.autoscaling,
                keda: this.keda.release,
                streaming: {
                    namespace: args.sparkJobs.settings.spark.jobNamespace,
                    job: this.sparkJobs.streamingJob,
                    source: this.sparkJobs.streamingSource,
                    dependsOn: this.sparkJobs.ready,
                },
            },
            { parent: this },
        );
        this.airflow = new Airflow(`${name}-airflow`, { ...layer, ...args.airflow }, { parent: this });
        this.registerOutputs({});
    }
}
