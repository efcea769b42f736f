import { strict as assert } from "assert";
import { money, queryUsageMiB } from "../components/bigquery/costs";
import { budgetNotifications } from "../components/aws/budget";
import { inputsOf, ofType, shippedPlan, STACKS } from "./support/plans";
import { expectProblem, Raw } from "./support/config";

describe("costs", () => {
    describe("pure", () => {
        it("expresses the daily query quota in MiB, as a string", () => {
            assert.equal(queryUsageMiB(2), "2097152");
            assert.equal(queryUsageMiB(20), "20971520");
            assert.equal(queryUsageMiB(0.5), "524288");
        });

        it("splits amounts into units and nanos", () => {
            assert.deepEqual(money(1500, "EUR"), { currencyCode: "EUR", units: "1500" });
            assert.deepEqual(money(12.5, "USD"), { currencyCode: "USD", units: "12", nanos: 500_000_000 });
        });

        it("notifies the AWS subscribers at every threshold, in percent of actual spend", () => {
            assert.deepEqual(
                budgetNotifications([0.5, 0.9, 1.0], ["a@b.example"]).map((n) => [
                    n.threshold,
                    n.thresholdType,
                    n.notificationType,
                    n.subscriberEmailAddresses,
                ]),
                [
                    [50, "PERCENTAGE", "ACTUAL", ["a@b.example"]],
                    [90, "PERCENTAGE", "ACTUAL", ["a@b.example"]],
                    [100, "PERCENTAGE", "ACTUAL", ["a@b.example"]],
                ],
            );
        });
    });

    describe("config rules", () => {
        const cases: [string, string, (r: Raw) => void, string, RegExp][] = [
            ["aws-staging", "no GCP budget for BigQuery", (r) => delete r.budget.warehouse, "dataplatform:budget.warehouse", /required on aws stacks/],
            ["aws-prod", "AWS budget in EUR", (r) => (r.budget.currency = "EUR"), "dataplatform:budget.currency", /must be USD on aws stacks/],
            [
                "aws-staging",
                "no channel for the BigQuery budget",
                (r) => (r.budget.notificationChannels = []),
                "dataplatform:budget.notificationChannels",
                /aws stacks too/,
            ],
            [
                "staging",
                "warehouse budget on gcp",
                (r) => (r.budget.warehouse = { billingAccount: "01AB23-45CD67-89EF01", amount: 10, currency: "EUR" }),
                "dataplatform:budget.warehouse",
                /aws stacks only/,
            ],
            [
                "aws-staging",
                "bad billing account",
                (r) => (r.budget.warehouse.billingAccount = "billing-1"),
                "dataplatform:budget.warehouse.billingAccount",
                /billing account id/,
            ],
            [
                "prod",
                "no notification channel",
                (r) => (r.budget.notificationChannels = []),
                "dataplatform:budget.notificationChannels",
                /at least one channel/,
            ],
            ["staging", "quota above 1000 TiB", (r) => (r.warehouse.queryUsagePerDayTiB = 5000), "dataplatform:warehouse.queryUsagePerDayTiB", /too large/],
        ];
        for (const [stack, what, mutate, key, message] of cases) {
            it(`rejects ${what} (${stack}) naming ${key}`, () => {
                expectProblem(stack, mutate, key, message);
            });
        }
    });

    for (const stack of STACKS) {
        describe(`plan (${stack})`, () => {
            it("sets the BigQuery QueryUsagePerDay quota of the warehouse project to the configured TiB", async () => {
                const plan = await shippedPlan(stack);
                const cfg = plan.config;
                const quotas = ofType(plan, "gcp:cloudquota/sQuotaPreference:SQuotaPreference");
                assert.equal(quotas.length, 1);
                const q = inputsOf(quotas[0]);
                assert.equal(q.parent, `projects/${cfg.warehouseProject}`);
                assert.equal(q.service, "bigquery.googleapis.com");
                assert.equal(q.quotaId, "QueryUsagePerDay");
                assert.deepEqual(q.dimensions, {});
                assert.equal(q.quotaConfig.preferredValue, String(cfg.warehouse.queryUsagePerDayTiB * 1024 * 1024));
                assert.equal(q.quotaConfig.preferredValue, stack.endsWith("prod") ? "20971520" : "2097152");
            });

            it("creates a GCP billing budget with the configured amount, thresholds and channels", async () => {
                const plan = await shippedPlan(stack);
                const cfg = plan.config;
                const budgets = ofType(plan, "gcp:billing/budget:Budget");
                assert.equal(budgets.length, 1);
                const b = inputsOf(budgets[0]);
                // gcp stacks: the whole project; aws stacks: the warehouse project, under budget.warehouse.
                const expected = cfg.cloud === "gcp" ? cfg.budget : cfg.budget.warehouse;
                assert.equal(b.billingAccount, "01AB23-45CD67-89EF01");
                assert.deepEqual(b.amount.specifiedAmount, { currencyCode: expected.currency, units: String(expected.amount) });
                assert.equal(b.amount.specifiedAmount.units, { staging: "1500", prod: "12000", "aws-staging": "400", "aws-prod": "3000" }[stack]);
                assert.deepEqual(
                    b.thresholdRules.map((t: Raw) => t.thresholdPercent),
                    [0.5, 0.9, 1.0],
                );
                assert.deepEqual(b.allUpdatesRule.monitoringNotificationChannels, [...cfg.budget.notificationChannels]);
                assert.deepEqual(b.budgetFilter.projects, ["projects/123456789012"]);
            });

            it(stack.startsWith("aws") ? "creates a monthly AWS cost budget with e-mail alerts" : "creates no AWS budget", async () => {
                const plan = await shippedPlan(stack);
                const budgets = ofType(plan, "aws:budgets/budget:Budget");
                if (!stack.startsWith("aws")) return assert.equal(budgets.length, 0);
                assert.equal(budgets.length, 1);
                const b = inputsOf(budgets[0]);
                assert.equal(b.budgetType, "COST");
                assert.equal(b.timeUnit, "MONTHLY");
                assert.equal(b.limitAmount, stack === "aws-prod" ? "12000" : "1500");
                assert.equal(b.limitUnit, "USD");
                assert.deepEqual(
                    b.notifications.map((n: Raw) => n.threshold),
                    [50, 90, 100],
                );
                for (const n of b.notifications) assert.deepEqual(n.subscriberEmailAddresses, ["data-platform-finops@acme.example"]);
                assert.equal(b.tags?.env, plan.config.environment, "tagged by the stack transformation");
            });
        });
    }
});
