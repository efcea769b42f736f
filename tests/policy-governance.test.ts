import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { policies } from "../policy/policies";
import { iamLeastPrivilege } from "../policy/rules/iam";
import { requiredLabels } from "../policy/rules/labels";
import { prodStatefulProtected } from "../policy/rules/protection";
import { checkResource, NA, PROD, res, STAGING } from "./policy-harness";

const LABELS = { env: "prod", team: "data-platform", "cost-center": "cc-1", "managed-by": "pulumi" };

describe("policy required-labels", () => {
    it("checks the label path of each taggable type", async () => {
        assert.deepEqual(await checkResource(requiredLabels, res("gcp:storage/bucket:Bucket", { labels: LABELS })), []);
        assert.deepEqual(await checkResource(requiredLabels, res("gcp:container/nodePool:NodePool", { nodeConfig: { resourceLabels: LABELS } })), []);
        const v = await checkResource(requiredLabels, res("aws:s3/bucket:Bucket", { tags: { env: "prod", team: "x" } }));
        assert.ok(v !== NA && v[0].includes("tags lacks cost-center, managed-by"));
        assert.equal(await checkResource(requiredLabels, res("gcp:kms/keyRing:KeyRing", {})), NA);
    });
});

describe("policy prod-stateful-protected", () => {
    it("requires protect or deletion protection in prod only", async () => {
        assert.deepEqual(await checkResource(prodStatefulProtected, res("gcp:bigquery/dataset:Dataset", {}, { protect: true }), PROD), []);
        assert.deepEqual(await checkResource(prodStatefulProtected, res("gcp:sql/databaseInstance:DatabaseInstance", { deletionProtection: true }), PROD), []);
        const v = await checkResource(prodStatefulProtected, res("kubernetes:kafka.strimzi.io/v1:KafkaNodePool", {}), PROD);
        assert.ok(v !== NA && v.length === 1);
        const rds = await checkResource(prodStatefulProtected, res("aws:rds/instance:Instance", { deletionProtection: false }), PROD);
        assert.ok(rds !== NA && rds.length === 1);
        assert.equal(await checkResource(prodStatefulProtected, res("gcp:storage/bucket:Bucket", {}), STAGING), NA);
        assert.equal(await checkResource(prodStatefulProtected, res("gcp:kms/keyRing:KeyRing", {}), PROD), NA);
    });

    it("declares its config schema (the real CLI validates --policy-pack-config against it)", () => {
        assert.deepEqual(prodStatefulProtected.configSchema?.properties.environment.enum, ["staging", "prod"]);
    });
});

describe("policy iam-least-privilege", () => {
    it("GCP: no project-wide owner, editor or storage admin", async () => {
        assert.deepEqual(
            await checkResource(
                iamLeastPrivilege,
                res("gcp:projects/iAMMember:IAMMember", { project: "p", role: "roles/bigquery.jobUser", member: "serviceAccount:a@p.iam.gserviceaccount.com" }),
            ),
            [],
        );
        for (const role of ["roles/owner", "roles/editor", "roles/storage.admin"]) {
            const v = await checkResource(iamLeastPrivilege, res("gcp:projects/iAMMember:IAMMember", { project: "p", role, member: "user:x@acme.example" }));
            assert.ok(v !== NA && v[0].includes(role), role);
        }
        const policy = await checkResource(
            iamLeastPrivilege,
            res("gcp:projects/iAMPolicy:IAMPolicy", { policyData: JSON.stringify({ bindings: [{ role: "roles/editor", members: ["user:x"] }] }) }),
        );
        assert.ok(policy !== NA && policy.length === 1);
        // Bucket-level admin is scoped to the bucket.
        assert.equal(await checkResource(iamLeastPrivilege, res("gcp:storage/bucketIAMMember:BucketIAMMember", { role: "roles/storage.admin" })), NA);
    });

    it('AWS: no data actions on Resource "*"', async () => {
        const doc = (Action: string | string[], Resource: string | string[]) =>
            JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action, Resource }] });
        assert.deepEqual(
            await checkResource(iamLeastPrivilege, res("aws:iam/policy:Policy", { policy: doc(["s3:GetObject"], "arn:aws:s3:::acme-raw/*") })),
            [],
        );
        assert.deepEqual(await checkResource(iamLeastPrivilege, res("aws:iam/policy:Policy", { policy: doc("ec2:DescribeInstances", "*") })), []);
        const s3 = await checkResource(iamLeastPrivilege, res("aws:iam/policy:Policy", { policy: doc("s3:*", "*") }));
        assert.ok(s3 !== NA && s3[0].includes("s3:*"));
        const kms = await checkResource(iamLeastPrivilege, res("aws:iam/rolePolicy:RolePolicy", { policy: doc(["kms:Decrypt"], ["*"]) }));
        assert.ok(kms !== NA && kms.length === 1);
        const inline = await checkResource(iamLeastPrivilege, res("aws:iam/role:Role", { inlinePolicies: [{ name: "x", policy: doc("s3:PutObject", "*") }] }));
        assert.ok(inline !== NA && inline.length === 1);
        assert.equal(await checkResource(iamLeastPrivilege, res("aws:kms/key:Key", { policy: doc("kms:*", "*") })), NA);
        // An ARN naming every bucket is "*" too.
        const allBuckets = await checkResource(iamLeastPrivilege, res("aws:iam/policy:Policy", { policy: doc("s3:GetObject", "arn:aws:s3:::*") }));
        assert.ok(allBuckets !== NA && allBuckets.length === 1);
    });

    it("GCP: data roles never project-wide; AWS: no account-wide managed data policies", async () => {
        for (const role of ["roles/bigquery.dataEditor", "roles/storage.objectViewer", "roles/cloudkms.cryptoKeyEncrypterDecrypter"]) {
            const v = await checkResource(
                iamLeastPrivilege,
                res("gcp:projects/iAMMember:IAMMember", { project: "p", role, member: "serviceAccount:a@p.iam.gserviceaccount.com" }),
            );
            assert.ok(v !== NA && v[0].includes(role), role);
        }
        const attach = (policyArn: string) => res("aws:iam/rolePolicyAttachment:RolePolicyAttachment", { role: "r", policyArn });
        const admin = await checkResource(iamLeastPrivilege, attach("arn:aws:iam::aws:policy/AmazonS3FullAccess"));
        assert.ok(admin !== NA && admin[0].includes("AmazonS3FullAccess"));
        assert.deepEqual(await checkResource(iamLeastPrivilege, attach("arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy")), []);
    });
});

describe("policy pack config files", () => {
    it("configure exactly the policies that read the environment, with their environment", () => {
        const withSchema = policies
            .filter((p) => p.configSchema)
            .map((p) => p.name)
            .sort();
        for (const env of ["staging", "prod"]) {
            const file = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "policy", `config.${env}.json`), "utf8")) as Record<
                string,
                { environment: string }
            >;
            assert.deepEqual(Object.keys(file).sort(), withSchema, env);
            for (const v of Object.values(file)) assert.equal(v.environment, env);
        }
    });
});
