import type { PolicyResource, ReportViolation, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { asArray, at, describe, ENV_SCHEMA, environmentOf } from "./util";

const GCS_BUCKET = "gcp:storage/bucket:Bucket";
const S3_BUCKETS = new Set(["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"]);

/** S3 settings live in companion resources that name the bucket in their `bucket` input (V2 = pre-v7 names). */
const S3_ENCRYPTION = [
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
];
const S3_PUBLIC_ACCESS = ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"];
const S3_LIFECYCLE = [
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
];
const S3_VERSIONING = ["aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"];

/**
 * The companion resources of an S3 bucket. In a real preview the `bucket` input of a new bucket's
 * companions is still unknown, so the dependency on the bucket (the engine records it) is what links
 * them; a literal name match covers imported/existing buckets.
 */
function companionsOf(bucket: PolicyResource, all: PolicyResource[], types: string[]): PolicyResource[] {
    const names = new Set([known(() => bucket.props.bucket), bucket.name].filter((n) => typeof n === "string"));
    return all.filter((r) => {
        if (!types.includes(r.type)) return false;
        const deps = [...asArray<PolicyResource>(r.dependencies), ...asArray<PolicyResource>(r.propertyDependencies?.bucket)];
        return deps.some((d) => d?.urn === bucket.urn) || names.has(known(() => r.props.bucket));
    });
}

/** Under `pulumi preview` reading a not-yet-known input throws UnknownValueError. */
const isUnknown = (e: unknown) =>
    (e as Error | undefined)?.name === "UnknownValueError" || (e as object | undefined)?.constructor?.name === "UnknownValueError";

function known<T>(read: () => T): T | undefined {
    try {
        return read();
    } catch (e) {
        if (isUnknown(e)) return undefined;
        throw e;
    }
}

type BucketCheck = {
    gcs: (props: Record<string, any>) => string | undefined;
    s3Types: string[];
    s3: (companions: PolicyResource[], bucket: PolicyResource) => string | undefined;
};

function checkBuckets(args: StackValidationArgs, report: ReportViolation, check: BucketCheck): void {
    const buckets = args.resources.filter((r) => r.type === GCS_BUCKET || S3_BUCKETS.has(r.type));
    if (buckets.length === 0) args.notApplicable("no buckets");
    // One bucket with inputs unknown at preview must not hide the others' findings: check every bucket,
    // then let the engine report (as advisory) that some could not be checked yet.
    let unknown: unknown;
    for (const b of buckets) {
        try {
            const problem = b.type === GCS_BUCKET ? check.gcs(b.props) : check.s3(companionsOf(b, args.resources, check.s3Types), b);
            if (problem) report(`${describe(b)}: ${problem}`, b.urn);
        } catch (e) {
            if (!isUnknown(e)) throw e;
            unknown ??= e;
        }
    }
    if (unknown) throw unknown;
}

const S3_LOGGING = ["aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2"];

/**
 * Names of the buckets that receive S3 server access logs (`targetBucket` of a BucketLogging), and whether
 * some target is still unknown (then a bucket outside the known set cannot be decided yet).
 */
function accessLogTargets(all: PolicyResource[]): { names: Set<string>; unknown?: unknown } {
    const names = new Set<string>();
    let unknown: unknown;
    for (const r of all.filter((x) => S3_LOGGING.includes(x.type))) {
        try {
            const t = r.props.targetBucket;
            if (typeof t === "string") names.add(t);
        } catch (e) {
            if (!isUnknown(e)) throw e;
            unknown ??= e;
        }
    }
    return { names, unknown };
}

const sseAlgorithms = (cs: PolicyResource[]) =>
    cs.flatMap((c) => asArray(c.props.rules).map((r: any) => at(r, "applyServerSideEncryptionByDefault.sseAlgorithm")));

export const bucketEncryption: StackValidationPolicy = {
    name: "bucket-cmek",
    description:
        "Every bucket is encrypted with a customer-managed key (GCS CMEK, S3 SSE-KMS); only a target of S3 server " +
        "access logs uses SSE-S3, the one default encryption log delivery accepts " +
        "(https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html).",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const targets = accessLogTargets(args.resources);
        checkBuckets(args, report, {
            gcs: (p) => (at(p, "encryption.defaultKmsKeyName") ? undefined : "encryption.defaultKmsKeyName is not set"),
            s3Types: S3_ENCRYPTION,
            s3: (cs, bucket) => {
                const algorithms = sseAlgorithms(cs);
                if (algorithms.includes("aws:kms")) return undefined;
                if (algorithms.includes("AES256")) {
                    if (targets.names.has(bucket.props.bucket)) return undefined;
                    if (targets.unknown) throw targets.unknown;
                    return "SSE-S3 (AES256) is accepted only on a bucket that receives S3 server access logs (a BucketLogging targetBucket); use sseAlgorithm aws:kms";
                }
                return "no BucketServerSideEncryptionConfiguration with sseAlgorithm aws:kms for this bucket";
            },
        });
    },
};

const PUBLIC_ACCESS_FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];

export const bucketPublicAccess: StackValidationPolicy = {
    name: "bucket-public-access-blocked",
    description: "Every bucket blocks public access (GCS public access prevention + uniform access, S3 public access block).",
    enforcementLevel: "mandatory",
    validateStack: (args, report) =>
        checkBuckets(args, report, {
            gcs: (p) => {
                const missing = [
                    p.publicAccessPrevention === "enforced" ? "" : "publicAccessPrevention: enforced",
                    p.uniformBucketLevelAccess === true ? "" : "uniformBucketLevelAccess: true",
                ].filter(Boolean);
                return missing.length ? `needs ${missing.join(" and ")}` : undefined;
            },
            s3Types: S3_PUBLIC_ACCESS,
            s3: (cs) =>
                cs.some((c) => PUBLIC_ACCESS_FLAGS.every((f) => c.props[f] === true))
                    ? undefined
                    : `no BucketPublicAccessBlock with ${PUBLIC_ACCESS_FLAGS.join(", ")} all true for this bucket`,
        }),
};

export const bucketLifecycle: StackValidationPolicy = {
    name: "bucket-lifecycle-rules",
    description: "Every bucket has lifecycle rules (storage class transitions or expiry), so data does not grow unmanaged.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) =>
        checkBuckets(args, report, {
            gcs: (p) => (asArray(p.lifecycleRules).length > 0 ? undefined : "lifecycleRules is empty"),
            s3Types: S3_LIFECYCLE,
            s3: (cs) => (cs.some((c) => asArray(c.props.rules).length > 0) ? undefined : "no BucketLifecycleConfiguration with rules for this bucket"),
        }),
};

export const bucketVersioningProd: StackValidationPolicy = {
    name: "bucket-versioning-prod",
    description: "In prod every bucket keeps object versions (recovery from overwrites and deletes).",
    enforcementLevel: "mandatory",
    configSchema: ENV_SCHEMA,
    validateStack: (args, report) => {
        if (environmentOf(args) !== "prod") args.notApplicable("staging stack");
        checkBuckets(args, report, {
            gcs: (p) => (at(p, "versioning.enabled") === true ? undefined : "versioning.enabled is not true"),
            s3Types: S3_VERSIONING,
            s3: (cs) =>
                cs.some((c) => at(c.props, "versioningConfiguration.status") === "Enabled")
                    ? undefined
                    : "no BucketVersioning with status Enabled for this bucket",
        });
    },
};

export const storagePolicies = [bucketEncryption, bucketPublicAccess, bucketLifecycle, bucketVersioningProd];
