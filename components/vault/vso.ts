import * as pulumi from "@pulumi/pulumi";
import { Release } from "@pulumi/kubernetes/helm/v3/release";
import { CustomResource } from "@pulumi/kubernetes/apiextensions";
import type { Provider } from "@pulumi/kubernetes/provider";
import type { PlatformConfig } from "../config";
import type { VaultSettings } from "./provider";
import { CHARTS } from "../versions";
import { VSO_NAMESPACE } from "../k8s/namespaces";
import { VAULT_ROLES } from "../k8s/accounts";
import type { VaultApp } from "./apps";
import { releaseChart, type ChartRelease } from "../k8s/releases";
import { AIRFLOW_SECRET_KEYS, type AirflowSecretNames, type MonitoringSecretNames, type RolloutTarget, type SecretConsumers } from "../contracts/vault-secrets";

export const VSO_API = "secrets.hashicorp.com/v1beta1";
const VAULT_CONNECTION = "vault";

/** Names of the Kubernetes Secrets VSO keeps for the platform's own consumers (handed to them by the wiring). */
export const AIRFLOW_SECRET_NAMES = {
    keys: "airflow-keys",
    connections: "airflow-connections",
    oidc: "airflow-oidc",
    git: "airflow-git",
} as const satisfies AirflowSecretNames;
const MONITORING_SECRET_NAMES = { grafanaAdmin: "grafana-admin", alertmanagerReceivers: "alertmanager-receivers" } as const satisfies MonitoringSecretNames;

/** A value the platform generates once (kept as a Pulumi secret, written to Vault, never regenerated). */
export type GeneratedValue =
    | { readonly kind: "password"; readonly length: number }
    /** Fernet key: URL-safe base64 of 32 random bytes (cryptography.fernet). */
    | { readonly kind: "fernet" }
    | { readonly kind: "literal"; readonly value: string };

/**
 * Where a synced secret's value comes from. "generated": by this program, on the first deploy, so consumers may
 * wait for it. "people": written into Vault by a person (webhooks, IdP client secrets, repository credentials);
 * optional at first deploy, consumers start without it and pick it up once VSO has synced it.
 */
type SecretSource =
    { readonly kind: "generated"; readonly values: Readonly<Record<string, GeneratedValue>> } | { readonly kind: "people"; readonly keys: readonly string[] };

/** One KV v2 secret synced into a Kubernetes Secret of the app's namespace. */
export interface SyncedSecret {
    readonly id: string;
    /** Vault role (application) whose identity reads it. */
    readonly app: string;
    readonly namespace: string;
    /** Path below the KV mount, inside the app's own subtree. */
    readonly path: string;
    /** Kubernetes Secret created and kept current by VSO. */
    readonly secretName: string;
    readonly rollout: readonly RolloutTarget[];
    readonly source: SecretSource;
    /** Extra keys rendered by VSO from the Vault data (Go templates), e.g. the names a chart expects. */
    readonly templates?: Readonly<Record<string, string>>;
}

const password = (length: number): GeneratedValue => ({ kind: "password", length });

/** What the synced secrets depend on in config: whose they are, where those live, what people write. */
export type SyncedSecretsSettings = Pick<PlatformConfig, "monitoring" | "airflow" | "vault">;

/**
 * Which Vault secrets become Kubernetes Secrets, where their values come from, and what restarts when they change
 * (`consumers`: the workloads Airflow and Monitoring name, handed over by the wiring).
 */
export function syncedSecrets(cfg: SyncedSecretsSettings, apps: readonly VaultApp[], consumers: SecretConsumers): SyncedSecret[] {
    const mon = cfg.monitoring.namespace;
    const af = cfg.airflow.namespace;
    const airflow = VAULT_ROLES.airflow;
    const names = AIRFLOW_SECRET_NAMES;
    const rollout = consumers.airflow;
    const out: SyncedSecret[] = [
        // The chart's key names (chart/templates/secrets/*): generated once, so an upgrade or re-install never re-keys
        // (a new Fernet key makes the metadata DB's encrypted values unreadable; a new JWT secret breaks running tasks).
        {
            id: "airflowKeys",
            app: airflow,
            namespace: af,
            path: "airflow/k8s/keys",
            secretName: names.keys,
            rollout: rollout.all,
            source: {
                kind: "generated",
                values: { "api-secret-key": password(64), "webserver-secret-key": password(64), "jwt-secret": password(64), "fernet-key": { kind: "fernet" } },
            },
        },
        // AIRFLOW_CONN_* variables needed before the Vault secrets backend is reachable (envFrom, optional).
        {
            id: "airflowConnections",
            app: airflow,
            namespace: af,
            path: "airflow/k8s/connections",
            secretName: names.connections,
            rollout: rollout.all,
            source: { kind: "people", keys: ["AIRFLOW_CONN_*"] },
        },
        // The identity provider's client secret, mounted by the API server from an optional volume.
        {
            id: "airflowOidc",
            app: airflow,
            namespace: af,
            path: "airflow/k8s/oidc",
            secretName: names.oidc,
            rollout: rollout.apiServer,
            source: { kind: "people", keys: [AIRFLOW_SECRET_KEYS.oidcClientSecret] },
        },
        ...(cfg.airflow.dags.credential === "none" ? [] : [gitCredential(cfg, rollout.gitReaders)]),
        // Keys: admin-user, admin-password.
        {
            id: "grafanaAdmin",
            app: VAULT_ROLES.monitoring,
            namespace: mon,
            path: "monitoring/grafana-admin",
            secretName: MONITORING_SECRET_NAMES.grafanaAdmin,
            rollout: consumers.grafana,
            source: { kind: "generated", values: { "admin-user": { kind: "literal", value: "admin" }, "admin-password": password(32) } },
        },
        // One key per receiver (vaultKey); Alertmanager reads the *_file fields when it sends, no restart needed.
        {
            id: "alertmanagerReceivers",
            app: VAULT_ROLES.monitoring,
            namespace: mon,
            path: "monitoring/alertmanager",
            secretName: MONITORING_SECRET_NAMES.alertmanagerReceivers,
            rollout: [],
            source: { kind: "people", keys: cfg.monitoring.receivers.map((r) => r.vaultKey) },
        },
    ];
    for (const a of cfg.vault.apps) {
        out.push({
            id: `app:${a.name}`,
            app: a.name,
            namespace: a.namespace,
            path: `${a.name}/app`,
            secretName: `${a.name}-app`,
            rollout: a.deployment ? [{ kind: "Deployment", name: a.deployment }] : [],
            source: { kind: "people", keys: [] },
        });
    }
    const byName = new Map(apps.map((a) => [a.name, a]));
    for (const s of out) {
        const app = byName.get(s.app);
        if (!app || app.namespace !== s.namespace) throw new Error(`synced secret ${s.id}: no Vault role ${s.app} in namespace ${s.namespace}`);
    }
    return out;
}

/**
 * The DAG repository credential. ssh: key gitSshKey, the name the chart mounts from dags.gitSync.sshKeySecret.
 * token: people write username/password once; VSO renders the four keys the chart reads from
 * dags.gitSync.credentialsSecret (GIT_SYNC_* for git-sync v3, GITSYNC_* for v4, chart/templates/_helpers.yaml).
 */
function gitCredential(cfg: Pick<PlatformConfig, "airflow">, rollout: readonly RolloutTarget[]): SyncedSecret {
    const base = {
        id: "airflowGit",
        app: VAULT_ROLES.airflow,
        namespace: cfg.airflow.namespace,
        path: "airflow/k8s/git",
        secretName: AIRFLOW_SECRET_NAMES.git,
        rollout,
    };
    if (cfg.airflow.dags.credential === "ssh") return { ...base, source: { kind: "people", keys: [AIRFLOW_SECRET_KEYS.gitSshKey] } };
    const user = '{{ get .Secrets "username" }}';
    const pass = '{{ get .Secrets "password" }}';
    return {
        ...base,
        source: { kind: "people", keys: ["username", "password"] },
        templates: { GIT_SYNC_USERNAME: user, GIT_SYNC_PASSWORD: pass, GITSYNC_USERNAME: user, GITSYNC_PASSWORD: pass },
    };
}

/** VaultStaticSecret spec of one synced secret. */
export function staticSecretSpec(cfg: Pick<PlatformConfig, "vault">, s: SyncedSecret) {
    return {
        vaultAuthRef: s.app,
        ...(cfg.vault.namespace ? { namespace: cfg.vault.namespace } : {}),
        mount: cfg.vault.kvMount,
        type: "kv-v2",
        path: s.path,
        refreshAfter: "60s",
        hmacSecretData: true,
        destination: {
            name: s.secretName,
            create: true,
            overwrite: false,
            type: "Opaque",
            ...(s.templates ? { transformation: { templates: Object.fromEntries(Object.entries(s.templates).map(([k, text]) => [k, { text }])) } } : {}),
        },
        rolloutRestartTargets: s.rollout.map((t) => ({ kind: t.kind, name: t.name })),
    };
}

/**
 * Annotations of a VaultStaticSecret: Pulumi waits until VSO has synced a generated secret (status.secretMAC is set
 * after the first sync, hmacSecretData), so the release that mounts it starts after the Secret exists. A secret
 * only people write is not awaited: it may not exist yet, and its consumers start without it.
 */
function staticSecretAnnotations(s: SyncedSecret): Record<string, string> {
    return s.source.kind === "generated" ? { "pulumi.com/waitFor": "jsonpath={.status.secretMAC}" } : {};
}

/**
 * VaultAuth spec of one app: Kubernetes auth with the app's ServiceAccount and a short-lived token. Vault
 * reviews the login with this same token, so besides the Vault audience it must carry one the API server
 * accepts (`apiAudience`), or the TokenReview call is rejected.
 */
export function vaultAuthSpec(cfg: Pick<PlatformConfig, "vault">, app: VaultApp, apiAudience: pulumi.Input<string>) {
    return {
        vaultConnectionRef: `${VSO_NAMESPACE}/${VAULT_CONNECTION}`,
        ...(cfg.vault.namespace ? { namespace: cfg.vault.namespace } : {}),
        method: "kubernetes",
        mount: cfg.vault.authMount,
        kubernetes: {
            role: app.name,
            serviceAccount: app.serviceAccount,
            audiences: [cfg.vault.audience, apiAudience],
            tokenExpirationSeconds: 600,
        },
    };
}

/**
 * VSO chart values. Helm merges maps, so the chart's default CPU limits (500m on the manager, the proxy and the
 * hooks) survive unless deleted with `cpu: null` (which the Kubernetes provider hands to Helm since
 * pulumi/pulumi-kubernetes#4293): limits are memory-only, as everywhere on the platform.
 * The chart's default contexts (runAsNonRoot; allowPrivilegeEscalation: false) are refused by the restricted
 * namespace: the controller, its pre-delete Job and the CRD-upgrade hook all take controller.podSecurityContext
 * and controller.securityContext (chart/templates/deployment.yaml, hook-upgrade-crds.yaml; compare
 * hashicorp/vault-secrets-operator#311).
 */
function vsoValues() {
    const limits = (memory: string) => ({ memory, cpu: null });
    const small = { requests: { cpu: "10m", memory: "64Mi" }, limits: limits("128Mi") };
    return {
        controller: {
            replicas: 1,
            manager: { resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: limits("256Mi") } },
            kubeRbacProxy: { resources: small },
            podSecurityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } },
        },
        hooks: { resources: small },
    };
}

export interface SecretsOperatorArgs {
    settings: VaultSettings;
    release: ChartRelease;
    provider: Provider;
    apps: readonly VaultApp[];
    namespace: (ns: string) => pulumi.Input<string>;
    /** An audience the cluster's API server accepts (see vaultAuthSpec). */
    apiAudience: pulumi.Input<string>;
    /** Vault roles/config that must exist before VSO logs in. */
    dependsOn: pulumi.Resource[];
    /** What to sync (syncedSecrets). */
    secrets: readonly SyncedSecret[];
    /** The KV write of each generated secret, by id: its VaultStaticSecret follows it. */
    writes: Readonly<Record<string, pulumi.Resource>>;
}

/** Vault Secrets Operator and its objects: connection, per-app auth, static secrets with consumer rollout. */
export class SecretsOperator extends pulumi.ComponentResource {
    readonly release: Release;
    readonly secrets: readonly SyncedSecret[];
    readonly staticSecrets: Record<string, CustomResource> = {};

    constructor(name: string, args: SecretsOperatorArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplatform:vault:SecretsOperator", name, {}, opts);
        const cfg = args.settings;
        const child = { parent: this, provider: args.provider };
        this.release = new Release(
            name,
            {
                name: "vault-secrets-operator",
                ...releaseChart(CHARTS.vaultSecretsOperator, args.release),
                namespace: args.namespace(VSO_NAMESPACE),
                values: vsoValues(),
            },
            child,
        );
        const afterOperator = { ...child, dependsOn: [this.release] };
        const connection = new CustomResource(
            `${name}-connection`,
            {
                apiVersion: VSO_API,
                kind: "VaultConnection",
                metadata: { name: VAULT_CONNECTION, namespace: args.namespace(VSO_NAMESPACE) },
                spec: { address: cfg.vault.address, skipTLSVerify: false },
            },
            afterOperator,
        );
        const auths: Record<string, CustomResource> = {};
        // Roles that check the API audience are for pods logging in themselves, not for VSO.
        for (const app of args.apps.filter((a) => a.audience !== "api")) {
            auths[app.name] = new CustomResource(
                `${name}-auth-${app.name}`,
                {
                    apiVersion: VSO_API,
                    kind: "VaultAuth",
                    metadata: { name: app.name, namespace: args.namespace(app.namespace) },
                    spec: vaultAuthSpec(cfg, app, args.apiAudience),
                },
                { ...child, dependsOn: [this.release, connection, ...args.dependsOn] },
            );
        }
        this.secrets = args.secrets;
        for (const s of this.secrets) {
            const write = args.writes[s.id];
            if (s.source.kind === "generated" && !write) throw new Error(`synced secret ${s.id} is generated but nothing writes it to Vault`);
            this.staticSecrets[s.id] = new CustomResource(
                `${name}-secret-${s.id.replace(":", "-")}`,
                {
                    apiVersion: VSO_API,
                    kind: "VaultStaticSecret",
                    metadata: { name: s.secretName, namespace: args.namespace(s.namespace), annotations: staticSecretAnnotations(s) },
                    spec: staticSecretSpec(cfg, s),
                },
                { ...child, dependsOn: [auths[s.app], ...(write ? [write] : [])] },
            );
        }
        this.registerOutputs({ secrets: this.secrets.map((s) => `${s.namespace}/${s.secretName}`) });
    }
}
