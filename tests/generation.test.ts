import { strict as assert } from "assert";
import { federationIds } from "../components/gcp/aws-federation";
import { keyRingName } from "../components/gcp/keys";
import { inputsOf, ofType, shippedPlan, variantPlan } from "./support/plans";
import { expectProblem } from "./support/config";

// Staging destroyed and created again under the same stack name: names GCP never frees get a per-generation suffix.
describe("stack generations (destroy and create again)", () => {
    it("suffixes key rings and pool ids, keeping the suffix through truncation", () => {
        assert.equal(keyRingName("staging", "platform"), "dataplatform-staging-platform");
        assert.equal(keyRingName("staging", "platform", 2), "dataplatform-staging-platform-g2");
        const long = federationIds("aws-staging-with-a-very-long-stack-name", 3).poolId;
        assert.ok(long.endsWith("-g3") && long.length <= 32, long);
        assert.notEqual(federationIds("aws-staging", 2).poolId, federationIds("aws-staging").poolId);
    });

    it("a new generation gets new key rings, quota preference and pool, and nothing else renamed", async () => {
        const first = await shippedPlan("aws-staging");
        const second = await variantPlan(
            "aws-staging",
            (c) => {
                c["dataplatform:generation"] = 2;
            },
            { skipPolicies: true },
        );
        const names = (p: typeof first, t: string, k: string) => ofType(p, t).map((r) => inputsOf(r)[k]);
        for (const n of names(second, "gcp:kms/keyRing:KeyRing", "name")) assert.match(n, /-g2$/);
        for (const n of names(second, "gcp:cloudquota/sQuotaPreference:SQuotaPreference", "name")) assert.match(n, /-g2$/);
        for (const n of names(second, "gcp:iam/workloadIdentityPool:WorkloadIdentityPool", "workloadIdentityPoolId")) assert.match(n, /-g2$/);
        assert.deepEqual(names(second, "gcp:bigquery/dataset:Dataset", "datasetId"), names(first, "gcp:bigquery/dataset:Dataset", "datasetId"));
        for (const n of names(first, "gcp:kms/keyRing:KeyRing", "name")) assert.doesNotMatch(n, /-g\d+$/);
    });

    it("datasets are emptied on destroy outside prod only", async () => {
        for (const [stack, expected] of [
            ["staging", true],
            ["prod", false],
        ] as const) {
            const plan = await shippedPlan(stack);
            for (const d of ofType(plan, "gcp:bigquery/dataset:Dataset")) assert.equal(inputsOf(d).deleteContentsOnDestroy, expected, d.urn);
        }
    });

    it("validates the generation", () => {
        expectProblem(
            "staging",
            (r) => {
                r.generation = 1;
            },
            "dataplatform:generation",
            /./,
        );
        expectProblem(
            "staging",
            (r) => {
                r.generation = 2.5;
            },
            "dataplatform:generation",
            /./,
        );
    });
});
