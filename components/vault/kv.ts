import * as pulumi from "@pulumi/pulumi";
import { Mount } from "@pulumi/vault/mount";
import { SecretBackendRole } from "@pulumi/vault/pkisecret/secretBackendRole";
import type { Provider } from "@pulumi/vault/provider";
import type { PlatformConfig } from "../config";
import type { VaultSettings } from "./provider";

export interface SecretEnginesArgs {
    settings: VaultSettings;
    provider: Provider;
}

/** The PKI role's settings from config: service certificates usable as TLS server and client. */
export function pkiRoleSpec(v: PlatformConfig["vault"]) {
    return {
        name: "service",
        allowedDomains: [...v.pki.allowedDomains],
        allowSubdomains: true,
        allowBareDomains: false,
        allowGlobDomains: false,
        allowAnyName: false,
        allowIpSans: false,
        allowLocalhost: false,
        enforceHostnames: true,
        serverFlag: true,
        clientFlag: true,
        keyType: "ec",
        keyBits: 256,
        ttl: String(v.pki.ttlSeconds),
        maxTtl: String(v.pki.maxTtlSeconds),
        // Short-lived service certificates are not worth a storage write each.
        noStore: true,
    };
}

/**
 * The environment's KV v2 mount and, when enabled, a PKI mount with one role for service certificates
 * (the issuing CA is imported by the security team; Vault never gets it from Pulumi).
 */
export class SecretEngines extends pulumi.ComponentResource {
    readonly kv: Mount;
    readonly kvPath: pulumi.Output<string>;
    readonly pki?: Mount;
    readonly pkiRole?: SecretBackendRole;

    constructor(name: string, args: SecretEnginesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplatform:vault:SecretEngines", name, {}, opts);
        const v = args.settings.vault;
        const child = { parent: this, provider: args.provider };
        this.kv = new Mount(
            `${name}-kv`,
            {
                path: v.kvMount,
                type: "kv",
                options: { version: "2" },
                description: `Application secrets of dataplatform ${args.settings.stack}`,
            },
            child,
        );
        this.kvPath = this.kv.path;
        if (v.pki.enabled) {
            this.pki = new Mount(
                `${name}-pki`,
                {
                    path: v.pki.mount,
                    type: "pki",
                    defaultLeaseTtlSeconds: v.pki.ttlSeconds,
                    maxLeaseTtlSeconds: v.pki.maxTtlSeconds,
                    description: `Service certificates of dataplatform ${args.settings.stack}`,
                },
                child,
            );
            this.pkiRole = new SecretBackendRole(`${name}-pki-service`, { backend: this.pki.path, ...pkiRoleSpec(v) }, child);
        }
        this.registerOutputs({ kvPath: this.kvPath });
    }
}
