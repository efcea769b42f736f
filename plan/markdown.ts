import type { CapturedResource } from "./capture";
import type { Plan } from "./run";
import { policies } from "../policy/policies";
import { flowTable } from "../components/k8s/flows";
import { clusterNetworkOf } from "../components/cluster-network";
import { flowsMarkdown } from "./flows-doc";

/** Component resources of the platform: what the diagram shows. */
const isComponent = (r: Pick<CapturedResource, "type">): boolean => r.type.startsWith("dataplatform:");

const MAX_VIOLATION_ROWS = 50;

/** URN → the URN of its nearest component ancestor (itself for a component); undefined outside any component. */
export function componentOwners(resources: CapturedResource[]): Map<string, string | undefined> {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const owner = new Map<string, string | undefined>();
    const find = (urn: string | undefined): string | undefined => {
        if (!urn) return undefined;
        if (owner.has(urn)) return owner.get(urn);
        const r = byUrn.get(urn);
        const o = !r ? undefined : isComponent(r) ? r.urn : find(r.parent);
        owner.set(urn, o);
        return o;
    };
    for (const r of resources) find(r.urn);
    return owner;
}

/**
 * Edges "from depends on to" between components: every dependency (explicit, implicit, provider) of every
 * resource, lifted to the nearest component ancestors of both ends; self and ancestor edges dropped.
 */
export function componentEdges(resources: CapturedResource[]): [string, string][] {
    const owner = componentOwners(resources);
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const ancestors = (urn: string): Set<string> => {
        const out = new Set<string>();
        for (let p = byUrn.get(urn)?.parent; p; p = byUrn.get(p)?.parent) out.add(p);
        return out;
    };
    const edges = new Map<string, [string, string]>();
    for (const r of resources) {
        const from = owner.get(r.urn);
        if (!from) continue;
        const deps = [...r.dependencies, ...Object.values(r.propertyDependencies).flat()];
        if (r.provider) deps.push(r.provider.split("::").slice(0, -1).join("::"));
        for (const d of deps) {
            const to = owner.get(d);
            if (!to || to === from || ancestors(from).has(to) || ancestors(to).has(from)) continue;
            edges.set(`${from} ${to}`, [from, to]);
        }
    }
    return [...edges.values()].sort((a, b) => a[0].localeCompare(b[0]) || a[1].localeCompare(b[1]));
}

const label = (s: string) => s.replace(/"/g, "#quot;").replace(/[<>]/g, "");

/** Drops an edge a → c when c is reachable from a through another edge (same reachability, less clutter). */
export function transitiveReduction(edges: [string, string][]): [string, string][] {
    const out = new Map<string, string[]>();
    for (const [a, b] of edges) out.set(a, [...(out.get(a) ?? []), b]);
    const reaches = (from: string, to: string, seen: Set<string>): boolean => {
        if (from === to) return true;
        if (seen.has(from)) return false;
        seen.add(from);
        return (out.get(from) ?? []).some((n) => reaches(n, to, seen));
    };
    return edges.filter(([a, c]) => !(out.get(a) ?? []).some((b) => b !== c && reaches(b, c, new Set([a]))));
}

/** The component graph as a Mermaid flowchart: nested components as subgraphs, edges for dependencies. */
export function mermaid(resources: CapturedResource[]): string {
    const comps = resources.filter(isComponent);
    const ids = new Map(comps.map((c, i) => [c.urn, `c${i}`]));
    const children = new Map<string | undefined, CapturedResource[]>();
    const owner = componentOwners(resources);
    for (const c of comps) {
        const parent = c.parent ? owner.get(c.parent) : undefined;
        children.set(parent, [...(children.get(parent) ?? []), c]);
    }
    const lines = ["flowchart LR"];
    const emit = (c: CapturedResource, indent: string) => {
        const text = `${label(c.name)}<br/>${label(c.type.replace(/^dataplatform:/, ""))}`;
        const kids = children.get(c.urn) ?? [];
        if (kids.length === 0) {
            lines.push(`${indent}${ids.get(c.urn)}["${text}"]`);
            return;
        }
        lines.push(`${indent}subgraph ${ids.get(c.urn)}["${text}"]`);
        for (const k of kids) emit(k, indent + "  ");
        lines.push(`${indent}end`);
    };
    for (const c of children.get(undefined) ?? []) emit(c, "  ");
    for (const [from, to] of transitiveReduction(componentEdges(resources))) lines.push(`  ${ids.get(from)} --> ${ids.get(to)}`);
    return lines.join("\n");
}

function table(head: string[], rows: (string | number)[][]): string {
    const cell = (v: string | number) => String(v).replace(/\|/g, "\\|").replace(/\n/g, " ");
    return [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`)].join("\n");
}

/** The result of one policy of the pack in a plan (text and Markdown tables). */
export interface PolicyRow {
    name: string;
    level: string;
    /** Violations found (update view). */
    violations: number;
    /** Findings that could not be decided in a first preview. */
    undecided: number;
    /** Set when the policy checked nothing in this stack: why (another cloud's resource types, a prod-only rule). */
    notApplicable?: string;
}

export function policyRows(plan: Pick<Plan, "diagnostics" | "undecided" | "notApplicable">): PolicyRow[] {
    const count = (ds: Plan["diagnostics"], name: string) => ds.filter((d) => d.policyName === name).length;
    return policies.map((p) => ({
        name: p.name,
        level: p.enforcementLevel ?? "advisory",
        violations: count(plan.diagnostics, p.name),
        undecided: count(plan.undecided, p.name),
        notApplicable: plan.notApplicable[p.name],
    }));
}

/** A pull-request summary of the plan: counts, policy results, component diagram. */
export function toMarkdown(plan: Plan): string {
    const { resources, diagnostics, config } = plan;
    const mandatory = diagnostics.filter((d) => d.enforcementLevel === "mandatory");
    const advisory = diagnostics.filter((d) => d.enforcementLevel === "advisory");
    const owner = componentOwners(resources);
    const comps = resources.filter(isComponent);
    const out: string[] = [];

    out.push(`## Offline plan: \`${plan.stack}\` (${config.cloud}, ${config.environment})`);
    out.push("");
    out.push(
        `${mandatory.length ? "❌" : "✅"} **${resources.length} resources** to create · policies: **${mandatory.length} mandatory**, ${advisory.length} advisory violations`,
    );
    if (plan.placeholders.length) out.push("", `> Secure config values are placeholders offline: ${plan.placeholders.map((k) => `\`${k}\``).join(", ")}`);

    if (plan.warnings.length) out.push("", `### Version support (as of ${plan.asOf})`, "", ...plan.warnings.map((w) => `- ⚠️ ${w}`));

    out.push(
        "",
        "### Component graph",
        "",
        "Arrows point from a component to the components it depends on (leaf dependencies lifted to their components; edges implied by a longer path omitted).",
        "",
        "```mermaid",
        mermaid(resources),
        "```",
    );

    out.push("", "### Resources per component", "");
    const direct = new Map<string, number>();
    for (const r of resources) {
        const o = isComponent(r) ? (r.parent ? owner.get(r.parent) : undefined) : owner.get(r.urn);
        if (o && !isComponent(r)) direct.set(o, (direct.get(o) ?? 0) + 1);
    }
    out.push(
        table(
            ["Component", "Type", "Own resources"],
            comps.map((c) => [c.name, `\`${c.type}\``, direct.get(c.urn) ?? 0]),
        ),
    );

    const counts = new Map<string, number>();
    for (const r of resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
    out.push("", `<details><summary>Resources per type (${counts.size} types)</summary>`, "");
    out.push(
        table(
            ["Type", "Count"],
            [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([t, n]) => [`\`${t}\``, n]),
        ),
    );
    out.push("", "</details>");

    out.push("", "### Policies", "");
    out.push(
        table(
            ["Policy", "Level", "Result"],
            policyRows(plan).map((p) => {
                const n = p.violations;
                const preview = p.undecided ? ` · ❔ could not decide in a first preview (${p.undecided})` : "";
                const result =
                    p.notApplicable !== undefined
                        ? `➖ n/a (${p.notApplicable})`
                        : (n === 0 ? "✅ pass" : `${p.level === "mandatory" ? "❌" : "⚠️"} ${n} violation${n === 1 ? "" : "s"}`) + preview;
                return [`\`${p.name}\``, p.level, result];
            }),
        ),
    );
    if (diagnostics.length) {
        out.push("", "<details open><summary>Violations</summary>", "");
        const rows = [...mandatory, ...advisory]
            .slice(0, MAX_VIOLATION_ROWS)
            .map((d) => [d.enforcementLevel, `\`${d.policyName}\``, d.message.split("\n").pop() ?? ""]);
        out.push(table(["Level", "Policy", "Finding"], rows));
        if (diagnostics.length > MAX_VIOLATION_ROWS) out.push("", `… and ${diagnostics.length - MAX_VIOLATION_ROWS} more (see the plan JSON).`);
        out.push("", "</details>");
    }
    out.push(
        "",
        "### Network flows",
        "",
        "Every connection the NetworkPolicies allow (default deny otherwise), from `components/k8s/flows.ts`.",
        "",
        flowsMarkdown(flowTable(config, clusterNetworkOf(config))),
    );
    out.push(
        "",
        "<sub>Generated by `npm run plan -- --stack " + plan.stack + " --markdown FILE` under mocks; the real `pulumi preview` is posted separately.</sub>",
        "",
    );
    return out.join("\n");
}
