import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { ConfigMap } from "@pulumi/kubernetes/core/v1";
import { Role, RoleBinding } from "@pulumi/kubernetes/rbac/v1";
import { CustomResource } from "@pulumi/kubernetes/apiextensions";
import type { KubernetesLayerArgs, WorkloadIdentity } from "../interfaces";
import { SERVICE_ACCOUNTS } from "../k8s/accounts";
import { compactionApplication, executorPodTemplate, sparkJobGrants, streamingJobSpec, type SparkData, type SparkJobSettings } from "./specs";
import { podIdentity, podIdentityInput, type Obj, type PodIdentity } from "../contracts/pod";
import { leafwise } from "../k8s/leafwise";
import type { KafkaConsumer, KafkaPlatform } from "../contracts/kafka-client";
import { streamPaths } from "../contracts/datapath";

export interface SparkJobsArgs extends KubernetesLayerArgs {
    settings: SparkJobSettings;
    data: SparkData;
    /** The streaming consumer's Kafka user (spark.streaming.kafkaUser) with its group and topics (from kafka.users). */
    streamingUser: { readonly name: string; readonly group: string; readonly topics: readonly string[] };
    kafka: KafkaPlatform;
    /** The operator release (CRDs and webhook before any SparkApplication). */
    operator: pulumi.Resource;
}

/** Spark lake URLs: the S3A filesystem for s3:// buckets. */
function sparkUrl(url: string): string {
    return url.replace(/^s3:\/\//, "s3a://");
}

/**
 * Spark workloads in the job namespace: their identity, the daily compaction (ScheduledSparkApplication) and the
 * streaming consumer's bounded run (a Job spec that the autoscaling layer starts from Kafka lag).
 */
export class SparkJobs extends pulumi.ComponentResource {
    readonly identity: WorkloadIdentity;
    readonly compaction: CustomResource;
    /** batch/v1 JobSpec of one backlog-draining streaming run. */
    readonly streamingJob: pulumi.Input<Obj>;
    /** The consumer group and topics whose lag drives the streaming runs. */
    readonly streamingSource: { group: string; topics: string[]; bootstrapServers: string };
    readonly namespace: pulumi.Output<string>;
    /** Resources the streaming runs need before they can start. */
    readonly ready: pulumi.Resource[];

    constructor(name: string, args: SparkJobsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplatform:spark:SparkJobs", name, {}, opts);
        const cfg = args.settings;
        const ns = cfg.spark.jobNamespace;
        this.namespace = args.namespaces.name(ns);
        const k8s = { parent: this, provider: args.provider };

        this.identity = args.identity.bind(
            `${name}-identity`,
            {
                namespace: this.namespace,
                serviceAccountName: SERVICE_ACCOUNTS.sparkJobs,
                grants: sparkJobGrants(args.data),
            },
            { parent: this },
        );
        const pod = podIdentity(this.identity);

        const source = args.data.curated;
        const dataset = args.data.target;
        // The compaction reads exactly what the streaming run writes.
        // Built leaf-wise: only the URL, dataset and identity leaves are unknown in a first preview.
        const spec = leafwise(
            { identity: podIdentityInput(this.identity), url: source.url.apply(sparkUrl), datasetId: dataset.datasetId },
            ({ identity, url, datasetId }) =>
                compactionApplication({ cfg, namespace: ns, sourceUrl: streamPaths(url).sink, datasetId, identity: identity as PodIdentity }).spec,
        );
        this.compaction = new CustomResource(
            `${name}-compaction`,
            {
                apiVersion: "sparkoperator.k8s.io/v1beta2",
                kind: "ScheduledSparkApplication",
                metadata: { name: "compact-curated", namespace: this.namespace },
                spec,
            },
            { ...k8s, dependsOn: [args.operator, ...this.identity.ready] },
        );

        // Streaming runs: executor pod template, and the Lease that keeps one writer on the sink path.
        const template = new ConfigMap(
            `${name}-stream-pod-templates`,
            {
                metadata: { name: "stream-events-pod-templates", namespace: this.namespace },
                data: { "executor.yaml": pod.apply((identity) => YAML.stringify(executorPodTemplate({ identity }))) },
            },
            k8s,
        );
        const leaseRole = new Role(
            `${name}-stream-leases`,
            {
                metadata: { name: "stream-events-leases", namespace: this.namespace },
                rules: [{ apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["get", "create", "update"] }],
            },
            k8s,
        );
        const leaseBinding = new RoleBinding(
            `${name}-stream-leases`,
            {
                metadata: { name: "stream-events-leases", namespace: this.namespace },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: leaseRole.metadata.name },
                subjects: [{ kind: "ServiceAccount", name: SERVICE_ACCOUNTS.sparkJobs, namespace: ns }],
            },
            k8s,
        );

        const user = args.streamingUser;
        const access = args.kafka.access(user.name, ns);
        this.streamingSource = { group: user.group, topics: [...user.topics], bootstrapServers: access.bootstrapServers };
        const streamInputs = {
            identity: podIdentityInput(this.identity),
            secretName: access.secretName,
            curatedUrl: source.url.apply(sparkUrl),
            cm: template.metadata.name,
        };
        this.streamingJob = leafwise(streamInputs, ({ identity, secretName, curatedUrl, cm }) => {
            const kafka: KafkaConsumer = {
                secretName,
                bootstrapServers: access.bootstrapServers,
                authentication: access.authentication,
                keys: access.keys,
                group: user.group,
                topics: user.topics,
                user: user.name,
            };
            const paths = streamPaths(curatedUrl);
            return streamingJobSpec({
                cfg,
                namespace: ns,
                kafka,
                checkpointUrl: paths.checkpoint,
                sinkUrl: paths.sink,
                identity: identity as PodIdentity,
                templateConfigMap: cm,
            });
        });
        this.ready = [args.operator, ...this.identity.ready, template, leaseBinding, ...args.kafka.ready];
        this.registerOutputs({ compaction: this.compaction.id, namespace: this.namespace });
    }
}
