import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PLACEHOLDER } from "../components/config";
import { toPreviewJson } from "../plan/json";
import { ConfigError, planStack, ROOT } from "../plan/run";
import { renderTree } from "../plan/render";
import { shippedPlan, STACKS, variantPlan } from "./support/plans";

describe("offline plan", () => {
    for (const stack of STACKS) {
        describe(stack, () => {
            it("plans, with a consistent graph", async () => {
                const plan = await shippedPlan(stack);
                const urns = new Set(plan.resources.map((r) => r.urn));
                assert.equal(urns.size, plan.resources.length, "URNs are unique");
                assert.equal(plan.resources.filter((r) => r.type === "pulumi:pulumi:Stack").length, 1);
                for (const r of plan.resources) {
                    if (r.parent) assert.ok(urns.has(r.parent), `${r.urn}: parent ${r.parent} was registered`);
                    for (const d of r.dependencies) assert.ok(urns.has(d), `${r.urn}: dependency ${d} was registered`);
                    if (r.provider) assert.ok(urns.has(r.provider.split("::").slice(0, -1).join("::")), `${r.urn}: provider ${r.provider} was registered`);
                }
            });

            it("writes JSON shaped like `pulumi preview --json`, with no secret in clear", async () => {
                const plan = await shippedPlan(stack);
                const json = toPreviewJson(plan);
                assert.equal(json.changeSummary.create, plan.resources.length);
                assert.equal(json.steps.length, plan.resources.length);
                for (const step of json.steps) {
                    assert.equal(step.op, "create");
                    assert.equal(step.urn, step.newState.urn);
                    assert.deepEqual(
                        Object.keys(step.newState)
                            .filter((k) => k !== "replaceOnChanges" && k !== "aliases")
                            .sort(),
                        ["custom", "dependencies", "inputs", "parent", "propertyDependencies", "protect", "provider", "retainOnDelete", "type", "urn"],
                    );
                    assert.ok(Array.isArray(step.newState.dependencies));
                    assert.equal(typeof step.newState.protect, "boolean");
                }
                for (const d of json.diagnostics)
                    assert.deepEqual(
                        Object.keys(d).sort(),
                        ["enforcementLevel", "message", "policyName", "policyPackName", "urn"].filter((k) => k !== "urn" || d.urn !== undefined),
                    );
                assert.ok(!JSON.stringify(json).includes(PLACEHOLDER), "a secure placeholder leaked into the plan");
                assert.deepEqual(json.placeholders, plan.placeholders);
            });

            it("passes the policy pack without a single finding, advisory ones included", async () => {
                const plan = await shippedPlan(stack);
                assert.deepEqual(
                    plan.diagnostics.map((d) => `${d.enforcementLevel} ${d.policyName}: ${d.urn}`),
                    [],
                );
            });
        });
    }

    it("stands a marked placeholder in for a secure value and never shows it", async () => {
        const plan = await variantPlan("prod", (c) => {
            c["dataplatform:vaultToken"] = { secure: "v1:6nQ0mVx2JqkqHnJe:3mPZ4sRZV9cQ2oQ0f3mTn0Bq8t0m1u0mN6vF3kW2hX8=" };
        });
        assert.deepEqual(plan.placeholders, ["dataplatform:vaultToken"]);
        assert.equal(plan.config.offline, true);
        const provider = plan.resources.find((r) => r.type === "pulumi:providers:vault");
        assert.ok(provider, "the Vault provider was registered");
        assert.equal((toPreviewJson(plan).steps.find((s) => s.urn === provider.urn)!.newState.inputs as Record<string, unknown>).token, "[secret]");
        assert.ok(!JSON.stringify(toPreviewJson(plan)).includes(PLACEHOLDER));
    });

    it("stops with a ConfigError before any resource exists", async () => {
        await assert.rejects(
            planStack("staging", {
                mutate: (c) => {
                    (c["dataplatform:kafka"] as { brokers: number }).brokers = 0;
                },
            }),
            (e: unknown) => e instanceof ConfigError && e.problems.some((p) => p.startsWith("dataplatform:kafka.brokers: 0")),
        );
    });

    it("renders the resource tree by parent", async () => {
        const tree = renderTree((await shippedPlan("staging")).resources).split("\n");
        assert.match(tree[0], /^pulumi:pulumi:Stack dataplatform-staging$/);
        assert.match(tree[1], /^(├─|└─) dataplatform:index:Platform dataplatform-staging$/);
    });

    describe("command line", () => {
        const run = (...args: string[]) =>
            spawnSync(process.execPath, [require.resolve("tsx/cli"), path.join(ROOT, "plan", "cli.ts"), ...args], { cwd: ROOT, encoding: "utf8" });

        it("prints the tree, counts and policies, writes JSON, exits 0", () => {
            const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "plan-")), "staging.json");
            const r = run("--stack", "staging", "--json", file);
            assert.equal(r.status, 0, r.stderr + r.stdout);
            assert.match(r.stdout, /Offline plan of stack staging \(gcp, staging\)/);
            assert.match(r.stdout, /Count per type:/);
            assert.match(r.stdout, /Policies \(|Policies: no violations\./);
            const json = JSON.parse(fs.readFileSync(file, "utf8"));
            assert.ok(json.steps.length > 0 && json.changeSummary.create === json.steps.length);
        });

        it("exits 2 with a readable message for an unknown stack", () => {
            const r = run("--stack", "nope");
            assert.equal(r.status, 2, r.stderr + r.stdout);
            assert.match(r.stderr, /no stack file Pulumi\.nope\.yaml; known stacks: .*staging/);
            assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
        });
    });
});
