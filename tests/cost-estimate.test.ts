import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { budgetFinding, costContext, costDelta, costMarkdown, CostReport, estimateCost, renderCost } from "../plan/cost";
import { toPreviewJson } from "../plan/json";
import { HOURS_PER_MONTH, PRICES, PriceTable } from "../plan/prices";
import type { Plan } from "../plan/run";
import { awsStack, configProblems, gcpStack } from "./support/config";
import { shippedPlan, STACKS, variantPlan } from "./support/plans";

const table = new PriceTable();
const estimate = (plan: Plan): CostReport => estimateCost(toPreviewJson(plan), costContext(plan.config), table);
const usd = (cloud: "gcp" | "aws", region: string, key: string) => {
    const row = table.find(cloud, region, key);
    assert.ok(row, `price row ${cloud}/${region}/${key}`);
    return row.usd;
};
const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-6, `${what}: ${a} ≠ ${b}`);

describe("cost estimate", () => {
    it("the price table: every row has a public https source, a date, a positive price, and no duplicate key", () => {
        const seen = new Set<string>();
        for (const r of PRICES) {
            const k = `${r.cloud}/${r.region}/${r.key}`;
            assert.ok(!seen.has(k), `duplicate ${k}`);
            seen.add(k);
            assert.match(r.source, /^https:\/\/(cloud\.google\.com|aws\.amazon\.com)\//, k);
            assert.ok(!Number.isNaN(Date.parse(r.asOf)) && /^\d{4}-\d{2}-\d{2}$/.test(r.asOf), `${k}: asOf`);
            assert.ok(r.usd > 0, k);
        }
    });

    it("no price row is older than the stacks' cost.priceMaxAgeDays (refresh the table when this fails)", async () => {
        for (const stack of STACKS) {
            const { config } = await shippedPlan(stack);
            const stale = table.stale(new Date(), config.cost.priceMaxAgeDays);
            assert.deepEqual(
                stale.map((r) => `${r.key} (${r.asOf})`),
                [],
                `${stack}: rows older than ${config.cost.priceMaxAgeDays} days`,
            );
        }
        // The check itself: a row is stale one day past the limit.
        const row = { ...PRICES[0], asOf: "2020-01-01" };
        assert.equal(new PriceTable([row]).stale(new Date("2020-01-31T00:00:00Z"), 30).length, 0);
        assert.equal(new PriceTable([row]).stale(new Date("2020-02-01T00:00:00Z"), 30).length, 1);
    });

    for (const stack of STACKS) {
        it(`${stack}: at least 95 % of billable resources are priced, the rest listed with a reason`, async () => {
            const r = estimate(await shippedPlan(stack));
            assert.ok(r.coverage.billable > 20, "the plan has billable resources");
            assert.ok(r.coverage.ratio >= 0.95, `${r.coverage.priced}/${r.coverage.billable}: ${JSON.stringify(r.unpriced)}`);
            assert.equal(r.unpriced.length, r.coverage.billable - r.coverage.priced);
            assert.ok(r.baseline > 0 && r.ceiling >= r.baseline);
            for (const it of r.items) close(it.baselineUsd, it.quantity.baseline * it.unitPriceUsd, it.what);
            const sum = r.items.reduce((s, it) => s + it.baselineUsd, 0) * r.usdRate;
            close(r.baseline, sum, "baseline is the sum of the items, converted");
        });
    }

    it("staging's estimate matches the stored expectation (quantities from the stack file × the table)", async () => {
        const plan = await shippedPlan("staging");
        const r = estimate(plan);
        const expected = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", "cost-staging.json"), "utf8")) as {
            items: { resource: string; priceKey: string; baseline: number; ceiling: number }[];
        };
        const region = gcpStack(plan.config).gcp.region;
        const keys = plan.resources.filter((x) => x.type === "gcp:kms/cryptoKey:CryptoKey").length;
        const rows = [...expected.items, ...(keys ? [{ resource: "(keys)", priceKey: "kms:software-key-version", baseline: keys, ceiling: keys }] : [])];
        const got = (pred: (i: CostReport["items"][number]) => boolean) =>
            r.items
                .filter(pred)
                .reduce((a, i) => ({ baseline: a.baseline + i.quantity.baseline, ceiling: a.ceiling + i.quantity.ceiling }), { baseline: 0, ceiling: 0 });
        for (const e of expected.items) {
            const q = got((i) => i.urn.endsWith(`::${e.resource}`) && i.priceKey === e.priceKey);
            assert.deepEqual(q, { baseline: e.baseline, ceiling: e.ceiling }, `${e.resource} ${e.priceKey}`);
        }
        assert.deepEqual(
            got((i) => i.priceKey === "kms:software-key-version"),
            { baseline: keys, ceiling: keys },
        );
        // Nothing else is in the totals, and the totals are the expectation priced by the table.
        const unexpected = r.items.filter(
            (i) => i.priceKey !== "kms:software-key-version" && !expected.items.some((e) => i.urn.endsWith(`::${e.resource}`) && i.priceKey === e.priceKey),
        );
        assert.deepEqual(
            unexpected.map((i) => i.what),
            [],
        );
        const priced = (k: "baseline" | "ceiling") =>
            rows.reduce((s, e) => s + e[k] * (e.priceKey.startsWith("kms:") ? usd("gcp", "europe", e.priceKey) : usd("gcp", region, e.priceKey)), 0) *
            plan.config.cost.usdRate!;
        close(r.baseline, priced("baseline"), "baseline");
        close(r.ceiling, priced("ceiling"), "ceiling");
    });

    it("one more broker with its node raises the baseline by exactly that node and its volumes (aws-prod)", async () => {
        const base = await shippedPlan("aws-prod");
        const head = await variantPlan(
            "aws-prod",
            (c) => {
                c["dataplatform:kafka"].brokers += 1;
                const pool = c["dataplatform:cluster"].nodePools.kafka;
                pool.min += 1;
                pool.max = Math.max(pool.max, pool.min);
            },
            { skipPolicies: true },
        );
        const k = head.config.kafka;
        const pool = head.config.cluster.nodePools.kafka;
        const region = awsStack(head.config).aws.region;
        const expected =
            HOURS_PER_MONTH * usd("aws", region, `ec2:${pool.machineType}`) +
            (pool.diskSizeGb! + k.storageSizeGi) /* storageSizeGi is per broker, split over its JBOD volumes */ * usd("aws", region, "ebs:gp3");
        close(estimate(head).baseline - estimate(base).baseline, expected, "baseline delta");
        const delta = costDelta(estimate(base), estimate(head));
        assert.deepEqual(delta.map((d) => d.component).sort(), ["foundation-eks-nodes", "kafka-cluster"]);
    });

    it("taking the Spark pool off Spot raises the ceiling by the Spot/on-demand difference, not the baseline (aws-prod)", async () => {
        const base = await shippedPlan("aws-prod");
        const head = await variantPlan(
            "aws-prod",
            (c) => {
                c["dataplatform:cluster"].nodePools.spark.spot = false;
            },
            { skipPolicies: true },
        );
        const spark = head.config.cluster.nodePools.spark;
        const region = awsStack(head.config).aws.region;
        const diff = spark.max * HOURS_PER_MONTH * (usd("aws", region, `ec2:${spark.machineType}`) - usd("aws", region, `ec2-spot:${spark.machineType}`));
        close(estimate(head).ceiling - estimate(base).ceiling, diff, "ceiling delta");
        close(estimate(head).baseline - estimate(base).baseline, 0, "baseline delta (min 0)");
    });

    it("prod costs more than staging on both clouds", async () => {
        for (const [s, p] of [
            ["staging", "prod"],
            ["aws-staging", "aws-prod"],
        ]) {
            const a = estimate(await shippedPlan(s));
            const b = estimate(await shippedPlan(p));
            assert.ok(b.baseline > a.baseline && b.ceiling > a.ceiling, `${p} > ${s}`);
        }
    });

    it("the BigQuery query spend is usage, capped by warehouse.queryUsagePerDayTiB and priced per TiB", async () => {
        const plan = await shippedPlan("prod");
        const q = estimate(plan).usage.find((u) => u.priceKey === "bq:on-demand-query")!;
        assert.match(q.driver, new RegExp(`queryUsagePerDayTiB = ${plan.config.warehouse.queryUsagePerDayTiB} TiB/day`));
        close(q.capUsd!, plan.config.warehouse.queryUsagePerDayTiB * (365 / 12) * usd("gcp", "EU", "bq:on-demand-query"), "cap");
    });

    it("a baseline above budget.amount is an advisory finding, mandatory with cost.enforceBudget", async () => {
        const plan = await variantPlan(
            "staging",
            (c) => {
                c["dataplatform:budget"].amount = 100;
                c["dataplatform:cost"].enforceBudget = true;
            },
            { skipPolicies: true },
        );
        const r = estimate(plan);
        assert.equal(r.budget.exceeded, true);
        assert.equal(budgetFinding(r, false)!.enforcementLevel, "advisory");
        assert.equal(budgetFinding(r, plan.config.cost.enforceBudget)!.enforcementLevel, "mandatory");
        assert.match(budgetFinding(r, true)!.message, /exceeds budget\.amount 100 EUR/);
        for (const stack of STACKS) assert.equal(budgetFinding(estimate(await shippedPlan(stack)), true), undefined, `${stack} fits its budget`);
    });

    it("a budget in another currency than USD needs cost.usdRate; the rate is applied and stated", async () => {
        const problems = configProblems("staging", (c) => {
            delete c.cost;
        });
        assert.ok(
            problems.some((p) => p.startsWith("dataplatform:cost.usdRate") && /required when budget\.currency is EUR/.test(p)),
            problems.join("\n"),
        );
        const plan = await shippedPlan("staging");
        const r = estimate(plan);
        assert.equal(r.currency, "EUR");
        assert.equal(r.usdRate, plan.config.cost.usdRate);
    });
});

describe("cost estimate: output", () => {
    it("the markdown shows totals, the budget and, against a base, the delta per component", async () => {
        const base = estimate(await shippedPlan("aws-prod"));
        const head = estimate(
            await variantPlan(
                "aws-prod",
                (c) => {
                    c["dataplatform:kafka"].storageSizeGi += 500;
                },
                { skipPolicies: true },
            ),
        );
        const delta = costDelta(base, head);
        assert.deepEqual(
            delta.map((d) => d.component),
            ["kafka-cluster"],
        );
        const md = costMarkdown(head, delta);
        assert.match(md, /### Cost estimate/);
        assert.match(md, /\| kafka-cluster \| \+\d[\d,]* USD \| \+\d[\d,]* USD \|/);
        const text = renderCost(head, delta).join("\n");
        assert.match(text, /coverage: \d+\/\d+ billable resources priced/);
        assert.match(text, /change against the base \(per component\):\n\s+kafka-cluster/);
    });
});
