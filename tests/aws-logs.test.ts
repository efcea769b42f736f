import { strict as assert } from "assert";
import { inputsOf, ofType, shippedPlan } from "./support/plans";
import { awsStack, expectProblem } from "./support/config";
import { accessLogPrefix, accessLogTarget } from "../components/aws/lake";
import { lakeBucketName } from "../components/naming";
import type { CapturedResource } from "../plan/capture";

const LOGGING = "aws:s3/bucketLogging:BucketLogging";
const one = (rs: CapturedResource[], name: string) => {
    const r = rs.find((x) => x.name === name);
    assert.ok(r, `${name} is in the plan`);
    return r;
};

describe("AWS CloudWatch log groups", () => {
    for (const stack of ["aws-staging", "aws-prod"]) {
        it(`${stack}: flow-log, EKS and RDS log groups are encrypted with the logs CMK, expire, and are named per stack`, async () => {
            const plan = await shippedPlan(stack);
            const key = ofType(plan, "aws:kms/key:Key").find((k) => k.name.endsWith("-keys-logs"))!;
            assert.ok(key, "a CMK for logs");
            const policy = JSON.parse(inputsOf(key).policy);
            const logs = policy.Statement.find((s: any) => s.Principal?.Service === `logs.${awsStack(plan.config).aws.region}.amazonaws.com`);
            assert.ok(logs, "CloudWatch Logs may use the key");
            assert.match(
                logs.Condition.ArnLike["kms:EncryptionContext:aws:logs:arn"],
                new RegExp(`^arn:aws:logs:${awsStack(plan.config).aws.region}:${awsStack(plan.config).aws.accountId}:log-group:`),
            );
            const groups = ofType(plan, "aws:cloudwatch/logGroup:LogGroup");
            const names = groups.map((g) => inputsOf(g).name);
            const db = inputsOf(ofType(plan, "aws:rds/instance:Instance")[0]);
            assert.deepEqual(
                names.sort(),
                [`/aws/eks/dataplatform-${stack}/cluster`, `/aws/rds/instance/${db.identifier}/postgresql`, `/dataplatform/${stack}/vpc-flow-logs`].sort(),
            );
            for (const g of groups) {
                const i = inputsOf(g);
                assert.ok(g.dependencies.includes(key.urn), `${i.name} is encrypted with the logs key`);
                assert.match(i.kmsKeyId, /^arn:aws:kms:/);
                assert.equal(i.retentionInDays, plan.config.environment === "prod" ? 365 : 30, i.name);
            }
            const rdsGroup = groups.find((g) => inputsOf(g).name.startsWith("/aws/rds/"))!;
            assert.ok(ofType(plan, "aws:rds/instance:Instance")[0].dependencies.includes(rdsGroup.urn), "RDS exports into the managed group, created first");
        });
    }

    it("requires at least 20 GiB of RDS storage on aws", () => {
        expectProblem(
            "aws-staging",
            (r) => {
                r.airflow.database.storageGb = 10;
            },
            "dataplatform:airflow.database.storageGb",
            /at least 20/,
        );
    });

    for (const stack of ["aws-staging", "aws-prod"]) {
        describe(`S3 server access logs (${stack})`, () => {
            it("every other lake bucket logs into the logs bucket under its own prefix, after the target is ready", async () => {
                const plan = await shippedPlan(stack);
                const cfg = plan.config;
                const target = accessLogTarget(cfg.lake.buckets);
                const targetName = lakeBucketName(awsStack(cfg).aws.accountId, stack, target.name);
                const logging = ofType(plan, LOGGING);
                const sources = cfg.lake.buckets.filter((b) => b !== target);
                assert.equal(logging.length, sources.length, "one BucketLogging per source bucket");
                const targetPolicy = one(ofType(plan, "aws:s3/bucketPolicy:BucketPolicy"), `lake-${target.name}-tls-only`);
                const targetSse = one(
                    ofType(plan, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"),
                    `lake-${target.name}-sse`,
                );
                for (const b of sources) {
                    const bucket = one(ofType(plan, "aws:s3/bucket:Bucket"), `lake-${b.name}`);
                    const l = logging.find((x) => x.dependencies.includes(bucket.urn) && x.parent === bucket.urn);
                    assert.ok(l, `lake-${b.name} has server access logging`);
                    const i = inputsOf(l);
                    assert.equal(i.targetBucket, targetName);
                    assert.equal(i.targetPrefix, accessLogPrefix(b.name));
                    assert.equal(i.targetGrants, undefined, "no ACL grants: the target enforces bucket-owner Object Ownership");
                    for (const dep of [targetPolicy, targetSse]) assert.ok(l.dependencies.includes(dep.urn), `${l.name} waits for ${dep.name}`);
                }
                assert.equal(new Set(logging.map((l) => inputsOf(l).targetPrefix)).size, logging.length, "prefixes are distinct");
                const targetBucket = one(ofType(plan, "aws:s3/bucket:Bucket"), `lake-${target.name}`);
                assert.ok(!logging.some((l) => l.parent === targetBucket.urn), "the target does not log into itself");
            });

            it("the logs bucket is encrypted with SSE-S3, the only default encryption log delivery accepts", async () => {
                const plan = await shippedPlan(stack);
                const target = accessLogTarget(plan.config.lake.buckets);
                const sse = inputsOf(
                    one(ofType(plan, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"), `lake-${target.name}-sse`),
                );
                // https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html: "Default
                // server-side encryption with AWS KMS keys (SSE-KMS) is not supported" on the target bucket.
                assert.deepEqual(sse.rules, [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }]);
                assert.equal(
                    inputsOf(one(ofType(plan, "aws:s3/bucketOwnershipControls:BucketOwnershipControls"), `lake-${target.name}-ownership`)).rule.objectOwnership,
                    "BucketOwnerEnforced",
                );
            });

            it("the logs bucket's policy lets only the S3 logging service write each source's prefix, for that source of this account", async () => {
                const plan = await shippedPlan(stack);
                const cfg = plan.config;
                const target = accessLogTarget(cfg.lake.buckets);
                const arn = (name: string) => `arn:aws:s3:::${lakeBucketName(awsStack(cfg).aws.accountId, stack, name)}`;
                const policy = JSON.parse(inputsOf(one(ofType(plan, "aws:s3/bucketPolicy:BucketPolicy"), `lake-${target.name}-tls-only`)).policy);
                const deny = policy.Statement.filter((s: any) => s.Effect === "Deny");
                assert.deepEqual(
                    deny.map((s: any) => s.Condition),
                    [{ Bool: { "aws:SecureTransport": "false" } }],
                    "TLS only, like every lake bucket",
                );
                const allows = policy.Statement.filter((s: any) => s.Effect === "Allow");
                const sources = cfg.lake.buckets.filter((b) => b !== target);
                assert.deepEqual(
                    allows.map((s: any) => ({ ...s, Sid: undefined })),
                    sources.map((b) => ({
                        Sid: undefined,
                        Effect: "Allow",
                        Principal: { Service: "logging.s3.amazonaws.com" },
                        Action: "s3:PutObject",
                        Resource: `${arn(target.name)}/${accessLogPrefix(b.name)}*`,
                        Condition: { ArnLike: { "aws:SourceArn": arn(b.name) }, StringEquals: { "aws:SourceAccount": awsStack(cfg).aws.accountId } },
                    })),
                );
            });

            it("the policy pack accepts the logs bucket's SSE-S3 and decides it during the first preview", async () => {
                const plan = await shippedPlan(stack);
                assert.deepEqual(
                    plan.diagnostics.filter((d) => d.policyName === "bucket-cmek"),
                    [],
                );
                assert.deepEqual(
                    plan.undecided.filter((d) => d.policyName === "bucket-cmek"),
                    [],
                );
            });
        });
    }
});
