import * as pulumi from "@pulumi/pulumi";
import { RELOAD_ANNOTATION, type Obj } from "./pod";

/**
 * The Kafka client contract: how a workload of another layer gets and uses Kafka credentials. The Kafka layer
 * implements KafkaPlatform; KEDA, Spark and the workloads consume it through these types and builders only.
 */

type KafkaAuthentication = "tls" | "scram-sha-512";

/** Keys inside a credentials Secret: CA certificate (PEM), client certificate and key (PEM) for mTLS; or SCRAM password. */
export interface KafkaSecretKeys {
    readonly ca: string;
    readonly cert?: string;
    readonly key?: string;
    readonly password?: string;
    readonly jaasConfig?: string;
}

/**
 * One Kafka client credential: the Secret (kept current on rotation) and how to use it. `S` is the Secret name's
 * type: an Output from KafkaPlatform.access, a string once resolved for the pure builders.
 */
export interface KafkaClientCredentials<S = string> {
    readonly user: string;
    readonly secretName: S;
    /** Bootstrap address of the TLS listener: <cluster>-kafka-bootstrap.<ns>.svc.cluster.local:<port>. */
    readonly bootstrapServers: string;
    readonly authentication: KafkaAuthentication;
    readonly keys: KafkaSecretKeys;
}

/** Credentials of a user in one client namespace (the Secret there, for example written by a KafkaAccess). */
export interface KafkaClientAccess extends KafkaClientCredentials<pulumi.Output<string>> {
    readonly namespace: string;
}

/** A consumer's credentials with the group it commits to and the topics it reads. */
export interface KafkaConsumer extends KafkaClientCredentials {
    readonly group: string;
    readonly topics: readonly string[];
}

/** What the Kafka layer offers the layers above it. */
export interface KafkaPlatform {
    readonly clusterName: string;
    readonly namespace: string;
    readonly bootstrapServers: string;
    /** Credentials of a configured Kafka user in one of its configured namespaces. */
    access(user: string, namespace: string): KafkaClientAccess;
    /** Name of a user's credentials Secret (the same in each of its namespaces), for references that must not wait on it. */
    secretName(user: string): string;
    /** Resources a client must wait for (cluster ready, users created). */
    readonly ready: pulumi.Resource[];
}

/**
 * Environment variable names of a Kafka client pod of the platform's own Python (jobs/, sinks/), which reads exactly
 * these (tests/contract.test.ts parses its sources and compares both ways).
 */
export const KAFKA_ENV = {
    bootstrapServers: "KAFKA_BOOTSTRAP_SERVERS",
    group: "KAFKA_GROUP",
    topics: "KAFKA_TOPICS",
    auth: "KAFKA_AUTH",
    caFile: "KAFKA_CA_FILE",
    certFile: "KAFKA_CERT_FILE",
    keyFile: "KAFKA_KEY_FILE",
    username: "KAFKA_USERNAME",
    passwordFile: "KAFKA_PASSWORD_FILE",
} as const;

/** Where the credentials Secret is mounted in every client pod; the *_FILE variables point into it. */
export const KAFKA_MOUNT = "/etc/kafka/client";
const VOLUME = "kafka-client";

/** The Kafka client variables of a pod that mounts the credentials Secret at KAFKA_MOUNT. */
export function kafkaClientEnv(k: KafkaConsumer): Obj[] {
    const file = (key?: string) => (key ? `${KAFKA_MOUNT}/${key}` : "");
    return [
        { name: KAFKA_ENV.bootstrapServers, value: k.bootstrapServers },
        { name: KAFKA_ENV.group, value: k.group },
        { name: KAFKA_ENV.topics, value: k.topics.join(",") },
        { name: KAFKA_ENV.auth, value: k.authentication },
        { name: KAFKA_ENV.caFile, value: file(k.keys.ca) },
        ...(k.authentication === "tls"
            ? [
                  { name: KAFKA_ENV.certFile, value: file(k.keys.cert) },
                  { name: KAFKA_ENV.keyFile, value: file(k.keys.key) },
              ]
            : [
                  { name: KAFKA_ENV.username, value: k.user },
                  { name: KAFKA_ENV.passwordFile, value: file(k.keys.password) },
              ]),
    ];
}

/** The read-only mount of the credentials Secret at KAFKA_MOUNT, and its volume. */
export function kafkaClientMount(): Obj {
    return { name: VOLUME, mountPath: KAFKA_MOUNT, readOnly: true };
}
export function kafkaClientVolume(k: Pick<KafkaClientCredentials, "secretName">): Obj {
    return { name: VOLUME, secret: { secretName: k.secretName } };
}

/** Annotations for a Deployment/StatefulSet that mounts these credentials: Reloader rolls it when one is rewritten. */
export function reloadAnnotations(...access: KafkaClientAccess[]): Record<string, pulumi.Output<string>> {
    return { [RELOAD_ANNOTATION]: pulumi.all(access.map((a) => a.secretName)).apply((names) => [...new Set(names)].join(",")) };
}
