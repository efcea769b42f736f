import * as pulumi from "@pulumi/pulumi";
import { Secret } from "@pulumi/kubernetes/core/v1";
import { Deployment } from "@pulumi/kubernetes/apps/v1";
import { CustomResource } from "@pulumi/kubernetes/apiextensions";
import type * as k8sInput from "@pulumi/kubernetes/types/input";
import type { BucketRef, Grant, KubernetesLayerArgs, WorkloadIdentity } from "../interfaces";
import { SERVICE_ACCOUNTS } from "../k8s/accounts";
import { podIdentityInput, type Obj, type PodIdentity } from "../contracts/pod";
import { leafwise } from "../k8s/leafwise";
import { reloadAnnotations, type KafkaPlatform } from "../contracts/kafka-client";
import type { PlatformConfig } from "../config";
import {
    clusterTriggerAuthentication,
    consumerDeployment,
    consumerScaledObject,
    LagSource,
    lagReaderSettings,
    streamingScaledJob,
    type TriggerSettings,
} from "./specs";
import { KEDA_NAMESPACE } from "../k8s/namespaces";
import { sinkPrefix } from "../contracts/datapath";

/** The ClusterTriggerAuthentication every Kafka trigger refers to. */
const LAG_AUTH = "kafka-lag-reader";

type ConsumerConfig = PlatformConfig["autoscaling"]["deployments"]["consumers"][number];

/** A sink Deployment and what its Kafka user consumes (resolved from kafka.users in the wiring). */
export interface LagConsumer {
    readonly deployment: ConsumerConfig;
    readonly group: string;
    readonly topics: readonly string[];
}

export interface LagAutoscalingArgs extends KubernetesLayerArgs {
    kafka: KafkaPlatform;
    /** Polling, thresholds and bounds (autoscaling), and the brokers' version the scaler's client claims. */
    triggers: TriggerSettings;
    /** Kafka user whose credentials read the lag (autoscaling.kafkaUser, role monitor). */
    lagReader: string;
    consumers: readonly LagConsumer[];
    /** The lake bucket the sinks archive their topics to (contracts/datapath.ts ARCHIVE_BUCKET). */
    archive: BucketRef | undefined;
    /** The KEDA release (CRDs and admission webhook). */
    keda: pulumi.Resource;
    streaming: { namespace: string; job: pulumi.Input<Obj>; source: LagSource; dependsOn: pulumi.Resource[] };
}

/**
 * Autoscaling on Kafka consumer lag: the Spark streaming consumer as a ScaledJob, the consumer Deployments
 * (sinks) as ScaledObjects, all authenticated by one ClusterTriggerAuthentication from the lag reader's KafkaUser.
 */
export class LagAutoscaling extends pulumi.ComponentResource {
    readonly scaledJob: CustomResource;
    readonly scaledObjects: CustomResource[] = [];
    readonly deployments: Deployment[] = [];
    /** The consumers' ServiceAccount per namespace (nobody else creates it). */
    readonly identities: Record<string, WorkloadIdentity> = {};

    constructor(name: string, args: LagAutoscalingArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplatform:keda:LagAutoscaling", name, {}, opts);
        const k8s = { parent: this, provider: args.provider };
        const reader = args.lagReader;

        // One ClusterTriggerAuthentication for every scaled workload: KEDA reads the lag reader's Secret in its
        // own namespace, where Reloader restarts the operator when the certificate is renewed.
        const access = args.kafka.access(reader, KEDA_NAMESPACE);
        const settings = new Secret(
            `${name}-kafka-trigger`,
            {
                metadata: { name: "keda-kafka-trigger-settings", namespace: args.namespaces.name(KEDA_NAMESPACE) },
                stringData: lagReaderSettings(access),
            },
            k8s,
        );
        const auth = new CustomResource(
            `${name}-trigger-auth`,
            {
                apiVersion: "keda.sh/v1alpha1",
                kind: "ClusterTriggerAuthentication",
                metadata: { name: LAG_AUTH },
                spec: pulumi
                    .all([access.secretName, settings.metadata.name])
                    .apply(([secretName, settingsSecretName]) => clusterTriggerAuthentication(LAG_AUTH, { ...access, secretName, settingsSecretName }).spec),
            },
            { ...k8s, dependsOn: [args.keda, settings, ...args.kafka.ready] },
        );

        const s = args.streaming;
        this.scaledJob = new CustomResource(
            `${name}-stream-events`,
            {
                apiVersion: "keda.sh/v1alpha1",
                kind: "ScaledJob",
                metadata: { name: "stream-events", namespace: args.namespaces.name(s.namespace) },
                // Built leaf-wise: only the job's Secret, URL and identity leaves are unknown in a first preview.
                spec: leafwise(
                    { job: s.job },
                    ({ job }) => streamingScaledJob(args.triggers, "stream-events", s.namespace, job as Obj, s.source, LAG_AUTH).spec,
                ),
            },
            { ...k8s, dependsOn: [auth, ...s.dependsOn] },
        );

        for (const { deployment: c, group, topics } of args.consumers) {
            const access = args.kafka.access(c.kafkaUser, c.namespace);
            const src: LagSource = { group, topics: [...topics], bootstrapServers: access.bootstrapServers };
            const identity = (this.identities[c.namespace] ??= args.identity.bind(
                `${name}-${c.namespace}-identity`,
                {
                    namespace: args.namespaces.name(c.namespace),
                    serviceAccountName: SERVICE_ACCOUNTS.ingestion,
                    grants: consumerGrants(
                        args.consumers.map((x) => x.deployment),
                        args.archive,
                        c.namespace,
                    ),
                },
                { parent: this },
            ));
            const dep = new Deployment(
                `${name}-${c.kafkaUser}`,
                {
                    // Reloader rolls the consumers when the Access Operator rewrites their renewed credentials.
                    metadata: { name: c.kafkaUser, namespace: args.namespaces.name(c.namespace), annotations: reloadAnnotations(access) },
                    spec: leafwise(
                        { secretName: access.secretName, id: podIdentityInput(identity), url: sinkUrl(args.archive, c.kafkaUser) },
                        ({ secretName, id, url }) =>
                            consumerDeployment(
                                c,
                                SERVICE_ACCOUNTS.ingestion,
                                {
                                    ...access,
                                    secretName,
                                    group,
                                    topics,
                                },
                                url,
                                id as PodIdentity,
                            ) as k8sInput.apps.v1.DeploymentSpec,
                    ),
                },
                { ...k8s, dependsOn: [...args.kafka.ready, ...identity.ready] },
            );
            this.deployments.push(dep);
            this.scaledObjects.push(
                new CustomResource(
                    `${name}-${c.kafkaUser}-scaler`,
                    {
                        apiVersion: "keda.sh/v1alpha1",
                        kind: "ScaledObject",
                        metadata: { name: c.kafkaUser, namespace: args.namespaces.name(c.namespace) },
                        spec: consumerScaledObject(args.triggers, c.kafkaUser, c.namespace, c.kafkaUser, src, LAG_AUTH).spec,
                    },
                    { ...k8s, dependsOn: [auth, dep] },
                ),
            );
        }
        this.registerOutputs({ scaledJob: this.scaledJob.id });
    }
}

/**
 * The URL a sink writes to: its own prefix of the archive bucket. The curated zone has one writer, the streaming run
 * (README "Streaming data path"); a sink's NDJSON is a replay archive of its topics, not an input of the compaction.
 */
function sinkUrl(archive: BucketRef | undefined, kafkaUser: string): pulumi.Output<string> {
    if (!archive) throw new Error(`keda: sink ${kafkaUser} has no archive bucket to write to (lake.buckets)`);
    return archive.url.apply((u) => `${u}/${sinkPrefix(kafkaUser)}`);
}

/** Sinks write what they consume into the archive bucket, each under its own prefix. */
export function consumerGrants(consumers: readonly ConsumerConfig[], archive: BucketRef | undefined, namespace: string): Grant[] {
    if (!archive) return [];
    return consumers
        .filter((c) => c.namespace === namespace)
        .map((c): Grant => ({ kind: "bucket", bucket: archive, access: "write", prefix: sinkPrefix(c.kafkaUser) }));
}
