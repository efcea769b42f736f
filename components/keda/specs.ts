import type { PlatformConfig } from "../config";
import type { Obj, PodIdentity } from "../contracts/pod";
import { kafkaClientEnv, kafkaClientMount, kafkaClientVolume, type KafkaClientCredentials, type KafkaConsumer } from "../contracts/kafka-client";
import { SINK_ENV } from "../contracts/python-env";

/** What a Kafka trigger needs: the consumer group and topics whose lag it reads. */
export interface LagSource {
    group: string;
    topics: string[];
    bootstrapServers: string;
}

/** The lag reader's credentials in KEDA's namespace (KafkaPlatform.access of the monitor user). */
export interface LagReaderSecret extends Pick<KafkaClientCredentials, "secretName" | "keys" | "authentication" | "user"> {
    /** Small Secret with the literal settings KEDA reads as auth parameters (tls, sasl, username). */
    settingsSecretName: string;
}

/** Literal settings for the trigger authentication (not sensitive; KEDA reads auth parameters only from Secrets). */
export function lagReaderSettings(r: Pick<LagReaderSecret, "authentication" | "user">): Record<string, string> {
    return r.authentication === "tls" ? { tls: "enable" } : { tls: "enable", sasl: "scram_sha512", username: r.user };
}

/**
 * ClusterTriggerAuthentication (keda.sh/v1alpha1): TLS to the brokers with the lag reader's KafkaUser credentials.
 * KEDA reads its Secrets from its own namespace, the one copy of the credentials that Reloader watches: a renewed
 * certificate restarts the operator, which then cannot keep a stale copy cached.
 */
export function clusterTriggerAuthentication(name: string, r: LagReaderSecret): Obj {
    const ref = (parameter: string, key: string, secret = r.secretName) => ({ parameter, name: secret, key });
    const params = [ref("tls", "tls", r.settingsSecretName), ref("ca", r.keys.ca)];
    if (r.authentication === "tls") params.push(ref("cert", r.keys.cert!), ref("key", r.keys.key!));
    else params.push(ref("sasl", "sasl", r.settingsSecretName), ref("username", "username", r.settingsSecretName), ref("password", r.keys.password!));
    return { apiVersion: "keda.sh/v1alpha1", kind: "ClusterTriggerAuthentication", metadata: { name }, spec: { secretTargetRef: params } };
}

/**
 * The Kafka protocol version the scaler's client (sarama) speaks, as KEDA's `version` metadata takes it
 * ("x.y.z", parsed by sarama's ParseKafkaVersion, which takes any x.y.z from 1.0.0 on; KEDA's default is 1.0.0,
 * https://keda.sh/docs/2.21/scalers/apache-kafka/). Kafka 4.x brokers
 * removed the oldest request versions (KIP-896), which a 1.0.0 client still sends, so the scaler must claim
 * the brokers' own version: the one Strimzi runs (kafka.version).
 */
function kafkaProtocolVersion(brokerVersion: string): string {
    if (!/^\d+\.\d+\.\d+$/.test(brokerVersion)) throw new Error(`kafka.version ${brokerVersion} is not x.y.z, the form KEDA's Kafka scaler accepts`);
    return brokerVersion;
}

/** What the triggers read from config: the autoscaling section and the brokers' version. */
export type TriggerSettings = Pick<PlatformConfig, "autoscaling"> & { kafka: Pick<PlatformConfig["kafka"], "version"> };

/** One Kafka trigger per consumed topic, thresholds from config. */
export function kafkaTriggers(cfg: TriggerSettings, src: LagSource, authName: string): Obj[] {
    const a = cfg.autoscaling;
    return src.topics.map((topic) => ({
        type: "kafka",
        name: `lag-${topic.replace(/[^a-z0-9-]/g, "-")}`,
        authenticationRef: { name: authName, kind: "ClusterTriggerAuthentication" },
        metadata: {
            bootstrapServers: src.bootstrapServers,
            version: kafkaProtocolVersion(cfg.kafka.version),
            consumerGroup: src.group,
            topic,
            lagThreshold: String(a.lagThreshold),
            activationLagThreshold: String(a.activationLagThreshold),
            // A new group has no committed offsets: its backlog is the whole retained topic.
            offsetResetPolicy: "earliest",
            allowIdleConsumers: "false",
            scaleToZeroOnInvalidOffset: "false",
        },
    }));
}

/**
 * ScaledJob: one backlog-draining run at a time, none when there is no lag. Lag scales the run's executors
 * (autoscaling.streaming.maxExecutors), not the number of runs: a second run would be a second writer on the sink path.
 */
export function streamingScaledJob(cfg: TriggerSettings, name: string, namespace: string, jobSpec: Obj, src: LagSource, authName: string): Obj {
    return {
        apiVersion: "keda.sh/v1alpha1",
        kind: "ScaledJob",
        metadata: { name, namespace },
        spec: {
            jobTargetRef: jobSpec,
            pollingInterval: cfg.autoscaling.pollingIntervalSeconds,
            minReplicaCount: 0,
            maxReplicaCount: 1,
            successfulJobsHistoryLimit: 3,
            failedJobsHistoryLimit: 5,
            // "default" creates maxScale - runningJobCount Jobs per poll, and maxScale is capped at maxReplicaCount (1):
            // while a run's Job is not Complete/Failed no second one starts, whatever the lag (Kafka lag still counts
            // the messages a run is processing). "accurate" subtracts only pending Jobs while lag-derived runs plus
            // running Jobs stay within maxReplicaCount, as if running Jobs had taken their messages off a queue.
            // https://keda.sh/docs/2.21/reference/scaledjob-spec/#scalingstrategy,
            // kedacore/keda pkg/scaling/executor/scale_jobs.go (defaultScalingStrategy, getRunningJobCount).
            scalingStrategy: { strategy: "default" },
            // A spec change must not kill runs in flight; they end on their own.
            rollout: { strategy: "gradual" },
            triggers: kafkaTriggers(cfg, src, authName),
        },
    };
}

/** ScaledObject for a consumer Deployment: min from config (0 staging), max ≤ the topic's partitions (config rule). */
export function consumerScaledObject(cfg: TriggerSettings, name: string, namespace: string, deployment: string, src: LagSource, authName: string): Obj {
    const a = cfg.autoscaling;
    return {
        apiVersion: "keda.sh/v1alpha1",
        kind: "ScaledObject",
        metadata: { name, namespace },
        spec: {
            scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: deployment },
            pollingInterval: a.pollingIntervalSeconds,
            cooldownPeriod: a.cooldownPeriodSeconds,
            minReplicaCount: a.deployments.minReplicas,
            maxReplicaCount: a.deployments.maxReplicas,
            advanced: {
                horizontalPodAutoscalerConfig: {
                    // Scale down slowly: a rebalance on every poll costs more than a few idle consumers.
                    behavior: { scaleDown: { stabilizationWindowSeconds: a.cooldownPeriodSeconds, policies: [{ type: "Pods", value: 1, periodSeconds: 60 }] } },
                },
            },
            triggers: kafkaTriggers(cfg, src, authName),
        },
    };
}

/**
 * apps/v1 DeploymentSpec of a lag-scaled consumer. Replicas are left to the HPA that KEDA owns; the consumer
 * commits its offsets to its group, which is what the trigger reads.
 */
export function consumerDeployment(
    c: PlatformConfig["autoscaling"]["deployments"]["consumers"][number],
    serviceAccountName: string,
    k: KafkaConsumer,
    /** Where the sink archives what it consumes (gs:// or s3:// URL under its own prefix of the archive bucket). */
    sinkUrl: string,
    identity: PodIdentity = { env: [], volumes: [], volumeMounts: [] },
): Obj {
    const labels = { "app.kubernetes.io/name": c.kafkaUser, "app.kubernetes.io/component": "consumer" };
    const env = [...kafkaClientEnv(k), { name: SINK_ENV.sink, value: sinkUrl }, ...identity.env];
    return {
        // No `replicas`: the HPA that KEDA owns sets it; applying one on every deploy would fight the autoscaler.
        selector: { matchLabels: labels },
        template: {
            metadata: { labels },
            spec: {
                serviceAccountName,
                // Consumers leave their group cleanly on scale-down.
                terminationGracePeriodSeconds: 60,
                securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
                containers: [
                    {
                        name: "consumer",
                        image: c.image,
                        args: c.args,
                        env,
                        resources: { requests: { cpu: c.cpu, memory: c.memory }, limits: { memory: c.memory } },
                        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                        volumeMounts: [kafkaClientMount(), ...identity.volumeMounts],
                    },
                ],
                volumes: [kafkaClientVolume(k), ...identity.volumes],
            },
        },
    };
}
