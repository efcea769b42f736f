import * as pulumi from "@pulumi/pulumi";
import { Release } from "@pulumi/kubernetes/helm/v3/release";
import { CustomResource } from "@pulumi/kubernetes/apiextensions";
import type { Provider } from "@pulumi/kubernetes/provider";
import type { PlatformConfig } from "../config";
import { CHARTS } from "../versions";
import { VSO_NAMESPACE } from "../k8s/namespaces";
import { VAULT_ROLES } from "../k8s/accounts";
import type { VaultApp } from "./apps";

export const VSO_API = "secrets.hashicorp.com/v1beta1";
export const VAULT_CONNECTION = "vault";
/** Release name of kube-prometheus-stack (fixes the Grafana Deployment's name). */
export const KPS_RELEASE = "kps";
/** Airflow Deployments that must restart on a new key/connection (release "airflow" of the Airflow chart). */
export const AIRFLOW_ROLLOUT = ["airflow-api-server", "airflow-scheduler"];

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
    readonly rolloutDeployments: readonly string[];
}

/** Which Vault secrets become Kubernetes Secrets, and what restarts when they change. */
export function syncedSecrets(cfg: PlatformConfig, apps: readonly VaultApp[]): SyncedSecret[] {
    const mon = cfg.monitoring.namespace;
    const out: SyncedSecret[] = [
        // Keys: api-secret-key, webserver-secret-key (the names the Airflow chart expects).
        { id: "airflowSecretKey", app: VAULT_ROLES.airflow, namespace: cfg.airflow.namespace, path: "airflow/k8s/secret-key", secretName: "airflow-secret-key", rolloutDeployments: AIRFLOW_ROLLOUT },
        // AIRFLOW_CONN_* variables needed before the Vault secrets backend is reachable.
        { id: "airflowConnections", app: VAULT_ROLES.airflow, namespace: cfg.airflow.namespace, path: "airflow/k8s/connections", secretName: "airflow-connections", rolloutDeployments: AIRFLOW_ROLLOUT },
        // Keys: admin-user, admin-password.
        { id: "grafanaAdmin", app: VAULT_ROLES.monitoring, namespace: mon, path: "monitoring/grafana-admin", secretName: "grafana-admin", rolloutDeployments: [`${KPS_RELEASE}-grafana`] },
        // One key per receiver (vaultKey); Alertmanager reads the *_file fields when it sends, no restart needed.
        { id: "alertmanagerReceivers", app: VAULT_ROLES.monitoring, namespace: mon, path: "monitoring/alertmanager", secretName: "alertmanager-receivers", rolloutDeployments: [] },
    ];
    for (const a of cfg.vault.apps) {
        out.push({ id: `app:${a.name}`, app: a.name, namespace: a.namespace, path: `${a.name}/app`, secretName: `${a.name}-app`, rolloutDeployments: a.deployment ? [a.deployment] : [] });
    }
    const byName = new Map(apps.map((a) => [a.name, a]));
    for (const s of out) {
        const app = byName.get(s.app);
        if (!app || app.namespace !== s.namespace) throw new Error(`synced secret ${s.id}: no Vault role ${s.app} in namespace ${s.namespace}`);
    }
    return out;
}

/** VaultStaticSecret spec of one synced secret. */
export function staticSecretSpec(cfg: PlatformConfig, s: SyncedSecret) {
    return {
        vaultAuthRef: s.app,
        ...(cfg.vault.namespace ? { namespace: cfg.vault.namespace } : {}),
        mount: cfg.vault.kvMount,
        type: "kv-v2",
        path: s.path,
        refreshAfter: "60s",
        hmacSecretData: true,
        destination: { name: s.secretName, create: true, overwrite: false, type: "Opaque" },
        rolloutRestartTargets: s.rolloutDeployments.map((name) => ({ kind: "Deployment", name })),
    };
}

/**
 * VaultAuth spec of one app: Kubernetes auth with the app's ServiceAccount and a short-lived token. Vault
 * reviews the login with this same token, so besides the Vault audience it must carry one the API server
 * accepts (`apiAudience`), or the TokenReview call is rejected.
 */
export function vaultAuthSpec(cfg: PlatformConfig, app: VaultApp, apiAudience: pulumi.Input<string>) {
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
export function vsoValues() {
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
    config: PlatformConfig;
    provider: Provider;
    apps: readonly VaultApp[];
    namespace: (ns: string) => pulumi.Input<string>;
    /** An audience the cluster's API server accepts (see vaultAuthSpec). */
    apiAudience: pulumi.Input<string>;
    /** Vault roles/config that must exist before VSO logs in. */
    dependsOn: pulumi.Resource[];
}

/** Vault Secrets Operator and its objects: connection, per-app auth, static secrets with consumer rollout. */
export class SecretsOperator extends pulumi.ComponentResource {
    readonly release: Release;
    readonly secrets: SyncedSecret[];
    readonly staticSecrets: Record<string, CustomResource> = {};

    constructor(name: string, args: SecretsOperatorArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplatform:vault:SecretsOperator", name, {}, opts);
        const cfg = args.config;
        const child = { parent: this, provider: args.provider };
        this.release = new Release(name, {
            name: "vault-secrets-operator",
            chart: CHARTS.vaultSecretsOperator.chart,
            version: cfg.charts.vaultSecretsOperator,
            repositoryOpts: { repo: CHARTS.vaultSecretsOperator.repo },
            namespace: args.namespace(VSO_NAMESPACE),
            values: vsoValues(),
        }, child);
        const afterOperator = { ...child, dependsOn: [this.release] };
        const connection = new CustomResource(`${name}-connection`, {
            apiVersion: VSO_API,
            kind: "VaultConnection",
            metadata: { name: VAULT_CONNECTION, namespace: args.namespace(VSO_NAMESPACE) },
            spec: { address: cfg.vault.address, skipTLSVerify: false },
        }, afterOperator);
        const auths: Record<string, CustomResource> = {};
        // Roles that check the API audience are for pods logging in themselves, not for VSO.
        for (const app of args.apps.filter((a) => a.audience !== "api")) {
            auths[app.name] = new CustomResource(`${name}-auth-${app.name}`, {
                apiVersion: VSO_API,
                kind: "VaultAuth",
                metadata: { name: app.name, namespace: args.namespace(app.namespace) },
                spec: vaultAuthSpec(cfg, app, args.apiAudience),
            }, { ...child, dependsOn: [this.release, connection, ...args.dependsOn] });
        }
        this.secrets = syncedSecrets(cfg, args.apps);
        for (const s of this.secrets) {
            this.staticSecrets[s.id] = new CustomResource(`${name}-secret-${s.id.replace(":", "-")}`, {
                apiVersion: VSO_API,
                kind: "VaultStaticSecret",
                metadata: { name: s.secretName, namespace: args.namespace(s.namespace) },
                spec: staticSecretSpec(cfg, s),
            }, { ...child, dependsOn: [auths[s.app]] });
        }
        this.registerOutputs({ secrets: this.secrets.map((s) => `${s.namespace}/${s.secretName}`) });
    }
}
