import { strict as assert } from "assert";
import { ConfigError } from "../components/config";
import type { BucketConfig } from "../components/config/data";
import { gcsLifecycleRules } from "../components/gcp/lake";
import { accessLogTarget, denyInsecureTransport, s3LifecycleRules } from "../components/aws/lake";
import { inputsOf, ofType, shippedPlan, variantPlan } from "./support/plans";
import { awsStack, expectProblem, gcpStack, Raw } from "./support/config";
import { lakeBucketName } from "../components/naming";
import type { CapturedResource } from "../plan/capture";
import type { Plan } from "../plan/run";

const byName = (plan: Plan, type: string, name: string): CapturedResource => {
    const r = ofType(plan, type).find((x) => x.name === name);
    assert.ok(r, `${type} ${name} not in the plan of ${plan.stack}`);
    return r;
};

const raw: BucketConfig = {
    name: "raw",
    purpose: "data",
    transitions: [
        { ageDays: 30, storageClass: "NEARLINE" },
        { ageDays: 90, storageClass: "COLDLINE" },
        { ageDays: 365, storageClass: "ARCHIVE" },
    ],
    noncurrentVersionExpirationDays: 30,
    abortIncompleteUploadDays: 7,
};

describe("lake", () => {
    describe("lifecycle rules (pure)", () => {
        it("GCS: one SetStorageClass per transition, only from warmer classes, then noncurrent delete and abort", () => {
            assert.deepEqual(gcsLifecycleRules(raw), [
                { action: { type: "SetStorageClass", storageClass: "NEARLINE" }, condition: { age: 30, matchesStorageClasses: ["STANDARD"] } },
                { action: { type: "SetStorageClass", storageClass: "COLDLINE" }, condition: { age: 90, matchesStorageClasses: ["STANDARD", "NEARLINE"] } },
                {
                    action: { type: "SetStorageClass", storageClass: "ARCHIVE" },
                    condition: { age: 365, matchesStorageClasses: ["STANDARD", "NEARLINE", "COLDLINE"] },
                },
                { action: { type: "Delete" }, condition: { daysSinceNoncurrentTime: 30, withState: "ARCHIVED" } },
                { action: { type: "AbortIncompleteMultipartUpload" }, condition: { age: 7 } },
            ]);
        });

        it("GCS: a logs bucket expires live objects at its retention", () => {
            const rules = gcsLifecycleRules({ ...raw, name: "logs", purpose: "logs", transitions: [], expirationDays: 14 });
            assert.deepEqual(rules[rules.length - 1], { action: { type: "Delete" }, condition: { age: 14, withState: "LIVE" } });
            assert.equal(rules.filter((r) => (r.action as { type: string }).type === "SetStorageClass").length, 0);
        });

        it("S3: transitions, noncurrent expiration, abort after 7 days, expiration only for logs", () => {
            const s3 = {
                ...raw,
                transitions: [
                    { ageDays: 30, storageClass: "STANDARD_IA" },
                    { ageDays: 90, storageClass: "GLACIER_IR" },
                    { ageDays: 365, storageClass: "DEEP_ARCHIVE" },
                ],
            };
            assert.deepEqual(s3LifecycleRules(s3), [
                {
                    id: "tiering",
                    status: "Enabled",
                    filter: {},
                    transitions: [
                        { days: 30, storageClass: "STANDARD_IA" },
                        { days: 90, storageClass: "GLACIER_IR" },
                        { days: 365, storageClass: "DEEP_ARCHIVE" },
                    ],
                },
                { id: "noncurrent-versions", status: "Enabled", filter: {}, noncurrentVersionExpiration: { noncurrentDays: 30 } },
                { id: "abort-incomplete-uploads", status: "Enabled", filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } },
            ]);
            const logs = s3LifecycleRules({ ...raw, name: "logs", purpose: "logs", transitions: [], expirationDays: 90 });
            assert.deepEqual(
                logs.map((r) => r.id),
                ["noncurrent-versions", "abort-incomplete-uploads", "retention"],
            );
            assert.deepEqual(logs[2].expiration, { days: 90 });
        });

        it("S3: the bucket policy denies every non-TLS request", () => {
            const doc = JSON.parse(denyInsecureTransport("arn:aws:s3:::b"));
            assert.deepEqual(doc.Statement, [
                {
                    Sid: "DenyInsecureTransport",
                    Effect: "Deny",
                    Principal: "*",
                    Action: "s3:*",
                    Resource: ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
                    Condition: { Bool: { "aws:SecureTransport": "false" } },
                },
            ]);
        });
    });

    describe("lifecycle config rules", () => {
        it("rejects ages that are not strictly ascending (GCS)", () =>
            expectProblem(
                "staging",
                (r) => (r.lake.buckets[0].transitions[1].ageDays = 30),
                "dataplatform:lake.buckets[0].transitions[1].ageDays",
                /strictly ascending/,
            ));
        it("rejects ages that are not strictly ascending (S3)", () =>
            expectProblem(
                "aws-prod",
                (r) => (r.lake.buckets[1].transitions[1].ageDays = 60),
                "dataplatform:lake.buckets[1].transitions[1].ageDays",
                /strictly ascending/,
            ));
        it("rejects a class change without a class", () =>
            expectProblem(
                "aws-staging",
                (r) => delete r.lake.buckets[0].transitions[1].storageClass,
                "dataplatform:lake.buckets[0].transitions[1].storageClass",
                /required/,
            ));
        it("rejects an unknown class (typo)", () =>
            expectProblem(
                "prod",
                (r) => (r.lake.buckets[1].transitions[0].storageClass = "NEARLIN"),
                "dataplatform:lake.buckets[1].transitions[0].storageClass",
                /not a GCS cold class/,
            ));
        it("rejects a GCS class on S3", () =>
            expectProblem(
                "aws-staging",
                (r) => (r.lake.buckets[0].transitions[0].storageClass = "NEARLINE"),
                "dataplatform:lake.buckets[0].transitions[0].storageClass",
                /not a S3 cold class/,
            ));
        it("rejects a transition back to a warmer class", () =>
            expectProblem(
                "staging",
                (r) => (r.lake.buckets[0].transitions[2].storageClass = "NEARLINE"),
                "dataplatform:lake.buckets[0].transitions[2].storageClass",
                /must be colder than the previous transition's class \(COLDLINE\)/,
            ));
        it("rejects STANDARD_IA before 30 days (S3 minimum)", () =>
            expectProblem(
                "aws-staging",
                (r) => (r.lake.buckets[0].transitions[0].ageDays = 14),
                "dataplatform:lake.buckets[0].transitions[0].ageDays",
                /at least 30 for STANDARD_IA/,
            ));
        it("rejects leaving STANDARD_IA within 30 days", () =>
            expectProblem(
                "aws-staging",
                (r) => (r.lake.buckets[0].transitions[1].ageDays = 45),
                "dataplatform:lake.buckets[0].transitions[1].ageDays",
                /30 days after the STANDARD_IA transition/,
            ));
        it("rejects logs expiring before the last transition", () =>
            expectProblem(
                "staging",
                (r) => {
                    r.lake.buckets[3].transitions = [{ ageDays: 30, storageClass: "NEARLINE" }];
                    r.lake.buckets[3].expirationDays = 14;
                },
                "dataplatform:lake.buckets[3].expirationDays",
                /after the last transition/,
            ));
        it("stops the program before any resource exists", async () => {
            await assert.rejects(
                variantPlan("staging", (c) => {
                    c["dataplatform:lake"].buckets[0].transitions[2].ageDays = 60;
                }),
                (e: unknown) => e instanceof ConfigError && e.problems.some((p) => p.startsWith("dataplatform:lake.buckets[0].transitions[2].ageDays")),
            );
        });
    });

    for (const stack of ["staging", "prod"]) {
        describe(`GCS buckets (${stack})`, () => {
            it("has every configured bucket, encrypted with the storage CMEK after its grant, never public", async () => {
                const plan = await shippedPlan(stack);
                const cfg = plan.config;
                const buckets = ofType(plan, "gcp:storage/bucket:Bucket").filter((b) => b.name.startsWith("lake-"));
                assert.deepEqual(buckets.map((b) => b.name).sort(), cfg.lake.buckets.map((b) => `lake-${b.name}`).sort());
                const key = ofType(plan, "gcp:kms/cryptoKey:CryptoKey").find((k) => inputsOf(k).name === "storage");
                const grant = ofType(plan, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember").find((g) => g.name.endsWith("-storage-agent"));
                assert.ok(key && grant, "storage key and its service-agent grant");
                for (const b of buckets) {
                    const i = inputsOf(b);
                    const conf = cfg.lake.buckets.find((x) => `lake-${x.name}` === b.name)!;
                    assert.equal(i.name, lakeBucketName(gcpStack(cfg).gcp.project, stack, conf.name));
                    assert.equal(i.location, gcpStack(cfg).gcp.region);
                    assert.match(i.encryption.defaultKmsKeyName, /\/cryptoKeys\/storage$/);
                    assert.equal(i.publicAccessPrevention, "enforced");
                    assert.equal(i.uniformBucketLevelAccess, true);
                    assert.equal(i.forceDestroy, false);
                    assert.ok(b.dependencies.includes(grant.urn), `${b.name} waits for the key grant`);
                    assert.deepEqual(i.lifecycleRules, gcsLifecycleRules(conf), `${b.name} lifecycle exactly as configured`);
                    assert.equal(i.labels?.env, stack, "labelled by the stack transformation");
                }
                const rawRules = inputsOf(buckets.find((b) => b.name === "lake-raw")!).lifecycleRules;
                assert.deepEqual(
                    rawRules.slice(0, 3).map((r: Raw) => [r.action.storageClass, r.condition.age]),
                    [
                        ["NEARLINE", 30],
                        ["COLDLINE", 90],
                        ["ARCHIVE", 365],
                    ],
                );
                const logs = inputsOf(buckets.find((b) => b.name === "lake-logs")!).lifecycleRules;
                assert.deepEqual(logs[logs.length - 1], { action: { type: "Delete" }, condition: { age: stack === "prod" ? 90 : 14, withState: "LIVE" } });
            });

            it(
                stack === "prod" ? "versions, soft-deletes, protects and retains prod buckets" : "keeps staging buckets unversioned and unprotected",
                async () => {
                    const plan = await shippedPlan(stack);
                    for (const b of ofType(plan, "gcp:storage/bucket:Bucket").filter((x) => x.name.startsWith("lake-"))) {
                        const i = inputsOf(b);
                        const prod = stack === "prod";
                        assert.equal(i.versioning.enabled, prod);
                        assert.equal(b.protect, prod);
                        assert.equal(b.retainOnDelete, prod);
                        if (prod) assert.deepEqual(i.softDeletePolicy, { retentionDurationSeconds: 14 * 86_400 });
                        else assert.equal(i.softDeletePolicy, undefined);
                    }
                },
            );
        });
    }

    for (const stack of ["aws-staging", "aws-prod"]) {
        describe(`S3 buckets (${stack})`, () => {
            it("encrypts with the S3 CMK, blocks public access, enforces owner and TLS, tiers as configured", async () => {
                const plan = await shippedPlan(stack);
                const cfg = plan.config;
                const buckets = ofType(plan, "aws:s3/bucket:Bucket").filter((b) => b.name.startsWith("lake-"));
                assert.equal(buckets.length, cfg.lake.buckets.length);
                const s3Key = ofType(plan, "aws:kms/key:Key").find((k) => k.name.endsWith("-s3"));
                for (const conf of cfg.lake.buckets) {
                    const n = `lake-${conf.name}`;
                    const bucket = byName(plan, "aws:s3/bucket:Bucket", n);
                    assert.equal(inputsOf(bucket).bucket, lakeBucketName(awsStack(cfg).aws.accountId, stack, conf.name));
                    assert.equal(inputsOf(bucket).forceDestroy, false);
                    assert.equal(inputsOf(bucket).tags?.env, cfg.environment);

                    const sseRes = byName(plan, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", `${n}-sse`);
                    const sse = inputsOf(sseRes);
                    assert.equal(sse.rules.length, 1);
                    // The access-log target's SSE-S3 is covered in tests/aws-logs.test.ts.
                    if (conf !== accessLogTarget(cfg.lake.buckets)) {
                        assert.equal(sse.rules[0].applyServerSideEncryptionByDefault.sseAlgorithm, "aws:kms");
                        assert.match(
                            sse.rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId,
                            new RegExp(`^arn:aws:kms:${awsStack(cfg).aws.region}:${awsStack(cfg).aws.accountId}:key/`),
                        );
                        assert.ok(s3Key && sseRes.dependencies.includes(s3Key.urn), `${n} is encrypted with the s3 CMK`);
                        assert.equal(sse.rules[0].bucketKeyEnabled, true);
                    }

                    const pab = inputsOf(byName(plan, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", `${n}-public-access`));
                    for (const k of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"])
                        assert.equal(pab[k], true, `${n} ${k}`);
                    assert.equal(
                        inputsOf(byName(plan, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", `${n}-ownership`)).rule.objectOwnership,
                        "BucketOwnerEnforced",
                    );

                    const policy = JSON.parse(inputsOf(byName(plan, "aws:s3/bucketPolicy:BucketPolicy", `${n}-tls-only`)).policy);
                    assert.deepEqual(policy.Statement[0].Condition, { Bool: { "aws:SecureTransport": "false" } });
                    assert.equal(policy.Statement[0].Effect, "Deny");

                    const lc = inputsOf(byName(plan, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", `${n}-lifecycle`));
                    const rules: Raw[] = lc.rules;
                    const abort = rules.find((r) => r.id === "abort-incomplete-uploads")!;
                    assert.deepEqual(lc.rules, s3LifecycleRules(conf), `${n} lifecycle exactly as configured`);
                    assert.equal(abort.abortIncompleteMultipartUpload.daysAfterInitiation, 7);
                }
                const rawLc = inputsOf(byName(plan, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "lake-raw-lifecycle"));
                assert.deepEqual(rawLc.rules[0].transitions, [
                    { days: 30, storageClass: "STANDARD_IA" },
                    { days: 90, storageClass: "GLACIER_IR" },
                    { days: 365, storageClass: "DEEP_ARCHIVE" },
                ]);
            });

            it(stack === "aws-prod" ? "versions, protects and retains prod buckets" : "keeps staging buckets unversioned and unprotected", async () => {
                const plan = await shippedPlan(stack);
                const prod = stack === "aws-prod";
                const versioning = ofType(plan, "aws:s3/bucketVersioning:BucketVersioning");
                for (const b of ofType(plan, "aws:s3/bucket:Bucket").filter((x) => x.name.startsWith("lake-"))) {
                    assert.equal(b.protect, prod);
                    assert.equal(b.retainOnDelete, prod);
                    const v = versioning.find((x) => x.name === `${b.name}-versioning`);
                    if (prod) assert.equal(inputsOf(v!).versioningConfiguration.status, "Enabled");
                    else assert.equal(v, undefined);
                }
            });
        });
    }
});
