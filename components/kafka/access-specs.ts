import type { KafkaConfig } from "../config/kafka";
import type { KafkaSecretKeys } from "../contracts/kafka-client";
import { TLS_LISTENER, type StrimziObject } from "./strimzi-specs";

/** KafkaAccess objects: where each user's credentials Secret is written, and the keys it holds. */

const ACCESS_API = "access.strimzi.io/v1alpha1";

/** Name of the KafkaAccess (and of the Secret it writes) for a user in a client namespace. */
export function accessName(k: KafkaConfig, user: string): string {
    return `${k.clusterName}-${user}`;
}

export interface AccessTarget {
    user: string;
    namespace: string;
}

/**
 * Where each user's credentials go: its configured namespaces, plus the copies other layers ask for in their own
 * namespaces (`extra`, resolved in the wiring: KEDA's lag reader beside the KEDA operator).
 */
export function accessTargets(k: KafkaConfig, extra: readonly AccessTarget[]): AccessTarget[] {
    const unknown = extra.filter((e) => !k.users.some((u) => u.name === e.user));
    if (unknown.length > 0) throw new Error(`kafka: credentials asked for users not in kafka.users: ${unknown.map((e) => e.user).join(", ")}`);
    const out: AccessTarget[] = [];
    for (const u of k.users) {
        const nss = [...u.namespaces];
        for (const e of extra) if (e.user === u.name && !nss.includes(e.namespace)) nss.push(e.namespace);
        for (const ns of nss) out.push({ user: u.name, namespace: ns });
    }
    return out;
}

/** One KafkaAccess per target: the Access Operator writes a Secret there and rewrites it on rotation. */
export function accessResources(k: KafkaConfig, extra: readonly AccessTarget[]): StrimziObject[] {
    return accessTargets(k, extra).map(({ user, namespace }) => ({
        apiVersion: ACCESS_API,
        kind: "KafkaAccess",
        metadata: { name: accessName(k, user), namespace },
        spec: {
            kafka: { name: k.clusterName, namespace: k.namespace, listener: TLS_LISTENER },
            user: { kind: "KafkaUser", apiGroup: "kafka.strimzi.io", name: user, namespace: k.namespace },
        },
    }));
}

/**
 * Keys of the Secret a KafkaAccess writes (Access Operator 0.3): bootstrap.servers, security.protocol,
 * ssl.truststore.crt (cluster CA, PEM); for mTLS users ssl.keystore.crt / ssl.keystore.key (PEM) plus
 * ssl.keystore.p12 / ssl.keystore.password; for SCRAM users username, password, sasl.mechanism, sasl.jaas.config.
 */
const ACCESS_SECRET_KEYS = {
    bootstrapServers: "bootstrap.servers",
    securityProtocol: "security.protocol",
    ca: "ssl.truststore.crt",
    cert: "ssl.keystore.crt",
    key: "ssl.keystore.key",
    keystoreP12: "ssl.keystore.p12",
    keystorePassword: "ssl.keystore.password",
    username: "username",
    password: "password",
    saslMechanism: "sasl.mechanism",
    jaasConfig: "sasl.jaas.config",
} as const;

/** The keys a client needs, per authentication (a SCRAM user name is the KafkaUser name). */
export function accessKeys(auth: KafkaConfig["authentication"]): KafkaSecretKeys {
    const K = ACCESS_SECRET_KEYS;
    return auth === "tls" ? { ca: K.ca, cert: K.cert, key: K.key } : { ca: K.ca, password: K.password, jaasConfig: K.jaasConfig };
}
