import { strict as assert } from "assert";
import { inputsOf, ofType, shippedPlan } from "./support/plans";
import { awsStack, expectProblem } from "./support/config";

describe("AWS CloudWatch log groups", () => {
    for (const stack of ["aws-staging", "aws-prod"]) {
        it(`${stack}: flow-log, EKS and RDS log groups are encrypted with the logs CMK, expire, and are named per stack`, async () => {
            const plan = await shippedPlan(stack);
            const key = ofType(plan, "aws:kms/key:Key").find((k) => k.name.endsWith("-keys-logs"))!;
            assert.ok(key, "a CMK for logs");
            const policy = JSON.parse(inputsOf(key).policy);
            const logs = policy.Statement.find((s: any) => s.Principal?.Service === `logs.${awsStack(plan.config).aws.region}.amazonaws.com`);
            assert.ok(logs, "CloudWatch Logs may use the key");
            assert.match(logs.Condition.ArnLike["kms:EncryptionContext:aws:logs:arn"], new RegExp(`^arn:aws:logs:${awsStack(plan.config).aws.region}:${awsStack(plan.config).aws.accountId}:log-group:`));
            const groups = ofType(plan, "aws:cloudwatch/logGroup:LogGroup");
            const names = groups.map((g) => inputsOf(g).name);
            const db = inputsOf(ofType(plan, "aws:rds/instance:Instance")[0]);
            assert.deepEqual(names.sort(), [
                `/aws/eks/dataplatform-${stack}/cluster`, `/aws/rds/instance/${db.identifier}/postgresql`, `/dataplatform/${stack}/vpc-flow-logs`,
            ].sort());
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
        expectProblem("aws-staging", (r) => { r.airflow.database.storageGb = 10; }, "dataplatform:airflow.database.storageGb", /at least 20/);
    });
});
