import * as pulumi from "@pulumi/pulumi";
import { RandomBytes } from "@pulumi/random/randomBytes";
import { RandomPassword } from "@pulumi/random/randomPassword";
import { SecretV2 } from "@pulumi/vault/kv/secretV2";
import type { Provider } from "@pulumi/vault/provider";
import type { VaultSettings } from "./provider";
import type { GeneratedValue, SyncedSecret } from "./vso";

/** Fernet wants URL-safe base64 (cryptography.fernet.Fernet.generate_key); RandomBytes gives the standard alphabet. */
function urlSafeBase64(b64: string): string {
    return b64.replace(/\+/g, "-").replace(/\//g, "_");
}

export interface GeneratedSecretsArgs {
    settings: VaultSettings;
    provider: Provider;
    /** KV v2 mount path (Output of the mount, for ordering). */
    kvMount: pulumi.Input<string>;
    secrets: readonly SyncedSecret[];
}

/**
 * The secrets the platform can make itself (Airflow's keys, Grafana's admin password): random values created
 * once and kept in state as Pulumi secrets, written to Vault KV, where VSO picks them up. The random resources
 * have no keepers, so no later `pulumi up` regenerates them; a value changes only if someone replaces the resource.
 */
export class GeneratedSecrets extends pulumi.ComponentResource {
    /** The KV write of each generated synced secret, by its id. */
    readonly writes: Record<string, SecretV2> = {};

    constructor(name: string, args: GeneratedSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplatform:vault:GeneratedSecrets", name, {}, opts);
        const ns = args.settings.vault.namespace;
        for (const s of args.secrets) {
            if (s.source.kind !== "generated") continue;
            const id = s.id.replace(":", "-");
            const value = (key: string, v: GeneratedValue): pulumi.Input<string> => {
                switch (v.kind) {
                    case "password":
                        return new RandomPassword(`${name}-${id}-${key}`, { length: v.length, special: false }, { parent: this }).result;
                    case "fernet":
                        return pulumi.secret(new RandomBytes(`${name}-${id}-${key}`, { length: 32 }, { parent: this }).base64.apply(urlSafeBase64));
                    case "literal":
                        return v.value;
                }
            };
            const data = Object.fromEntries(Object.entries(s.source.values).map(([k, v]) => [k, value(k, v)]));
            this.writes[s.id] = new SecretV2(
                `${name}-${id}`,
                {
                    mount: args.kvMount,
                    name: s.path,
                    ...(ns ? { namespace: ns } : {}),
                    dataJson: pulumi.secret(pulumi.all(data).apply((d) => JSON.stringify(d))),
                },
                { parent: this, provider: args.provider },
            );
        }
        this.registerOutputs({ paths: Object.values(this.writes).map((w) => w.path) });
    }
}
