import * as fs from "fs";
import { parseOptions } from "./options";
import { redact } from "./capture";
import { budgetFinding, costContext, costDelta, costMarkdown, estimateCost, renderCost } from "./cost";
import { destructiveExit, diffMarkdown, diffPlans, PlanDiff, renderDiff } from "./diff";
import { PreviewJson, toPreviewJson, withDiff } from "./json";
import { policyRows, toMarkdown } from "./markdown";
import { ConfigError, EngineError, Plan, planStack, ROOT } from "./run";
import { renderCounts, renderMarked, renderTree } from "./render";
import { StackFileError } from "./stackfile";
import { parseDay } from "../components/support-windows";
import { SchemaFileError } from "../components/bigquery/tables";
import { justification, UndecidableAtPreview } from "../policy/preview";

function usage(): string {
    const stacks = fs
        .readdirSync(ROOT)
        .filter((f) => /^Pulumi\..+\.yaml$/.test(f))
        .map((f) => f.slice(7, -5))
        .sort();
    return `usage: npm run plan -- [--stack <name>] [--date YYYY-MM-DD] [--json FILE] [--markdown FILE] [--base BASE.json [--allow-destructive]] [--cost] [--quiet]

Offline plan: evaluates index.ts against Pulumi.<stack>.yaml under mocks (no cloud, no Pulumi CLI) and runs the policy pack.

options:
  --stack <name>     stack to plan (default: staging); stacks here: ${stacks.join(", ")}
  --date YYYY-MM-DD  evaluate version support as of that day (default: today)
  --json FILE        write the plan as JSON (preview-like)
  --markdown FILE    write a Markdown summary for a pull request
  --base BASE.json   diff against a plan JSON written by --json (the base commit's): create/update/replace/delete
  --allow-destructive  do not fail (exit 4) on deletes or replacements of data in a prod-tier stack
  --cost             print the monthly cost estimate (the budget check runs on every plan)
  --quiet            leave out the resource tree
  -h, --help         this text

exit codes: 0 planned, no mandatory policy violation; 1 a mandatory policy is violated;
            2 config or schema-file error (every problem, with its key); 3 any other failure;
            4 --base: a prod-tier plan deletes or replaces data (without --allow-destructive)`;
}

/** Reads a plan JSON written by `--json` (the base of a diff); a clear error, never a stack trace. */
function readBase(file: string): PreviewJson | string {
    let json: PreviewJson;
    try {
        json = JSON.parse(fs.readFileSync(file, "utf8")) as PreviewJson;
    } catch (e) {
        return `--base ${file}: ${(e as Error).message}`;
    }
    if (!Array.isArray(json.steps) || !json.steps.every((s) => s && typeof s.urn === "string" && s.newState && typeof s.newState.inputs === "object")) {
        return `--base ${file}: not a plan JSON written by \`npm run plan -- --json\` (steps[].urn and steps[].newState.inputs expected)`;
    }
    return json;
}

async function main(): Promise<number> {
    const values = parseOptions(
        process.argv.slice(2),
        {
            stack: { type: "string", default: "staging" },
            date: { type: "string" },
            json: { type: "string" },
            markdown: { type: "string" },
            base: { type: "string" },
            "allow-destructive": { type: "boolean", default: false },
            cost: { type: "boolean", default: false },
            quiet: { type: "boolean", default: false },
            help: { type: "boolean", short: "h", default: false },
        },
        usage,
    );
    if (typeof values === "number") return values;
    const stack = values.stack!;
    const base = values.base === undefined ? undefined : readBase(values.base);
    if (typeof base === "string") {
        console.error(base);
        return 2;
    }
    if (values.date !== undefined) {
        try {
            parseDay(values.date);
        } catch (e) {
            console.error(`--date: ${(e as Error).message}\n${usage()}`);
            return 2;
        }
    }
    let plan: Plan;
    try {
        plan = await planStack(stack, { date: values.date });
    } catch (e) {
        if (e instanceof ConfigError) {
            console.error(`Stack ${stack}${values.date ? ` as of ${values.date}` : ""}: ${e.message}`);
            return 2;
        }
        if (e instanceof EngineError) {
            console.error(`Stack ${stack}: ${e.message}`);
            return 5;
        }
        if (e instanceof StackFileError || e instanceof SchemaFileError) {
            console.error(e.message);
            return 2;
        }
        throw e;
    }
    const cfg = plan.config;
    const out: string[] = [];
    out.push(`Offline plan of stack ${stack} (${cfg.cloud}, ${cfg.environment}): what \`pulumi preview\` would create, evaluated under mocks.`);
    if (values.date) out.push(`Evaluated as of ${plan.asOf}.`);
    if (plan.placeholders.length)
        out.push(`Note: secure values cannot be decrypted offline; placeholders (marked secret) stand in for: ${plan.placeholders.join(", ")}`);
    if (!values.quiet) {
        out.push("", `Resources (${plan.resources.length}):`, renderTree(plan.resources));
    }
    out.push("", "Count per type:", renderCounts(plan.resources));
    out.push("", `Version support as of ${plan.asOf} (${plan.warnings.length} warning${plan.warnings.length === 1 ? "" : "s"}):`);
    for (const w of plan.warnings) out.push(`  [warning] ${w}`);
    out.push("", "Outputs:");
    const mocked = new Set(plan.mocked.outputs);
    for (const [k, v] of Object.entries(redact(plan.outputs) as Record<string, unknown>)) out.push(`  ${k}: ${renderMarked(v, mocked, k)}`);
    if (mocked.size) out.push("  (<mock: …>: invented by the offline mocks, such as endpoints, project numbers and generated ids; known after `pulumi up`)");
    // The estimate is cheap: the budget check runs on every plan; --cost prints the breakdown.
    let json = toPreviewJson(plan);
    const costCtx = costContext(cfg);
    const cost = estimateCost(json, costCtx);
    const overBudget = budgetFinding(cost, cfg.cost.enforceBudget);
    if (overBudget) plan.diagnostics.push(overBudget);
    const mandatory = plan.diagnostics.filter((d) => d.enforcementLevel === "mandatory");
    const advisory = plan.diagnostics.filter((d) => d.enforcementLevel === "advisory");
    // One line per policy, then the findings: the section never ends on its heading.
    const rows = policyRows(plan);
    out.push(
        "",
        `Policies (${mandatory.length} mandatory, ${advisory.length} advisory violation${advisory.length === 1 ? "" : "s"}; ${rows.filter((r) => r.notApplicable !== undefined).length} not applicable to this stack):`,
    );
    const width = Math.max(...rows.map((r) => r.name.length));
    for (const r of rows) {
        const result =
            r.notApplicable !== undefined ? `n/a (${r.notApplicable})` : r.violations ? `${r.violations} violation${r.violations === 1 ? "" : "s"}` : "pass";
        out.push(
            `  ${r.name.padEnd(width)}  ${r.level.padEnd(9)}  ${result}${r.notApplicable === undefined && r.undecided ? ` (${r.undecided} undecided in a first preview)` : ""}`,
        );
    }
    if (plan.diagnostics.length) out.push("", "Violations:");
    for (const d of plan.diagnostics) out.push(`  [${d.enforcementLevel}] ${d.policyName}: ${d.message.split("\n").pop()}${d.urn ? `\n      ${d.urn}` : ""}`);
    if (plan.undecided.length) {
        out.push("", `Could not decide in a first preview (${plan.undecided.length}; enforced at update, shown passing above only if the update view passes):`);
        const used = new Set<UndecidableAtPreview>();
        for (const d of plan.undecided) {
            const why = justification(d, cfg.cloud);
            if (why) used.add(why);
            out.push(
                `  [${d.enforcementLevel}] ${d.policyName}: ${d.message.split("\n").pop()}${d.urn ? `\n      ${d.urn}` : ""}` +
                    `\n      ${why ? "justified below (policy/preview.ts)" : "NOT JUSTIFIED: make it known in a first preview, or list it in policy/preview.ts with the reason"}`,
            );
        }
        for (const e of used) out.push(`  Why ${e.policy} cannot decide on ${e.type} ${e.field}: ${e.reason}`);
    }
    let diff: PlanDiff | undefined;
    const allow = values["allow-destructive"]!;
    if (base) {
        diff = diffPlans(base, json, { retentionFloorHours: cfg.review.retentionFloorHours });
        out.push("", ...renderDiff(diff, values.base!, cfg.environment, allow));
        json = withDiff(json, base, diff);
    }
    const delta = base ? costDelta(estimateCost(base, costCtx), cost) : undefined;
    if (values.cost) {
        out.push("", ...renderCost(cost, delta));
        json = { ...json, cost };
    }
    if (values.json) {
        fs.writeFileSync(values.json, JSON.stringify(json, null, 2) + "\n");
        out.push("", `Wrote ${values.json}`);
    }
    if (values.markdown) {
        fs.writeFileSync(
            values.markdown,
            toMarkdown(plan) + (diff ? "\n" + diffMarkdown(diff, cfg.environment, allow) + "\n" : "") + "\n" + costMarkdown(cost, delta) + "\n",
        );
        out.push("", `Wrote ${values.markdown}`);
    }
    console.log(out.join("\n"));
    if (mandatory.length > 0) return 1;
    return destructiveExit(diff, cfg.environment, allow) ? 4 : 0;
}

main().then(
    (code) => process.exit(code),
    (e: unknown) => {
        console.error(`plan failed: ${e instanceof Error ? e.message : String(e)}`);
        process.exit(3);
    },
);
