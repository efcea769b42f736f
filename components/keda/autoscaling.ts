import * as pulumi from "@pulumi/pulumi";
import { reloadAnnotations } from "../kafka/layer";
import { Secret } from "@pulumi/kubernetes/core/v1";
import { Deployment } from "@pulumi/kubernetes/apps/v1";
import { CustomResource } from "@pulumi/kubernetes/apiextensions";
import type * as k8sInput from "@pulumi/kubernetes/types/input";
import type { BucketRef, Grant, KafkaPlatform, KubernetesLayerArgs, WorkloadIdentity } from "../interfaces";
import { podIdentity } from "../spark/jobs";
import { SERVICE_ACCOUNTS } from "../k8s/accounts";
import type { Obj } from "../spark/specs";
import { clusterTriggerAuthentication, consumerDeployment, consumerScaledObject, LagSource, lagReaderSettings, streamingScaledJob } from "./scalers";
import { KEDA_NAMESPACE } from "../k8s/namespaces";
import { ARCHIVE_BUCKET, sinkPrefix } from "../spark/datapath";

/** The ClusterTriggerAuthentication every Kafka trigger refers to. */
export const LAG_AUTH = "kafka-lag-reader";

export interface LagAutoscalingArgs extends KubernetesLayerArgs {
    kafka: KafkaPlatform;
    buckets: Readonly<Record<string, BucketRef>>;
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
        const cfg = args.config;
        const k8s = { parent: this, provider: args.provider };
        const monitor = cfg.kafka.users.find((u) => u.name === cfg.autoscaling.kafkaUser)!;

        // One ClusterTriggerAuthentication for every scaled workload: KEDA reads the lag reader's Secret in its
        // own namespace, where Reloader restarts the operator when the certificate is renewed.
        const access = args.kafka.access(monitor.name, KEDA_NAMESPACE);
        const settings = new Secret(`${name}-kafka-trigger`, {
            metadata: { name: "keda-kafka-trigger-settings", namespace: args.namespaces.name(KEDA_NAMESPACE) },
            stringData: lagReaderSettings({ authentication: access.authentication, user: monitor.name }),
        }, k8s);
        const auth = new CustomResource(`${name}-trigger-auth`, {
            apiVersion: "keda.sh/v1alpha1",
            kind: "ClusterTriggerAuthentication",
            metadata: { name: LAG_AUTH },
            spec: pulumi.all([access.secretName, settings.metadata.name]).apply(([secretName, settingsSecretName]) =>
                clusterTriggerAuthentication(LAG_AUTH, { secretName, settingsSecretName, keys: access.keys, authentication: access.authentication, user: monitor.name }).spec),
        }, { ...k8s, dependsOn: [args.keda, settings, ...args.kafka.ready] });

        const s = args.streaming;
        this.scaledJob = new CustomResource(`${name}-stream-events`, {
            apiVersion: "keda.sh/v1alpha1",
            kind: "ScaledJob",
            metadata: { name: "stream-events", namespace: args.namespaces.name(s.namespace) },
            spec: pulumi.output(s.job).apply((job) => streamingScaledJob(cfg, "stream-events", s.namespace, job, s.source, LAG_AUTH).spec),
        }, { ...k8s, dependsOn: [auth, ...s.dependsOn] });

        for (const c of cfg.autoscaling.deployments.consumers) {
            const user = cfg.kafka.users.find((u) => u.name === c.kafkaUser)!;
            const access = args.kafka.access(user.name, c.namespace);
            const src: LagSource = { group: user.group!, topics: [...user.topics], bootstrapServers: access.bootstrapServers };
            const identity = this.identities[c.namespace] ??= args.identity.bind(`${name}-${c.namespace}-identity`, {
                namespace: args.namespaces.name(c.namespace),
                serviceAccountName: SERVICE_ACCOUNTS.ingestion,
                grants: consumerGrants(cfg, args.buckets, c.namespace),
            }, { parent: this });
            const dep = new Deployment(`${name}-${c.kafkaUser}`, {
                // Reloader rolls the consumers when the Access Operator rewrites their renewed credentials.
                metadata: { name: c.kafkaUser, namespace: args.namespaces.name(c.namespace), annotations: reloadAnnotations(access) },
                spec: pulumi.all([access.secretName, podIdentity(identity), sinkUrl(args.buckets, c.kafkaUser)]).apply(([secretName, id, url]) => consumerDeployment(cfg, c, SERVICE_ACCOUNTS.ingestion, {
                    secretName, bootstrapServers: access.bootstrapServers, authentication: access.authentication, keys: access.keys, group: user.group!, topics: [...user.topics], sinkUrl: url,
                }, id) as k8sInput.apps.v1.DeploymentSpec),
            }, { ...k8s, dependsOn: [...args.kafka.ready, ...identity.ready] });
            this.deployments.push(dep);
            this.scaledObjects.push(new CustomResource(`${name}-${c.kafkaUser}-scaler`, {
                apiVersion: "keda.sh/v1alpha1",
                kind: "ScaledObject",
                metadata: { name: c.kafkaUser, namespace: args.namespaces.name(c.namespace) },
                spec: consumerScaledObject(cfg, c.kafkaUser, c.namespace, c.kafkaUser, src, LAG_AUTH).spec,
            }, { ...k8s, dependsOn: [auth, dep] }));
        }
        this.registerOutputs({ scaledJob: this.scaledJob.id });
    }
}

/**
 * The URL a sink writes to: its own prefix of the archive bucket. The curated zone has one writer, the streaming run
 * (README "Streaming data path"); a sink's NDJSON is a replay archive of its topics, not an input of the compaction.
 */
export function sinkUrl(buckets: Readonly<Record<string, BucketRef>>, kafkaUser: string): pulumi.Output<string> {
    return buckets[ARCHIVE_BUCKET].url.apply((u) => `${u}/${sinkPrefix(kafkaUser)}`);
}

/** Sinks write what they consume into the archive bucket, each under its own prefix. */
export function consumerGrants(cfg: LagAutoscalingArgs["config"], buckets: Readonly<Record<string, BucketRef>>, namespace: string): Grant[] {
    const archive = buckets[ARCHIVE_BUCKET];
    if (!archive) return [];
    return cfg.autoscaling.deployments.consumers
        .filter((c) => c.namespace === namespace)
        .map((c): Grant => ({ kind: "bucket", bucket: archive, access: "write", prefix: sinkPrefix(c.kafkaUser) }));
}
