import * as fs from "fs";
import { parseArgs } from "util";
import { redact } from "./capture";
import { toPreviewJson } from "./json";
import { toMarkdown } from "./markdown";
import { ConfigError, Plan, planStack } from "./run";
import { renderTree, renderCounts } from "./render";
import { StackFileError } from "./stackfile";

const USAGE = "usage: npm run plan -- [--stack <name>] [--json FILE] [--markdown FILE] [--quiet]";

async function main(): Promise<number> {
    let values;
    try {
        ({ values } = parseArgs({
            options: { stack: { type: "string", default: "staging" }, json: { type: "string" }, markdown: { type: "string" }, quiet: { type: "boolean", default: false }, help: { type: "boolean", default: false } },
        }));
    } catch (e) {
        console.error(`${(e as Error).message}\n${USAGE}`);
        return 2;
    }
    if (values.help) { console.log(USAGE); return 0; }
    const stack = values.stack!;
    let plan: Plan;
    try {
        plan = await planStack(stack);
    } catch (e) {
        if (e instanceof ConfigError) {
            console.error(`Stack ${stack}: ${e.message}`);
            return 2;
        }
        if (e instanceof StackFileError) {
            console.error(e.message);
            return 2;
        }
        throw e;
    }
    const cfg = plan.config;
    const out: string[] = [];
    out.push(`Offline plan of stack ${stack} (${cfg.cloud}, ${cfg.environment}): what \`pulumi preview\` would create, evaluated under mocks.`);
    if (plan.placeholders.length) out.push(`Note: secure values cannot be decrypted offline; placeholders (marked secret) stand in for: ${plan.placeholders.join(", ")}`);
    if (!values.quiet) {
        out.push("", `Resources (${plan.resources.length}):`, renderTree(plan.resources));
    }
    out.push("", "Count per type:", renderCounts(plan.resources));
    out.push("", "Outputs:");
    for (const [k, v] of Object.entries(redact(plan.outputs) as Record<string, unknown>)) out.push(`  ${k}: ${JSON.stringify(v)}`);
    const mandatory = plan.diagnostics.filter((d) => d.enforcementLevel === "mandatory");
    const advisory = plan.diagnostics.filter((d) => d.enforcementLevel === "advisory");
    out.push("", `Policies (${plan.diagnostics.length ? "" : "no violations; "}${mandatory.length} mandatory, ${advisory.length} advisory):`);
    for (const d of plan.diagnostics) out.push(`  [${d.enforcementLevel}] ${d.policyName}: ${d.message.split("\n").pop()}${d.urn ? `\n      ${d.urn}` : ""}`);
    if (values.json) {
        fs.writeFileSync(values.json, JSON.stringify(toPreviewJson(plan), null, 2) + "\n");
        out.push("", `Wrote ${values.json}`);
    }
    if (values.markdown) {
        fs.writeFileSync(values.markdown, toMarkdown(plan));
        out.push("", `Wrote ${values.markdown}`);
    }
    console.log(out.join("\n"));
    return mandatory.length > 0 ? 1 : 0;
}

main().then(
    (code) => process.exit(code),
    (e: unknown) => {
        console.error(`plan failed: ${e instanceof Error ? e.message : String(e)}`);
        process.exit(3);
    },
);
