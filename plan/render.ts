import type { CapturedResource } from "./capture";

/** The resources as a tree by parent, like the preview's resource list. */
export function renderTree(resources: CapturedResource[]): string {
    const children = new Map<string | undefined, CapturedResource[]>();
    for (const r of resources) {
        const list = children.get(r.parent) ?? [];
        list.push(r);
        children.set(r.parent, list);
    }
    const lines: string[] = [];
    const walk = (parent: string | undefined, prefix: string) => {
        const list = children.get(parent) ?? [];
        list.forEach((r, i) => {
            const last = i === list.length - 1;
            const flags = [r.protect ? "protect" : "", r.retainOnDelete ? "retain" : ""].filter(Boolean).join(",");
            lines.push(`${prefix}${parent === undefined ? "" : last ? "└─ " : "├─ "}${r.type} ${r.name}${flags ? ` [${flags}]` : ""}`);
            walk(r.urn, parent === undefined ? prefix : prefix + (last ? "   " : "│  "));
        });
    };
    walk(undefined, "");
    return lines.join("\n");
}

export function renderCounts(resources: CapturedResource[]): string {
    const counts = new Map<string, number>();
    for (const r of resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
    return [...counts.entries()]
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .map(([t, n]) => `  ${String(n).padStart(4)}  ${t}`)
        .join("\n");
}

/** A value as compact JSON, with each leaf at a path in `mocked` shown as `<mock: …>`. */
export function renderMarked(v: unknown, mocked: ReadonlySet<string>, path = ""): string {
    if (Array.isArray(v)) return `[${v.map((x, i) => renderMarked(x, mocked, `${path}[${i}]`)).join(",")}]`;
    if (v !== null && typeof v === "object") {
        return `{${Object.entries(v)
            .map(([k, x]) => `${JSON.stringify(k)}:${renderMarked(x, mocked, path ? `${path}.${k}` : k)}`)
            .join(",")}}`;
    }
    return mocked.has(path) ? `<mock: ${JSON.stringify(v)}>` : JSON.stringify(v);
}
