import * as pulumi from "@pulumi/pulumi";
import { Provider } from "@pulumi/vault/provider";
import type { PlatformConfig } from "../config";

/** What the Vault layer reads from config: its own section, the deployer's token and the stack name. */
export type VaultSettings = Pick<PlatformConfig, "vault" | "vaultToken" | "stack">;

/** Where the provider's token comes from: a secure config value, else VAULT_TOKEN in the deployer's environment. */
export function vaultTokenSource(cfg: Pick<PlatformConfig, "vaultToken">): "config" | "environment" {
    return cfg.vaultToken ? "config" : "environment";
}

/**
 * The explicit Vault provider of this stack. With `dataplatform:vaultToken` (always `--secret`) the token is
 * passed as a Pulumi secret; without it the provider reads VAULT_TOKEN (CI: a short-lived token from JWT auth).
 * The provider then works with a child token, so the deployer's token never reaches Vault's resources.
 */
export function vaultProvider(name: string, cfg: Pick<PlatformConfig, "vault" | "vaultToken">, opts?: pulumi.CustomResourceOptions): Provider {
    return new Provider(
        name,
        {
            address: cfg.vault.address,
            namespace: cfg.vault.namespace,
            token: cfg.vaultToken ? pulumi.secret(cfg.vaultToken) : undefined,
            // Child tokens expire with the deployment instead of outliving it.
            maxLeaseTtlSeconds: 1200,
        },
        opts,
    );
}
