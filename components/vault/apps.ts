import * as pulumi from "@pulumi/pulumi";
import { Policy } from "@pulumi/vault/policy";
import { AuthBackendRole } from "@pulumi/vault/kubernetes/authBackendRole";
import type { Provider as VaultProvider } from "@pulumi/vault/provider";
import { ClusterRoleBinding } from "@pulumi/kubernetes/rbac/v1";
import { ServiceAccount } from "@pulumi/kubernetes/core/v1";
import type { Provider as K8sProvider } from "@pulumi/kubernetes/provider";
import type { PlatformConfig } from "../config";
import type { VaultSettings } from "./provider";
import { SERVICE_ACCOUNTS, VAULT_ROLES } from "../k8s/accounts";
import { namespacePlan } from "../k8s/namespaces";

/**
 * Airflow's secrets backend logs in itself with a projected token, which carries a single audience. Vault
 * reviews the login with that same token, so it must be one the API server accepts: this role checks the
 * API audience instead of the Vault one, for the same namespace/account and the same `airflow` policy.
 */
export const AIRFLOW_BACKEND_ROLE = VAULT_ROLES.airflowBackend;

/** ServiceAccount the monitoring role binds: only VSO uses it, for Grafana's and Alertmanager's Secrets. */
export const MONITORING_SECRETS_SA = "monitoring-secrets";

/** One application that reads its own KV path, from exactly one namespace + ServiceAccount. */
export interface VaultApp {
    /** Role, policy and KV path name. */
    readonly name: string;
    readonly namespace: string;
    readonly serviceAccount: string;
    /** Created here (nobody else owns it). */
    readonly ownAccount: boolean;
    /** Application whose KV subtree (and policy) this role uses; itself unless set. */
    readonly policyOf?: string;
    /** "api": the role checks the API server's audience (single-audience projected tokens). */
    readonly audience?: "api";
}

/** The applications with a Vault role in this stack: the platform's own plus the configured BI/DS apps. */
export function vaultApps(cfg: Pick<PlatformConfig, "kafka" | "spark" | "monitoring" | "airflow" | "vault" | "workloads">): VaultApp[] {
    const known = namespacePlan(cfg);
    const apps: VaultApp[] = [
        { name: VAULT_ROLES.airflow, namespace: cfg.airflow.namespace, serviceAccount: SERVICE_ACCOUNTS.airflow, ownAccount: false },
        {
            name: AIRFLOW_BACKEND_ROLE,
            namespace: cfg.airflow.namespace,
            serviceAccount: SERVICE_ACCOUNTS.airflow,
            ownAccount: false,
            policyOf: VAULT_ROLES.airflow,
            audience: "api",
        },
        { name: VAULT_ROLES.sparkJobs, namespace: cfg.spark.jobNamespace, serviceAccount: SERVICE_ACCOUNTS.sparkJobs, ownAccount: false },
        { name: VAULT_ROLES.ingestion, namespace: "ingestion", serviceAccount: SERVICE_ACCOUNTS.ingestion, ownAccount: false },
        { name: VAULT_ROLES.monitoring, namespace: cfg.monitoring.namespace, serviceAccount: MONITORING_SECRETS_SA, ownAccount: true },
        ...cfg.vault.apps.map((a) => ({ name: a.name, namespace: a.namespace, serviceAccount: a.serviceAccount, ownAccount: true })),
        // Workloads' ServiceAccounts are created by the identity binder (components/workloads.ts).
        ...cfg.workloads
            .filter((w) => w.vault)
            .map((w) => ({ name: w.name, namespace: w.namespace, serviceAccount: w.serviceAccount ?? w.name, ownAccount: false })),
    ];
    // Ingestion exists only where Kafka clients live there.
    return apps.filter((a) => a.namespace in known || a.name !== VAULT_ROLES.ingestion);
}

/** HCL of an app's policy: read its own KV v2 subtree, nothing else. */
export function appPolicy(kvMount: string, app: string): string {
    return [
        `path "${kvMount}/data/${app}/*" {`,
        `  capabilities = ["read"]`,
        `}`,
        `path "${kvMount}/metadata/${app}/*" {`,
        `  capabilities = ["read", "list"]`,
        `}`,
        "",
    ].join("\n");
}

/** The role's inputs: exactly one namespace and one ServiceAccount, the audience, short TTLs. */
export function appRoleSpec(cfg: Pick<PlatformConfig, "vault" | "stack">, app: VaultApp, apiAudience: pulumi.Input<string> = "") {
    return {
        roleName: app.name,
        boundServiceAccountNames: [app.serviceAccount],
        boundServiceAccountNamespaces: [app.namespace],
        audience: app.audience === "api" ? apiAudience : cfg.vault.audience,
        tokenTtl: cfg.vault.tokenTtlSeconds,
        tokenMaxTtl: 2 * cfg.vault.tokenTtlSeconds,
        tokenPolicies: [policyName(cfg, app.policyOf ?? app.name)],
        tokenNoDefaultPolicy: false,
        tokenType: "default",
        aliasNameSource: "serviceaccount_name",
    };
}

function policyName(cfg: Pick<PlatformConfig, "stack">, app: string): string {
    return `dataplatform-${cfg.stack}-${app}`;
}

export interface VaultAppsArgs {
    settings: VaultSettings;
    vaultProvider: VaultProvider;
    k8sProvider: K8sProvider;
    /** Auth mount path (Output of the mount, for ordering). */
    authPath: pulumi.Input<string>;
    kvMount: pulumi.Input<string>;
    /** Namespace name Outputs (carry the dependency on the namespace). */
    namespace: (ns: string) => pulumi.Input<string>;
    /** An audience the API server accepts (for roles with audience "api"). */
    apiAudience: pulumi.Input<string>;
    /** The applications with a role (vaultApps, resolved in the wiring). */
    apps: readonly VaultApp[];
}

/** Per-application Vault policy and role, plus the TokenReview permission Vault relies on. */
export class VaultApps extends pulumi.ComponentResource {
    readonly apps: readonly VaultApp[];
    readonly roles: Record<string, AuthBackendRole> = {};
    readonly policies: Record<string, Policy> = {};

    constructor(name: string, args: VaultAppsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplatform:vault:VaultApps", name, {}, opts);
        const cfg = args.settings;
        const vchild = { parent: this, provider: args.vaultProvider };
        const kchild = { parent: this, provider: args.k8sProvider };
        this.apps = [...args.apps];
        for (const app of this.apps.filter((a) => !a.policyOf)) {
            this.policies[app.name] = new Policy(
                `${name}-${app.name}`,
                {
                    name: policyName(cfg, app.name),
                    policy: pulumi.output(args.kvMount).apply((kv) => appPolicy(kv, app.name)),
                },
                vchild,
            );
        }
        const bound = new Set<string>();
        for (const app of this.apps) {
            this.roles[app.name] = new AuthBackendRole(
                `${name}-${app.name}`,
                {
                    backend: args.authPath,
                    ...appRoleSpec(cfg, app, args.apiAudience),
                    tokenPolicies: [this.policies[app.policyOf ?? app.name].name],
                },
                vchild,
            );
            const account = `${app.namespace}/${app.serviceAccount}`;
            if (bound.has(account)) continue;
            bound.add(account);
            if (app.ownAccount) {
                new ServiceAccount(
                    `${name}-${app.name}`,
                    {
                        metadata: { name: app.serviceAccount, namespace: args.namespace(app.namespace) },
                        automountServiceAccountToken: false,
                    },
                    kchild,
                );
            }
            // Vault reviews each login with the client's own JWT, so the client must be allowed to call TokenReview.
            new ClusterRoleBinding(
                `${name}-${app.name}-tokenreview`,
                {
                    metadata: { name: `vault-tokenreview-${app.namespace}-${app.serviceAccount}` },
                    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "system:auth-delegator" },
                    subjects: [{ kind: "ServiceAccount", name: app.serviceAccount, namespace: args.namespace(app.namespace) }],
                },
                kchild,
            );
        }
        this.registerOutputs({ roles: this.apps.map((a) => a.name) });
    }
}
