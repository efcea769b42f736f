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
import { consumerDeployment, consumerScaledObject, LagSource, lagReaderSettings, streamingScaledJob, triggerAuthentication } from "./scalers";

export interface LagAutoscalingArgs extends KubernetesLayerArgs {
    kafka: KafkaPlatform;
    buckets: Readonly<Record<string, BucketRef>>;
    /** The KEDA release (CRDs and admission webhook). */
    keda: pulumi.Resource;
    streaming: { namespace: string; job: pulumi.Input<Obj>; source: LagSource; dependsOn: pulumi.Resource[] };
}

/**
 * Autoscaling on Kafka consumer lag: the Spark streaming consumer as a ScaledJob, the consumer Deployments
 * (sinks) as ScaledObjects, each namespace with a TriggerAuthentication from the lag reader's KafkaUser.
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
        const auths = new Map<string, CustomResource>();
        const monitor = cfg.kafka.users.find((u) => u.name === cfg.autoscaling.kafkaUser)!;

        // One TriggerAuthentication per namespace that has scaled workloads.
        const authIn = (ns: string): CustomResource => {
            let auth = auths.get(ns);
            if (auth) return auth;
            const access = args.kafka.access(monitor.name, ns);
            const settings = new Secret(`${name}-${ns}-kafka-trigger`, {
                metadata: { name: "keda-kafka-trigger-settings", namespace: args.namespaces.name(ns) },
                stringData: lagReaderSettings({ authentication: access.authentication, user: monitor.name }),
            }, k8s);
            const spec = pulumi.all([access.secretName, settings.metadata.name]).apply(([secretName, settingsSecretName]) =>
                triggerAuthentication("kafka-lag-reader", ns, { secretName, settingsSecretName, keys: access.keys, authentication: access.authentication, user: monitor.name }).spec);
            auth = new CustomResource(`${name}-${ns}-trigger-auth`, {
                apiVersion: "keda.sh/v1alpha1",
                kind: "TriggerAuthentication",
                metadata: { name: "kafka-lag-reader", namespace: args.namespaces.name(ns) },
                spec,
            }, { ...k8s, dependsOn: [args.keda, settings, ...args.kafka.ready] });
            auths.set(ns, auth);
            return auth;
        };

        const s = args.streaming;
        const sjAuth = authIn(s.namespace);
        this.scaledJob = new CustomResource(`${name}-stream-events`, {
            apiVersion: "keda.sh/v1alpha1",
            kind: "ScaledJob",
            metadata: { name: "stream-events", namespace: args.namespaces.name(s.namespace) },
            spec: pulumi.output(s.job).apply((job) => streamingScaledJob(cfg, "stream-events", s.namespace, job, s.source, "kafka-lag-reader").spec),
        }, { ...k8s, dependsOn: [sjAuth, ...s.dependsOn] });

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
                spec: pulumi.all([access.secretName, podIdentity(identity), sinkUrl(cfg, args.buckets, c.kafkaUser)]).apply(([secretName, id, url]) => consumerDeployment(cfg, c, SERVICE_ACCOUNTS.ingestion, {
                    secretName, bootstrapServers: access.bootstrapServers, authentication: access.authentication, keys: access.keys, group: user.group!, topics: [...user.topics], sinkUrl: url,
                }, id) as k8sInput.apps.v1.DeploymentSpec),
            }, { ...k8s, dependsOn: [...args.kafka.ready, identity.serviceAccount] });
            this.deployments.push(dep);
            const auth = authIn(c.namespace);
            this.scaledObjects.push(new CustomResource(`${name}-${c.kafkaUser}-scaler`, {
                apiVersion: "keda.sh/v1alpha1",
                kind: "ScaledObject",
                metadata: { name: c.kafkaUser, namespace: args.namespaces.name(c.namespace) },
                spec: consumerScaledObject(cfg, c.kafkaUser, c.namespace, c.kafkaUser, src, "kafka-lag-reader").spec,
            }, { ...k8s, dependsOn: [auth, dep] }));
        }
        this.registerOutputs({ scaledJob: this.scaledJob.id });
    }
}

/** The prefix a sink writes to: its own folder in the curated zone (the one its grant allows). */
export function sinkUrl(cfg: LagAutoscalingArgs["config"], buckets: Readonly<Record<string, BucketRef>>, kafkaUser: string): pulumi.Output<string> {
    return buckets[cfg.spark.compaction.sourceBucket].url.apply((u) => `${u}/sinks/${kafkaUser}/`);
}

/** Sinks write what they consume into the curated zone, each under its own prefix. */
export function consumerGrants(cfg: LagAutoscalingArgs["config"], buckets: Readonly<Record<string, BucketRef>>, namespace: string): Grant[] {
    const curated = buckets[cfg.spark.compaction.sourceBucket];
    if (!curated) return [];
    return cfg.autoscaling.deployments.consumers
        .filter((c) => c.namespace === namespace)
        .map((c): Grant => ({ kind: "bucket", bucket: curated, access: "write", prefix: `sinks/${c.kafkaUser}/` }));
}
