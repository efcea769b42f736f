import * as path from "path";
import type { Flow, FlowEnd, FlowPort } from "../components/k8s/flows";
import { endLabel, flowTable } from "../components/k8s/flows";
import { clusterNetworkOf } from "../components/cluster-network";
import { fromConfigMap, parseStackConfig } from "../components/config";
import { readStackYaml, toEngineConfig } from "./stackfile";
import { writeReadmeSection } from "./readme-section";

const cell = (s: string) => s.replace(/\|/g, "\\|");
/** Names and TCP numbers as they are; other protocols, and TCP beside another protocol on the same port, spelled out. */
const portText = (p: FlowPort, all: readonly FlowPort[] = []) => {
    const spell = p.protocol !== "TCP" || all.some((q) => q.port === p.port && q.protocol !== p.protocol);
    return `${p.port}${p.endPort ? `-${p.endPort}` : ""}${spell ? `/${p.protocol}` : ""}`;
};
const ADDRESS_ORDER = ["control plane", "nodes", "node metadata", "outside"];

function endText(e: FlowEnd): string {
    if (e.kind === "pods") return `${e.workload.app} (\`${e.workload.namespace}\`)`;
    if (e.kind === "namespace") return `any pod in \`${e.namespace}\``;
    return `${e.name} (${e.cidrs.join(", ")}${e.except?.length ? ` except ${e.except.join(", ")}` : ""})`;
}

/**
 * The flow table for reviewers: a namespace-by-namespace matrix (rows: where connections start; columns: where they
 * go; cells: ports), then every flow with its reason. A change to a flow shows up as a change to this text.
 */
export function flowsMarkdown(flows: readonly Flow[]): string {
    const labels = new Set<string>();
    const cells = new Map<string, Set<string>>();
    for (const f of flows) {
        const from = endLabel(f.from);
        const to = endLabel(f.to);
        labels.add(from).add(to);
        const k = `${from}\u0000${to}`;
        const set = cells.get(k) ?? new Set<string>();
        for (const p of f.ports) set.add(portText(p, f.ports));
        cells.set(k, set);
    }
    const order = (l: string) => (ADDRESS_ORDER.includes(l) ? `2${ADDRESS_ORDER.indexOf(l)}` : l === "kube-system" ? `1${l}` : `0${l}`);
    const all = [...labels].sort((a, b) => order(a).localeCompare(order(b)));
    const rows = all.filter((l) => flows.some((f) => endLabel(f.from) === l));
    const cols = all.filter((l) => flows.some((f) => endLabel(f.to) === l));
    const out = [
        `| from ↓ / to → | ${cols.map((c) => `\`${c}\``).join(" | ")} |`,
        `|---|${cols.map(() => "---").join("|")}|`,
        ...rows.map((r) => `| \`${r}\` | ${cols.map((c) => cell([...(cells.get(`${r}\u0000${c}`) ?? [])].join(", "))).join(" | ")} |`),
        "",
        `<details><summary>All ${flows.length} flows with their reasons</summary>`,
        "",
        "| flow | from | to | ports | why |",
        "|---|---|---|---|---|",
        ...flows.map(
            (f) =>
                `| \`${f.id}\` | ${cell(endText(f.from))} | ${cell(endText(f.to))} | ${cell(f.ports.map((p) => portText(p, f.ports)).join(", "))} | ${cell(f.why)} |`,
        ),
        "",
        "</details>",
    ];
    return out.join("\n");
}

/** The README shows the staging stack's table. */
export const README_STACK = "staging";

export function readmeFlows(): string {
    const engine = toEngineConfig(readStackYaml(README_STACK, path.join(__dirname, "..")));
    const { raw, secretKeys } = fromConfigMap(engine.config, engine.secretKeys);
    const cfg = parseStackConfig(raw, { stack: README_STACK, secretKeys, offline: true });
    return flowsMarkdown(flowTable(cfg, clusterNetworkOf(cfg)));
}

/** `npm run flows-doc` rewrites the README's flow table (staging) between its markers. */
if (require.main === module) writeReadmeSection("network-flows", readmeFlows(), "network flows");
