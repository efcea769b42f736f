import * as pulumi from "@pulumi/pulumi";
import type { Provider } from "@pulumi/gcp/provider";
import { KeyRing } from "@pulumi/gcp/kms/keyRing";
import { CryptoKey } from "@pulumi/gcp/kms/cryptoKey";
import { CryptoKeyIAMMember } from "@pulumi/gcp/kms/cryptoKeyIAMMember";
import { ServiceIdentity } from "@pulumi/gcp/projects/serviceIdentity";
import { getProjectOutput } from "@pulumi/gcp/organizations/getProject";
import { getProjectServiceAccountOutput } from "@pulumi/gcp/storage/getProjectServiceAccount";
import { getDefaultServiceAccountOutput } from "@pulumi/gcp/bigquery/getDefaultServiceAccount";
import { generationSuffix } from "../names";

export type KeyPurpose = "gke" | "disk" | "storage" | "bigquery" | "registry" | "sql";

export interface GcpKeysArgs {
    stack: string;
    environment: "staging" | "prod";
    /** Generation of a stack created again under its name: key rings are never freed. */
    generation?: number;
    provider: Provider;
    /** Provider of the lookups (project number, service agents): one that needs no API enabled in the project. */
    lookupProvider: Provider;
    /** Project that holds the key ring (and whose service agents use the keys). */
    project: string;
    /** Which ring of the stack this is ("platform", "warehouse"): its name never depends on the purposes. */
    ring: string;
    /** KMS location: a region, or a multi-region such as "europe" for BigQuery datasets in EU. */
    location: string;
    purposes: KeyPurpose[];
}

/** Automatic rotation every 90 days (the upper bound allowed by the platform's key policy). */
export const ROTATION_PERIOD = `${90 * 24 * 3600}s`;
const ENCRYPTER_DECRYPTER = "roles/cloudkms.cryptoKeyEncrypterDecrypter";

/** The Google-managed service agent that encrypts/decrypts with the key of a purpose. */
export function serviceAgent(purpose: KeyPurpose, projectNumber: string): string {
    switch (purpose) {
        case "gke":
            return `serviceAccount:service-${projectNumber}@container-engine-robot.iam.gserviceaccount.com`;
        case "disk":
            return `serviceAccount:service-${projectNumber}@compute-system.iam.gserviceaccount.com`;
        case "storage":
            return `serviceAccount:service-${projectNumber}@gs-project-accounts.iam.gserviceaccount.com`;
        case "bigquery":
            return `serviceAccount:bq-${projectNumber}@bigquery-encryption.iam.gserviceaccount.com`;
        case "registry":
            return `serviceAccount:service-${projectNumber}@gcp-sa-artifactregistry.iam.gserviceaccount.com`;
        case "sql":
            return `serviceAccount:service-${projectNumber}@gcp-sa-cloud-sql.iam.gserviceaccount.com`;
    }
}

/**
 * The Storage and BigQuery service agents only exist once first requested: these lookups create them, so
 * the grant never names a missing account. GKE and Compute agents exist as soon as their APIs are enabled.
 */
function ensureAgent(purpose: KeyPurpose, project: string, opts: pulumi.InvokeOutputOptions): pulumi.Output<string> {
    switch (purpose) {
        case "storage":
            return getProjectServiceAccountOutput({ project }, opts).emailAddress;
        case "bigquery":
            return getDefaultServiceAccountOutput({ project }, opts).email;
        default:
            return pulumi.output("");
    }
}

/**
 * Service agents that exist only once generated (services.generateServiceIdentity): the Cloud SQL agent, which
 * Cloud SQL's CMEK setup has created with `gcloud beta services identity create --service=sqladmin.googleapis.com`
 * (https://cloud.google.com/sql/docs/postgres/configure-cmek), and the Artifact Registry agent.
 */
const GENERATED_AGENTS: Partial<Record<KeyPurpose, string>> = { sql: "sqladmin.googleapis.com", registry: "artifactregistry.googleapis.com" };

/**
 * Key ring name: one per stack and ring (key rings can never be deleted, so names must not collide). It does not
 * depend on the purposes: adding a purpose adds a key, it never renames the ring and replaces every key.
 */
export function keyRingName(stack: string, ring: string, generation?: number): string {
    return `dataplatform-${stack}-${ring}${generationSuffix({ generation })}`;
}

/**
 * The id the provider gives a CryptoKey, from config alone: `{{key_ring}}/cryptoKeys/{{name}}` with the key ring's
 * `projects/{{project}}/locations/{{location}}/keyRings/{{name}}` (terraform-provider-google
 * google/services/kms/resource_kms_crypto_key.go and resource_kms_key_ring.go). Known during a first preview, so
 * the CMEK policies decide on the resources that use it; equal to `key.id`, so nothing changes once it exists.
 */
function cryptoKeyId(project: string, location: string, ringName: string, purpose: KeyPurpose): string {
    return `projects/${project}/locations/${location}/keyRings/${ringName}/cryptoKeys/${purpose}`;
}

/**
 * A Cloud KMS key ring with one rotating key per purpose, and the encrypter/decrypter grant (on the key only)
 * to the service agent that uses it. Consumers put `grants` in dependsOn: GKE, Compute, Storage and BigQuery
 * check key access when the encrypted resource is created.
 */
export class GcpKeys extends pulumi.ComponentResource {
    readonly keyRingId: pulumi.Output<string>;
    readonly keys: Readonly<Partial<Record<KeyPurpose, CryptoKey>>>;
    readonly grants: pulumi.Resource[];
    private readonly ids: Partial<Record<KeyPurpose, string>> = {};
    private readonly grantOf: Partial<Record<KeyPurpose, pulumi.Resource>> = {};

    constructor(name: string, args: GcpKeysArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplatform:gcp:Keys", name, {}, opts);
        if (args.purposes.length === 0) throw new Error(`GcpKeys ${name}: at least one purpose is required`);
        const prod = args.environment === "prod";
        const provider = args.provider;

        const ringName = keyRingName(args.stack, args.ring, args.generation);
        const ring = new KeyRing(
            `${name}-ring`,
            {
                name: ringName,
                project: args.project,
                location: args.location,
            },
            { parent: this, provider, protect: prod, retainOnDelete: true },
        );
        this.keyRingId = ring.id;

        const lookup = { parent: this, provider: args.lookupProvider };
        const projectNumber = getProjectOutput({ projectId: args.project }, lookup).number;
        const keys: Partial<Record<KeyPurpose, CryptoKey>> = {};
        this.grants = [];
        for (const purpose of [...new Set(args.purposes)]) {
            const key = new CryptoKey(
                `${name}-${purpose}`,
                {
                    name: purpose,
                    keyRing: ring.id,
                    purpose: "ENCRYPT_DECRYPT",
                    rotationPeriod: ROTATION_PERIOD,
                    versionTemplate: { algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", protectionLevel: prod ? "HSM" : "SOFTWARE" },
                    // Destroying a key version makes everything encrypted with it unreadable: keep a grace period.
                    destroyScheduledDuration: `${(prod ? 30 : 7) * 24 * 3600}s`,
                    // A key can never be deleted, only its versions: retained in every environment, never half-destroyed.
                },
                { parent: this, provider, protect: prod, retainOnDelete: true },
            );
            keys[purpose] = key;
            this.ids[purpose] = cryptoKeyId(args.project, args.location, ringName, purpose);
            const agentService = GENERATED_AGENTS[purpose];
            const agent = agentService
                ? new ServiceIdentity(`${name}-${purpose}-agent`, { project: args.project, service: agentService }, { parent: this, provider })
                : undefined;
            const grant = new CryptoKeyIAMMember(
                `${name}-${purpose}-agent`,
                {
                    cryptoKeyId: key.id,
                    role: ENCRYPTER_DECRYPTER,
                    member: pulumi.all([projectNumber, ensureAgent(purpose, args.project, lookup)]).apply(([n]) => serviceAgent(purpose, n)),
                },
                { parent: this, provider, dependsOn: agent ? [agent] : [] },
            );
            this.grantOf[purpose] = grant;
            this.grants.push(grant);
        }
        this.keys = keys;
        this.registerOutputs({ keyRingId: this.keyRingId });
    }

    /**
     * The CryptoKey id (projects/…/cryptoKeys/…) of a purpose this component was created with, as a plain string
     * (see cryptoKeyId). It carries no dependency: a user puts ready(purpose) in dependsOn.
     */
    keyId(purpose: KeyPurpose): string {
        const id = this.ids[purpose];
        if (!id) throw new Error(`GcpKeys: no key for purpose "${purpose}" (created: ${Object.keys(this.keys).join(", ")})`);
        return id;
    }

    /**
     * What a user of the key of one purpose waits for (dependsOn): the key and its service agent's grant. keyId
     * carries no dependency, so this is what orders the user after them.
     */
    ready(purpose: KeyPurpose): pulumi.Resource[] {
        const key = this.keys[purpose];
        const g = this.grantOf[purpose];
        if (!key || !g) throw new Error(`GcpKeys: no key for purpose "${purpose}"`);
        return [key, g];
    }
}
