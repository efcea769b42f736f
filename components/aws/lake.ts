import * as pulumi from "@pulumi/pulumi";
import type { Provider } from "@pulumi/aws/provider";
import { Bucket } from "@pulumi/aws/s3/bucket";
import { BucketServerSideEncryptionConfiguration } from "@pulumi/aws/s3/bucketServerSideEncryptionConfiguration";
import { BucketPublicAccessBlock } from "@pulumi/aws/s3/bucketPublicAccessBlock";
import { BucketOwnershipControls } from "@pulumi/aws/s3/bucketOwnershipControls";
import { BucketVersioning } from "@pulumi/aws/s3/bucketVersioning";
import { BucketLifecycleConfiguration } from "@pulumi/aws/s3/bucketLifecycleConfiguration";
import { BucketPolicy } from "@pulumi/aws/s3/bucketPolicy";
import type * as awsInput from "@pulumi/aws/types/input";
import { lakeBucketName } from "../naming";
import type { BucketConfig } from "../config/data";
import type { AwsStack } from "../config";
import type { BucketRef } from "../interfaces";

export interface AwsLakeArgs {
    config: AwsStack;
    provider: Provider;
    /** ARN of the customer-managed KMS key for S3. */
    kmsKeyArn: pulumi.Input<string>;
}


/** Lifecycle rules exactly as configured, each for the whole bucket (empty filter). */
export function s3LifecycleRules(b: BucketConfig): awsInput.s3.BucketLifecycleConfigurationRule[] {
    const rules: awsInput.s3.BucketLifecycleConfigurationRule[] = [];
    if (b.transitions.length > 0) {
        rules.push({
            id: "tiering",
            status: "Enabled",
            filter: {},
            transitions: b.transitions.map((t) => ({ days: t.ageDays, storageClass: t.storageClass })),
        });
    }
    rules.push(
        { id: "noncurrent-versions", status: "Enabled", filter: {}, noncurrentVersionExpiration: { noncurrentDays: b.noncurrentVersionExpirationDays } },
        { id: "abort-incomplete-uploads", status: "Enabled", filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation: b.abortIncompleteUploadDays } },
    );
    if (b.expirationDays !== undefined) rules.push({ id: "retention", status: "Enabled", filter: {}, expiration: { days: b.expirationDays } });
    return rules;
}

/** Denies every request that does not use TLS. */
export function denyInsecureTransport(bucketArn: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [{
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: [bucketArn, `${bucketArn}/*`],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
        }],
    });
}

/** The lake on S3: SSE-KMS with the platform CMK, public access blocked, TLS only, lifecycle to cold classes. */
export class AwsLake extends pulumi.ComponentResource {
    readonly buckets: Readonly<Record<string, BucketRef>>;

    constructor(name: string, args: AwsLakeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplatform:aws:Lake", name, {}, opts);
        const cfg = args.config;
        const prod = cfg.environment === "prod";
        const provider = args.provider;
        const keep: pulumi.CustomResourceOptions = prod ? { protect: true, retainOnDelete: true } : {};

        const buckets: Record<string, BucketRef> = {};
        for (const b of cfg.lake.buckets) {
            const n = `${name}-${b.name}`;
            const bucket = new Bucket(n, {
                bucket: lakeBucketName(cfg.aws.accountId, cfg.stack, b.name),
                forceDestroy: false,
            }, { parent: this, provider, ...keep });
            // Children inherit `protect`; retained too, so a retained prod bucket never loses its guardrails.
            const child = { parent: bucket, provider, ...(prod ? { retainOnDelete: true } : {}) };
            const id = bucket.id;
            const pab = new BucketPublicAccessBlock(`${n}-public-access`, {
                bucket: id,
                blockPublicAcls: true,
                blockPublicPolicy: true,
                ignorePublicAcls: true,
                restrictPublicBuckets: true,
            }, child);
            new BucketOwnershipControls(`${n}-ownership`, { bucket: id, rule: { objectOwnership: "BucketOwnerEnforced" } }, child);
            new BucketServerSideEncryptionConfiguration(`${n}-sse`, {
                bucket: id,
                rules: [{
                    applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.kmsKeyArn },
                    // S3 Bucket Keys cut KMS request costs by ~99 % for lake-sized object counts.
                    bucketKeyEnabled: true,
                }],
            }, child);
            const versioning = prod
                ? [new BucketVersioning(`${n}-versioning`, { bucket: id, versioningConfiguration: { status: "Enabled" } }, child)]
                : [];
            // Noncurrent-version rules need versioning settled first (S3 applies them to existing versions).
            new BucketLifecycleConfiguration(`${n}-lifecycle`, { bucket: id, rules: s3LifecycleRules(b) }, { ...child, dependsOn: versioning });
            // After the public access block, so a policy is never briefly evaluated without it.
            new BucketPolicy(`${n}-tls-only`, { bucket: id, policy: bucket.arn.apply(denyInsecureTransport) }, { ...child, dependsOn: [pab] });
            buckets[b.name] = {
                logicalName: b.name,
                name: bucket.bucket,
                url: pulumi.interpolate`s3://${bucket.bucket}`,
                arn: bucket.arn,
                resource: bucket,
            };
        }
        this.buckets = buckets;
        this.registerOutputs({ buckets: Object.fromEntries(Object.entries(buckets).map(([k, v]) => [k, v.url])) });
    }
}
