import { strict as assert } from "assert";
import { Unknown } from "../plan/capture";
import { runPolicies, UNDECIDED } from "../plan/policy";
import { packName, policies } from "../policy/policies";
import { res } from "./policy-harness";
import { inputsOf, shippedPlan } from "./support/plans";
import * as fs from "fs";
import * as path from "path";
import { justification, UNDECIDABLE_AT_PREVIEW, undecidedKey } from "../policy/preview";

const byName = (name: string) => policies.filter((p) => p.name === name);

describe("policies in the preview view (first preview of a new stack)", () => {
    it("a value that depends on a resource not yet created is unknown to the policies: a mandatory policy reports it could not decide", async () => {
        const bucket = res("gcp:storage/bucket:Bucket", { name: "b", encryption: { defaultKmsKeyName: new Unknown() }, labels: {} });
        const found = await runPolicies(packName, byName("bucket-cmek"), [bucket]);
        assert.equal(found.length, 1, "an undecidable policy is never a silent pass");
        assert.equal(found[0].enforcementLevel, "mandatory");
        assert.equal(found[0].undecided, true);
        assert.match(found[0].message, new RegExp(`${UNDECIDED}: string value at \\.encryption\\.defaultKmsKeyName can't be known during preview`));
    });

    for (const stack of ["staging", "prod"]) {
        it(`${stack}: node pools and Cloud SQL keep their blocks known in the preview view, so hardening and label policies decide`, async () => {
            const plan = await shippedPlan(stack);
            assert.ok(plan.preview, "the plan evaluated the preview view");
            const pools = plan.preview.resources.filter((r) => r.type === "gcp:container/nodePool:NodePool");
            assert.ok(pools.length >= 3);
            for (const p of pools) {
                const nodeConfig = p.inputs.nodeConfig as Record<string, unknown>;
                assert.ok(nodeConfig && !(nodeConfig instanceof Unknown), `${p.urn}: nodeConfig is known`);
                assert.ok(!(nodeConfig.shieldedInstanceConfig instanceof Unknown) && !(nodeConfig.workloadMetadataConfig instanceof Unknown), p.urn);
            }
            const sql = plan.preview.resources.filter((r) => r.type === "gcp:sql/databaseInstance:DatabaseInstance");
            for (const s of sql) assert.ok(!(s.inputs.settings instanceof Unknown), `${s.urn}: settings are known`);
            const undecided = plan.undecided.filter((d) => ["gke-node-pool-hardened", "required-labels"].includes(d.policyName));
            assert.deepEqual(
                undecided.map((d) => `${d.policyName} ${d.urn}`),
                [],
            );
            // The update view still sees every label.
            for (const p of plan.resources.filter((r) => r.type === "gcp:container/nodePool:NodePool"))
                assert.equal(inputsOf(p).nodeConfig.resourceLabels.env, plan.config.environment);
        });
    }

    it("the preview view has unknowns where a first preview has them: ids of resources to be created", async () => {
        const plan = await shippedPlan("staging");
        const keys = plan.preview!.resources.filter((r) => r.type === "gcp:kms/cryptoKey:CryptoKey");
        assert.ok(keys.length > 0);
        for (const k of keys) assert.ok(k.inputs.keyRing instanceof Unknown, `${k.urn}: the key ring's id is unknown until it exists`);
    });

    for (const stack of ["staging", "prod", "aws-staging"]) {
        it(`${stack}: CMEK key names are known in a first preview and equal to the key's id, so the CMEK policies decide`, async () => {
            const plan = await shippedPlan(stack);
            const keyIds = new Set(plan.resources.filter((r) => r.type === "gcp:kms/cryptoKey:CryptoKey").map((k) => k.urn));
            const users: [string, (i: Record<string, any>) => unknown][] = [
                ["gcp:storage/bucket:Bucket", (i) => i.encryption?.defaultKmsKeyName],
                ["gcp:bigquery/dataset:Dataset", (i) => i.defaultEncryptionConfiguration?.kmsKeyName],
                ["gcp:container/cluster:Cluster", (i) => i.databaseEncryption?.keyName],
            ];
            let checked = 0;
            for (const [type, keyOf] of users) {
                for (const r of plan.preview!.resources.filter((x) => x.type === type)) {
                    const name = keyOf(r.inputs as Record<string, any>);
                    assert.equal(typeof name, "string", `${r.urn}: key name known in the preview view`);
                    // The update view gets the key's id from the mocked provider (projects/…/keyRings/…/cryptoKeys/…).
                    const update = plan.resources.find((x) => x.urn === r.urn)!;
                    assert.equal(keyOf(inputsOf(update)), name, `${r.urn}: same key name as the key's id`);
                    assert.ok(
                        update.dependencies.some((u) => keyIds.has(u)),
                        `${r.urn}: still created after its key`,
                    );
                    checked++;
                }
            }
            assert.ok(checked >= 3);
            assert.deepEqual(
                plan.undecided.filter((d) => /cmek|gke-cluster-hardened/.test(d.policyName)).map((d) => `${d.policyName} ${d.urn}`),
                [],
            );
        });
    }

    for (const stack of ["staging", "prod", "aws-staging", "aws-prod"]) {
        it(`${stack}: every mandatory policy decides in a first preview, except the cases policy/preview.ts justifies`, async () => {
            const plan = await shippedPlan(stack);
            const cloud = plan.config.cloud;
            const unjustified = plan.undecided.filter((d) => !justification(d, cloud)).map((d) => `${JSON.stringify(undecidedKey(d))} ${d.urn ?? ""}`);
            assert.deepEqual(unjustified, [], "make the value known in a first preview, or justify it in policy/preview.ts");
            // Every entry for this cloud is still needed: a case made decidable leaves the table.
            const used = new Set(plan.undecided.map((d) => justification(d, cloud)));
            assert.deepEqual(
                UNDECIDABLE_AT_PREVIEW.filter((e) => e.clouds.includes(cloud) && !used.has(e)),
                [],
            );
            // On AWS the IAM policies left undecided are exactly those naming a KMS key (random key id): the flow-log
            // role policy and the lake's bucket policies name their ARNs from config and decide.
            if (cloud === "aws") {
                const iam = plan.undecided.filter((d) => d.policyName === "iam-least-privilege").map((d) => d.urn);
                const kms = plan.resources
                    .filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && String(inputsOf(r).policy).includes("arn:aws:kms:"))
                    .map((r) => r.urn);
                assert.deepEqual([...iam].sort(), [...kms].sort());
            }
            // The GCP stacks leave only Airflow's metadata Secret undecided.
            if (cloud === "gcp")
                assert.deepEqual(
                    plan.undecided.map((d) => undecidedKey(d)),
                    [{ policy: "no-static-credentials", type: "kubernetes:core/v1:Secret", field: ".stringData" }],
                );
        });
    }

    it("the README lists every case the table justifies", () => {
        const readme = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");
        for (const e of UNDECIDABLE_AT_PREVIEW)
            assert.ok(readme.includes(`| \`${e.policy}\` | \`${e.type}\` | \`${e.field}\` |`), `${e.policy} ${e.type} ${e.field}`);
    });
});
