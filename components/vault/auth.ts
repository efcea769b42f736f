import * as pulumi from "@pulumi/pulumi";
import { AuthBackend } from "@pulumi/vault/authBackend";
import { AuthBackendConfig } from "@pulumi/vault/kubernetes/authBackendConfig";
import type { Provider } from "@pulumi/vault/provider";
import type { VaultSettings } from "./provider";

export interface KubernetesAuthArgs {
    settings: VaultSettings;
    provider: Provider;
    /** https:// address of the cluster's API server and its CA (PEM), from the foundation. */
    clusterEndpoint: pulumi.Input<string>;
    clusterCaCertificate: pulumi.Input<string>;
}

/** Accepts a bare host or an https URL, and a PEM or base64-encoded PEM CA: clouds hand over either. */
export function kubernetesHost(endpoint: string): string {
    return endpoint.startsWith("https://") ? endpoint : `https://${endpoint}`;
}
export function pemCa(ca: string): string {
    const pem = ca.includes("-----BEGIN") ? ca : Buffer.from(ca, "base64").toString("utf8");
    return pem.endsWith("\n") ? pem : pem + "\n";
}

/**
 * The cluster's Kubernetes auth mount. No token reviewer JWT is stored: Vault runs outside the cluster and
 * uses each client's own JWT for the TokenReview call (the clients hold system:auth-delegator), so no
 * long-lived cluster token sits in Vault or in Pulumi state.
 */
export class KubernetesAuth extends pulumi.ComponentResource {
    readonly backend: AuthBackend;
    readonly config: AuthBackendConfig;
    /** Mount path (without auth/). */
    readonly path: pulumi.Output<string>;

    constructor(name: string, args: KubernetesAuthArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplatform:vault:KubernetesAuth", name, {}, opts);
        const cfg = args.settings;
        const child = { parent: this, provider: args.provider };
        this.backend = new AuthBackend(
            name,
            {
                type: "kubernetes",
                path: cfg.vault.authMount,
                description: `Kubernetes auth of the ${cfg.stack} cluster (dataplatform)`,
                tune: { defaultLeaseTtl: `${cfg.vault.tokenTtlSeconds}s`, maxLeaseTtl: `${2 * cfg.vault.tokenTtlSeconds}s`, tokenType: "default-service" },
            },
            child,
        );
        this.config = new AuthBackendConfig(
            name,
            {
                backend: this.backend.path,
                kubernetesHost: pulumi.output(args.clusterEndpoint).apply(kubernetesHost),
                kubernetesCaCert: pulumi.output(args.clusterCaCertificate).apply(pemCa),
                // Vault is not a pod of this cluster: never fall back to a local token/CA.
                disableLocalCaJwt: true,
                // Issuer validation is off by default in recent plugin versions; the audience is checked per role.
                disableIssValidation: true,
            },
            child,
        );
        this.path = this.backend.path;
        this.registerOutputs({ path: this.path });
    }
}
