import { strict as assert } from "assert";
import { shippedPlan, STACKS } from "./support/plans";

/**
 * Lookups (invokes) run for real during `pulumi preview`, before any resource of the program exists. On a
 * brand-new project, a GCP provider with billingProject + userProjectOverride bills every request to that
 * project, whose Cloud Resource Manager/Service Usage APIs are not enabled yet, so the preview fails.
 * Lookups must go through a provider that sets no quota project (requests billed to the caller's own
 * project), touching only APIs a new project has by default (Resource Manager via the caller, Storage, BigQuery).
 */
const NEEDS_NOTHING: Record<string, (inputs: Record<string, unknown>) => string | undefined> = {
    "pulumi:providers:gcp": (i) =>
        i.billingProject !== undefined
            ? `billingProject ${String(i.billingProject)}`
            : i.userProjectOverride !== undefined && i.userProjectOverride !== "false"
              ? `userProjectOverride ${String(i.userProjectOverride)}`
              : undefined,
    // The AWS account needs nothing enabled; the provider only must not assume a role that a later resource creates.
    "pulumi:providers:aws": (i) => (i.assumeRoles !== undefined || i.assumeRole !== undefined ? "assumes a role" : undefined),
};

describe("preview on a brand-new stack: lookups need nothing enabled", () => {
    for (const stack of STACKS) {
        it(`${stack}: every lookup goes through a provider without a quota project`, async () => {
            const plan = await shippedPlan(stack);
            assert.ok(plan.preview && plan.preview.invokes.length > 0, "the plan records the lookups of a first preview");
            assert.ok(plan.invokes.length > 0, "and of the update");
            const providers = new Map(plan.resources.filter((r) => r.type.startsWith("pulumi:providers:")).map((r) => [r.urn, r]));
            const bad: string[] = [];
            for (const inv of [...plan.preview.invokes, ...plan.invokes]) {
                if (!/^(gcp|aws):/.test(inv.token)) continue;
                const p = providers.get((inv.provider ?? "").split("::").slice(0, -1).join("::"));
                if (!p) {
                    bad.push(`${inv.token}: no explicit provider`);
                    continue;
                }
                const why = NEEDS_NOTHING[p.type]?.(p.inputs);
                if (why) bad.push(`${inv.token} via ${p.name}: ${why}`);
            }
            assert.deepEqual(bad, []);
        });
    }
});
