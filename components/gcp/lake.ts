import * as pulumi from "@pulumi/pulumi";
import type { Provider } from "@pulumi/gcp/provider";
import { Bucket } from "@pulumi/gcp/storage/bucket";
import type * as gcpInput from "@pulumi/gcp/types/input";
import { BucketConfig, GCS_CLASSES } from "../config/data";
import type { BucketRef } from "../interfaces";
import { lakeBucketName } from "../naming";

export interface GcpLakeArgs {
    project: string;
    region: string;
    stack: string;
    environment: "staging" | "prod";
    buckets: readonly BucketConfig[];
    /** Prod: days deleted objects stay recoverable. */
    softDeleteDays: number;
    provider: Provider;
    /** CMEK (Cloud KMS key in the bucket region) and its Cloud Storage service-agent grant. */
    kmsKeyName: pulumi.Input<string>;
    keyGrants: pulumi.Resource[];
}

/**
 * Lifecycle rules exactly as configured: one SetStorageClass per transition (only from warmer classes, so
 * a rule never moves data back up), noncurrent versions deleted after N days, incomplete multipart uploads
 * aborted, and expiry for logs.
 */
export function gcsLifecycleRules(b: BucketConfig): gcpInput.storage.BucketLifecycleRule[] {
    const order = ["STANDARD", ...GCS_CLASSES] as string[];
    const rules: gcpInput.storage.BucketLifecycleRule[] = b.transitions.map((t) => ({
        action: { type: "SetStorageClass", storageClass: t.storageClass },
        condition: { age: t.ageDays, matchesStorageClasses: order.slice(0, order.indexOf(t.storageClass)) },
    }));
    rules.push(
        { action: { type: "Delete" }, condition: { daysSinceNoncurrentTime: b.noncurrentVersionExpirationDays, withState: "ARCHIVED" } },
        { action: { type: "AbortIncompleteMultipartUpload" }, condition: { age: b.abortIncompleteUploadDays } },
    );
    if (b.expirationDays !== undefined) rules.push({ action: { type: "Delete" }, condition: { age: b.expirationDays, withState: "LIVE" } });
    return rules;
}

/** The lake on Cloud Storage: CMEK, no public access, lifecycle to cold classes, prod buckets kept. */
export class GcpLake extends pulumi.ComponentResource {
    readonly buckets: Readonly<Record<string, BucketRef>>;

    constructor(name: string, args: GcpLakeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplatform:gcp:Lake", name, {}, opts);
        const prod = args.environment === "prod";

        const buckets: Record<string, BucketRef> = {};
        for (const b of args.buckets) {
            const bucket = new Bucket(
                `${name}-${b.name}`,
                {
                    project: args.project,
                    name: lakeBucketName(args.project, args.stack, b.name),
                    location: args.region,
                    storageClass: "STANDARD",
                    uniformBucketLevelAccess: true,
                    publicAccessPrevention: "enforced",
                    encryption: { defaultKmsKeyName: args.kmsKeyName },
                    versioning: { enabled: prod },
                    lifecycleRules: gcsLifecycleRules(b),
                    // Deleted objects stay recoverable in prod; staging keeps the GCS default.
                    softDeletePolicy: prod ? { retentionDurationSeconds: args.softDeleteDays * 86_400 } : undefined,
                    forceDestroy: false,
                },
                {
                    parent: this,
                    provider: args.provider,
                    // Cloud Storage checks key access at creation.
                    dependsOn: args.keyGrants,
                    ...(prod ? { protect: true, retainOnDelete: true } : {}),
                },
            );
            buckets[b.name] = { logicalName: b.name, name: bucket.name, url: bucket.url, resource: bucket };
        }
        this.buckets = buckets;
        this.registerOutputs({ buckets: Object.fromEntries(Object.entries(buckets).map(([k, v]) => [k, v.url])) });
    }
}
