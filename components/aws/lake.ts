import * as pulumi from "@pulumi/pulumi";
import type { Provider } from "@pulumi/aws/provider";
import { Bucket } from "@pulumi/aws/s3/bucket";
import { BucketServerSideEncryptionConfiguration } from "@pulumi/aws/s3/bucketServerSideEncryptionConfiguration";
import { BucketPublicAccessBlock } from "@pulumi/aws/s3/bucketPublicAccessBlock";
import { BucketOwnershipControls } from "@pulumi/aws/s3/bucketOwnershipControls";
import { BucketVersioning } from "@pulumi/aws/s3/bucketVersioning";
import { BucketLifecycleConfiguration } from "@pulumi/aws/s3/bucketLifecycleConfiguration";
import { BucketPolicy } from "@pulumi/aws/s3/bucketPolicy";
import { BucketLogging } from "@pulumi/aws/s3/bucketLogging";
import type * as awsInput from "@pulumi/aws/types/input";
import { lakeBucketName } from "../naming";
import type { BucketConfig } from "../config/data";
import type { BucketRef } from "../interfaces";

export interface AwsLakeArgs {
    accountId: string;
    stack: string;
    environment: "staging" | "prod";
    buckets: readonly BucketConfig[];
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
function tlsOnly(bucketArn: string) {
    return {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [bucketArn, `${bucketArn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
    };
}

/** Denies every request that does not use TLS. */
export function denyInsecureTransport(bucketArn: string): string {
    return JSON.stringify({ Version: "2012-10-17", Statement: [tlsOnly(bucketArn)] });
}

/**
 * The bucket that receives the lake's S3 server access logs: the first bucket with purpose `logs` (config
 * requires one). It is the one bucket encrypted with SSE-S3, since access-log delivery refuses a target whose
 * default encryption is SSE-KMS.
 */
export function accessLogTarget(buckets: readonly BucketConfig[]): BucketConfig {
    const target = buckets.find((b) => b.purpose === "logs");
    if (!target) throw new Error("the lake has no bucket with purpose logs to receive the S3 server access logs");
    return target;
}

/** Key prefix of one lake bucket's server access logs in the target bucket. */
export function accessLogPrefix(logicalName: string): string {
    return `s3-access-logs/${logicalName}/`;
}

const s3Arn = (bucketName: string) => `arn:aws:s3:::${bucketName}`;

/**
 * Policy of the access-log target: TLS only, and the S3 logging service principal may put objects under each
 * source bucket's prefix only for that source bucket of this account (aws:SourceArn + aws:SourceAccount, the
 * bucket policy of https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html#grant-log-delivery-permissions-bucket-policy).
 * No ACL grant: the target enforces bucket-owner Object Ownership, so a bucket policy is the only way. Built
 * from bucket names, so it is known during the first preview.
 */
function accessLogTargetPolicy(targetName: string, accountId: string, sources: readonly { name: string; prefix: string }[]): string {
    const target = s3Arn(targetName);
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            tlsOnly(target),
            ...sources.map((src, i) => ({
                Sid: `S3ServerAccessLogs${i}`,
                Effect: "Allow",
                Principal: { Service: "logging.s3.amazonaws.com" },
                Action: "s3:PutObject",
                Resource: `${target}/${src.prefix}*`,
                Condition: { ArnLike: { "aws:SourceArn": s3Arn(src.name) }, StringEquals: { "aws:SourceAccount": accountId } },
            })),
        ],
    });
}

/**
 * The lake on S3: SSE-KMS with the platform CMK, public access blocked, TLS only, lifecycle to cold classes;
 * every bucket's server access logs go to the logs bucket (SSE-S3, see `accessLogTarget`).
 */
export class AwsLake extends pulumi.ComponentResource {
    readonly buckets: Readonly<Record<string, BucketRef>>;

    constructor(name: string, args: AwsLakeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplatform:aws:Lake", name, {}, opts);
        const prod = args.environment === "prod";
        const provider = args.provider;
        const keep: pulumi.CustomResourceOptions = prod ? { protect: true, retainOnDelete: true } : {};

        const bucketName = (b: BucketConfig) => lakeBucketName(args.accountId, args.stack, b.name);
        const logTarget = accessLogTarget(args.buckets);
        const logSources = args.buckets.filter((b) => b !== logTarget);
        const buckets: Record<string, BucketRef> = {};
        // Log delivery needs the target's policy and encryption in place first.
        const targetReady: pulumi.Resource[] = [];
        const created = new Map<BucketConfig, Bucket>();
        for (const b of args.buckets) {
            const n = `${name}-${b.name}`;
            const isLogTarget = b === logTarget;
            const bucket = new Bucket(
                n,
                {
                    bucket: bucketName(b),
                    forceDestroy: false,
                },
                { parent: this, provider, ...keep },
            );
            // Children inherit `protect`; retained too, so a retained prod bucket never loses its guardrails.
            const child = { parent: bucket, provider, ...(prod ? { retainOnDelete: true } : {}) };
            created.set(b, bucket);
            const id = bucket.id;
            const pab = new BucketPublicAccessBlock(
                `${n}-public-access`,
                {
                    bucket: id,
                    blockPublicAcls: true,
                    blockPublicPolicy: true,
                    ignorePublicAcls: true,
                    restrictPublicBuckets: true,
                },
                child,
            );
            new BucketOwnershipControls(`${n}-ownership`, { bucket: id, rule: { objectOwnership: "BucketOwnerEnforced" } }, child);
            const sse = new BucketServerSideEncryptionConfiguration(
                `${n}-sse`,
                {
                    bucket: id,
                    rules: [
                        isLogTarget
                            ? // Server access logs can be delivered only into a bucket whose default encryption is SSE-S3;
                              // SSE-KMS is not supported (https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html).
                              { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }
                            : {
                                  applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.kmsKeyArn },
                                  // S3 Bucket Keys cut KMS request costs by ~99 % for lake-sized object counts.
                                  bucketKeyEnabled: true,
                              },
                    ],
                },
                child,
            );
            const versioning = prod ? [new BucketVersioning(`${n}-versioning`, { bucket: id, versioningConfiguration: { status: "Enabled" } }, child)] : [];
            // Noncurrent-version rules need versioning settled first (S3 applies them to existing versions).
            new BucketLifecycleConfiguration(`${n}-lifecycle`, { bucket: id, rules: s3LifecycleRules(b) }, { ...child, dependsOn: versioning });
            // After the public access block, so a policy is never briefly evaluated without it.
            // The target's policy (same name: TLS only as well) also admits the S3 logging service.
            const policy = new BucketPolicy(
                `${n}-tls-only`,
                {
                    bucket: id,
                    policy: isLogTarget
                        ? accessLogTargetPolicy(
                              bucketName(b),
                              args.accountId,
                              logSources.map((s) => ({ name: bucketName(s), prefix: accessLogPrefix(s.name) })),
                          )
                        : // The ARN from the configured name: the document is known in a first preview, so the IAM policy decides.
                          denyInsecureTransport(s3Arn(bucketName(b))),
                },
                { ...child, dependsOn: [pab] },
            );
            if (isLogTarget) targetReady.push(sse, policy);
            buckets[b.name] = {
                logicalName: b.name,
                name: bucket.bucket,
                url: pulumi.interpolate`s3://${bucket.bucket}`,
                arn: bucket.arn,
                resource: bucket,
            };
        }
        // The target itself does not log: its own access logs would land in it, an endless loop (same page).
        for (const b of logSources) {
            const source = created.get(b)!;
            new BucketLogging(
                `${name}-${b.name}-access-logs`,
                {
                    bucket: source.id,
                    targetBucket: bucketName(logTarget),
                    targetPrefix: accessLogPrefix(b.name),
                },
                { parent: source, provider, ...(prod ? { retainOnDelete: true } : {}), dependsOn: targetReady },
            );
        }
        this.buckets = buckets;
        this.registerOutputs({ buckets: Object.fromEntries(Object.entries(buckets).map(([k, v]) => [k, v.url])) });
    }
}
