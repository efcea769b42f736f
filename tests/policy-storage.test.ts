import { strict as assert } from "assert";
import { bucketEncryption, bucketLifecycle, bucketPublicAccess, bucketVersioningProd } from "../policy/rules/storage";
import { stackArgs } from "../plan/policy";
import { checkStack, NA, PROD, res, STAGING } from "./policy-harness";

const goodGcs = () =>
    res(
        "gcp:storage/bucket:Bucket",
        {
            name: "acme-raw",
            encryption: { defaultKmsKeyName: "projects/p/locations/eu/keyRings/r/cryptoKeys/lake" },
            publicAccessPrevention: "enforced",
            uniformBucketLevelAccess: true,
            lifecycleRules: [{ action: { type: "Delete" }, condition: { age: 90 } }],
            versioning: { enabled: true },
        },
        { name: "raw" },
    );
const badGcs = () => res("gcp:storage/bucket:Bucket", { name: "acme-open", publicAccessPrevention: "inherited" }, { name: "open" });

/** An S3 bucket with the companion resources it needs; `omit` drops one, linked by dependency or by name. */
function s3(omit?: string, link: "dependency" | "name" = "dependency") {
    const bucket = res("aws:s3/bucket:Bucket", { bucket: "acme-raw" }, { name: "raw" });
    const dep = link === "dependency" ? { dependencies: [bucket.urn] } : {};
    const bucketInput = link === "dependency" ? "raw-id" : "acme-raw";
    const companions = [
        res(
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            { bucket: bucketInput, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "arn:aws:kms:k" } }] },
            { name: "sse", ...dep },
        ),
        res(
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
            { bucket: bucketInput, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
            { name: "pab", ...dep },
        ),
        res(
            "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
            { bucket: bucketInput, rules: [{ id: "expire", status: "Enabled" }] },
            { name: "lc", ...dep },
        ),
        res("aws:s3/bucketVersioning:BucketVersioning", { bucket: bucketInput, versioningConfiguration: { status: "Enabled" } }, { name: "ver", ...dep }),
    ].filter((r) => r.name !== omit);
    return [bucket, ...companions];
}

describe("policy bucket-*", () => {
    const cases = [
        { policy: bucketEncryption, omit: "sse", gcsMessage: "defaultKmsKeyName" },
        { policy: bucketPublicAccess, omit: "pab", gcsMessage: "publicAccessPrevention" },
        { policy: bucketLifecycle, omit: "lc", gcsMessage: "lifecycleRules" },
        { policy: bucketVersioningProd, omit: "ver", gcsMessage: "versioning" },
    ];
    for (const c of cases) {
        it(`${c.policy.name}: GCS compliant and violating buckets`, async () => {
            const good = goodGcs();
            const bad = badGcs();
            const v = await checkStack(c.policy, [good, bad], PROD);
            assert.ok(v !== NA);
            assert.equal(v.length, 1);
            assert.equal(v[0].urn, bad.urn);
            assert.match(v[0].message, new RegExp(c.gcsMessage));
        });

        it(`${c.policy.name}: S3 bucket correlated with its companion by dependency or by name`, async () => {
            assert.deepEqual(await checkStack(c.policy, s3(), PROD), []);
            assert.deepEqual(await checkStack(c.policy, s3(undefined, "name"), PROD), []);
            const v = await checkStack(c.policy, s3(c.omit), PROD);
            assert.ok(v !== NA && v.length === 1 && v[0].urn?.includes("aws:s3/bucket:Bucket"));
        });

        it(`${c.policy.name}: not applicable without buckets`, async () => {
            assert.equal(await checkStack(c.policy, [res("gcp:kms/cryptoKey:CryptoKey", {})], PROD), NA);
        });
    }

    it("a companion of another bucket does not count", async () => {
        const [bucket] = s3();
        const other = res("aws:s3/bucket:Bucket", { bucket: "acme-other" }, { name: "other" });
        const sse = res(
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            { bucket: "other-id", rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }] },
            { name: "sse", dependencies: [other.urn] },
        );
        const v = await checkStack(bucketEncryption, [bucket, other, sse], PROD);
        assert.ok(v !== NA && v.length === 1 && v[0].urn === bucket.urn);
    });

    it("AES256 is not SSE-KMS", async () => {
        const rs = s3("sse");
        rs.push(
            res(
                "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
                { name: "sse", dependencies: [rs[0].urn] },
            ),
        );
        const v = await checkStack(bucketEncryption, rs, PROD);
        assert.ok(v !== NA && v.length === 1);
    });

    describe("SSE-S3 on the target of S3 server access logs", () => {
        /** The bucket `acme-raw` with AES256, and a BucketLogging of another bucket that delivers into `target`. */
        const withLogging = (target: string) => {
            const rs = s3("sse");
            rs.push(
                res(
                    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                    { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
                    { name: "sse", dependencies: [rs[0].urn] },
                ),
            );
            rs.push(
                res(
                    "aws:s3/bucketLogging:BucketLogging",
                    { bucket: "acme-curated", targetBucket: target, targetPrefix: "s3-access-logs/curated/" },
                    { name: "curated-logging" },
                ),
            );
            return rs;
        };

        it("is accepted on the bucket that receives the logs", async () => {
            assert.deepEqual(await checkStack(bucketEncryption, withLogging("acme-raw"), PROD), []);
        });

        it("is refused on any other bucket, saying why", async () => {
            const v = await checkStack(bucketEncryption, withLogging("acme-logs"), PROD);
            assert.ok(v !== NA && v.length === 1);
            assert.match(v[0].message, /accepted only on a bucket that receives S3 server access logs/);
        });

        it("cannot be decided while a log target is unknown (first preview)", async () => {
            class UnknownValueError extends Error {}
            const args = stackArgs(withLogging("acme-raw"), PROD);
            const logging = args.resources.find((r) => r.type === "aws:s3/bucketLogging:BucketLogging")!;
            Object.defineProperty(logging.props, "targetBucket", {
                get: () => {
                    throw new UnknownValueError("unknown at preview");
                },
            });
            await assert.rejects(async () => bucketEncryption.validateStack(args, () => undefined), UnknownValueError);
        });
    });

    it("versioning is only required in prod", async () => {
        assert.equal(await checkStack(bucketVersioningProd, [badGcs()], STAGING), NA);
    });

    it("under preview, a bucket with unknown inputs does not hide the other buckets' findings", async () => {
        class UnknownValueError extends Error {}
        const args = stackArgs([goodGcs(), badGcs()], PROD);
        Object.defineProperty(args.resources[0].props, "encryption", {
            get: () => {
                throw new UnknownValueError("unknown at preview");
            },
        });
        const found: string[] = [];
        await assert.rejects(async () => bucketEncryption.validateStack(args, (m) => found.push(m)), UnknownValueError);
        assert.equal(found.length, 1);
        assert.match(found[0], /open/);
    });
});
