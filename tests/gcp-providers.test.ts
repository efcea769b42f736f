import * as assert from "assert";
import type * as pulumi from "@pulumi/pulumi";
import { PlanMocks } from "../plan/mocks";
import type { CapturedResource } from "../plan/capture";
import { inputsOf, shippedPlan, STACKS, variantPlan } from "./support/plans";

// Providers of a brand-new GCP project: the APIs the program enables are not enabled yet during the first preview.
const QUOTA_TYPES = ["gcp:billing/budget:Budget", "gcp:cloudquota/sQuotaPreference:SQuotaPreference"];

function providerOf(resources: CapturedResource[], ref: string | undefined): CapturedResource | undefined {
    if (!ref) return undefined;
    const urn = ref.split("::").slice(0, -1).join("::");
    return resources.find((r) => r.urn === urn);
}

/** Bills requests to the project itself, so the API called must already be enabled there. */
function billsToProject(p: CapturedResource): boolean {
    const i = inputsOf(p);
    return i.userProjectOverride === true || i.userProjectOverride === "true" || i.billingProject !== undefined;
}

describe("GCP providers on a brand-new project", () => {
    for (const stack of STACKS) {
        it(`${stack}: only budgets and quota preferences bill requests to the project, through providers that wait for the APIs`, async () => {
            const plan = await shippedPlan(stack);
            const gcp = plan.resources.filter((r) => r.type.startsWith("gcp:"));
            assert.ok(gcp.length > 0);
            let quota = 0;
            for (const r of gcp) {
                const p = providerOf(plan.resources, r.provider);
                assert.ok(p && p.type === "pulumi:providers:gcp", `${r.urn} names an explicit gcp provider`);
                if (!billsToProject(p)) continue;
                quota++;
                assert.ok(QUOTA_TYPES.includes(r.type), `${r.urn} goes through ${p.urn}, which bills requests to the project`);
                const services = plan.resources.filter((s) => s.type === "gcp:projects/service:Service" && inputsOf(s).project === inputsOf(p).project);
                assert.ok(services.length > 0 && services.every((s) => p.dependencies.includes(s.urn)), `${p.urn} waits for the project's APIs`);
            }
            assert.equal(quota, QUOTA_TYPES.length, "the budget and the quota preference use the quota-project provider");
            for (const s of plan.resources.filter((r) => r.type === "gcp:projects/service:Service")) {
                const p = providerOf(plan.resources, s.provider)!;
                assert.ok(!billsToProject(p) && p.dependencies.length === 0, `${s.urn}: enabled through a provider that needs nothing enabled`);
            }
        });
    }

    describe("lookups", () => {
        const calls: pulumi.runtime.MockCallArgs[] = [];
        const original = PlanMocks.prototype.call;
        before(() => {
            PlanMocks.prototype.call = function (args) {
                calls.push(args);
                return original.call(this, args);
            };
        });
        after(() => {
            PlanMocks.prototype.call = original;
        });

        for (const stack of ["staging", "aws-staging"]) {
            it(`${stack}: every GCP lookup runs through a provider that needs no API of the project and waits for nothing`, async () => {
                calls.length = 0;
                const plan = await variantPlan(stack, () => undefined);
                const gcpCalls = calls.filter((c) => c.token.startsWith("gcp:"));
                assert.ok(gcpCalls.length > 0, "the program looks up the project number and service agents");
                for (const c of gcpCalls) {
                    const p = providerOf(plan.resources, c.provider);
                    assert.ok(p && p.type === "pulumi:providers:gcp", `${c.token} names an explicit provider`);
                    assert.ok(!billsToProject(p), `${c.token} through ${p.urn}: bills to the new project`);
                    assert.deepEqual(p.dependencies, [], `${c.token} through ${p.urn}: the provider waits for resources`);
                }
            });
        }
    });
});
