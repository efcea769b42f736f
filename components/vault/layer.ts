import * as pulumi from "@pulumi/pulumi";
import type { Provider } from "@pulumi/vault/provider";
import type { CustomResource } from "@pulumi/kubernetes/apiextensions";
import type { KubernetesLayerArgs } from "../interfaces";
import type { ChartRelease } from "../k8s/releases";
import type { AirflowSecretNames, MonitoringSecretNames } from "../contracts/vault-secrets";
import { vaultProvider, vaultTokenSource, type VaultSettings } from "./provider";
import { KubernetesAuth } from "./auth";
import { SecretEngines } from "./kv";
import { AIRFLOW_BACKEND_ROLE, VaultApp, VaultApps } from "./apps";
import { SecretsOperator, SyncedSecret } from "./vso";
import { GeneratedSecrets } from "./generated";

export type VaultLayerArgs = KubernetesLayerArgs & {
    settings: VaultSettings;
    /** The Vault Secrets Operator chart. */
    release: ChartRelease;
    /** The applications with a Vault role (vaultApps) and the secrets synced for them (syncedSecrets), from the wiring. */
    apps: readonly VaultApp[];
    secrets: readonly SyncedSecret[];
    /** Kubernetes API endpoint (https://…) and CA (PEM or base64 PEM), from the foundation. */
    clusterEndpoint: pulumi.Input<string>;
    clusterCaCertificate: pulumi.Input<string>;
    /**
     * An audience the API server accepts for ServiceAccount tokens (its issuer on GKE,
     * https://kubernetes.default.svc on EKS): Vault reviews each login with the client's own token.
     */
    apiAudience: pulumi.Input<string>;
};

/**
 * Vault for this cluster: Kubernetes auth, the environment's KV v2 (and optional PKI), one policy + role per
 * application, the secrets the platform generates itself (written to KV once), and the Vault Secrets Operator
 * that turns KV secrets into Kubernetes Secrets at runtime. Secrets only people have never pass through Pulumi.
 */
export class VaultLayer extends pulumi.ComponentResource {
    readonly provider: Provider;
    /** Auth mount path, KV mount path and the roles' names per application. */
    readonly authMount: string;
    readonly kvMount: string;
    readonly apps: readonly VaultApp[];
    readonly secrets: readonly SyncedSecret[];
    /** Role for Airflow's own secrets-backend login (projected token with the API audience, see apps.ts). */
    readonly airflowBackendRole = AIRFLOW_BACKEND_ROLE;
    /** Where the deployer's token comes from. */
    readonly tokenSource: "config" | "environment";
    readonly operator: SecretsOperator;

    constructor(name: string, args: VaultLayerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplatform:vault:VaultLayer", name, {}, opts);
        const cfg = args.settings;
        this.tokenSource = vaultTokenSource(cfg);
        this.provider = vaultProvider(`${name}-provider`, cfg, { parent: this });
        const auth = new KubernetesAuth(
            `${name}-k8s-auth`,
            {
                settings: cfg,
                provider: this.provider,
                clusterEndpoint: args.clusterEndpoint,
                clusterCaCertificate: args.clusterCaCertificate,
            },
            { parent: this },
        );
        const engines = new SecretEngines(`${name}-engines`, { settings: cfg, provider: this.provider }, { parent: this });
        const ns = (n: string) => args.namespaces.name(n);
        const apps = new VaultApps(
            `${name}-apps`,
            {
                settings: cfg,
                vaultProvider: this.provider,
                k8sProvider: args.provider,
                apps: args.apps,
                authPath: auth.path,
                kvMount: engines.kvPath,
                namespace: ns,
                apiAudience: args.apiAudience,
            },
            { parent: this, dependsOn: [auth.config] },
        );
        const secrets = args.secrets;
        // Written before VSO looks for them, so a first deploy against an empty KV mount needs nobody's input.
        const generated = new GeneratedSecrets(
            `${name}-generated`,
            { settings: cfg, provider: this.provider, kvMount: engines.kvPath, secrets },
            { parent: this },
        );
        this.operator = new SecretsOperator(
            `${name}-vso`,
            {
                settings: cfg,
                release: args.release,
                provider: args.provider,
                apps: apps.apps,
                namespace: ns,
                apiAudience: args.apiAudience,
                dependsOn: [auth.config, ...Object.values(apps.roles)],
                secrets,
                writes: generated.writes,
            },
            { parent: this },
        );
        this.authMount = cfg.vault.authMount;
        this.kvMount = cfg.vault.kvMount;
        this.apps = apps.apps;
        this.secrets = this.operator.secrets;
        this.registerOutputs({
            authMount: this.authMount,
            kvMount: this.kvMount,
            tokenSource: this.tokenSource,
            roles: this.apps.map((a) => `${a.name}: ${a.namespace}/${a.serviceAccount}`),
        });
    }

    /** Name of the Kubernetes Secret VSO keeps in sync (ids: airflowKeys, airflowConnections, airflowOidc, airflowGit, grafanaAdmin, alertmanagerReceivers, app:<name>). */
    secretName(id: string): string {
        const s = this.secrets.find((x) => x.id === id);
        if (!s) throw new Error(`no synced secret ${id} (known: ${this.secrets.map((x) => x.id).join(", ")})`);
        return s.secretName;
    }

    /** The Secrets VSO keeps for Airflow, as the Airflow layer receives them. */
    airflowSecrets(): AirflowSecretNames {
        const git = this.secrets.some((s) => s.id === "airflowGit") ? { git: this.secretName("airflowGit") } : {};
        return { keys: this.secretName("airflowKeys"), connections: this.secretName("airflowConnections"), oidc: this.secretName("airflowOidc"), ...git };
    }

    /** The Secrets VSO keeps for Grafana and Alertmanager, as the Monitoring layer receives them. */
    monitoringSecrets(): MonitoringSecretNames {
        return { grafanaAdmin: this.secretName("grafanaAdmin"), alertmanagerReceivers: this.secretName("alertmanagerReceivers") };
    }

    /** The VaultStaticSecret behind a synced Secret, for consumers that must start after it. */
    secretResource(id: string): CustomResource {
        this.secretName(id);
        return this.operator.staticSecrets[id];
    }

    /** Vault role of an application (the name to use in its Vault login, e.g. Airflow's secrets backend). */
    roleName(app: string): string {
        const a = this.apps.find((x) => x.name === app);
        if (!a) throw new Error(`no Vault role for ${app} (known: ${this.apps.map((x) => x.name).join(", ")})`);
        return a.name;
    }
}
