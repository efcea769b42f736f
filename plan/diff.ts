import type { PreviewJson } from "./json";
import { pathUnder, ruleFor } from "./replace-rules";

/** What `pulumi up` would do to one resource, going from the base plan to this one. */
export type Op = "create" | "update" | "replace" | "delete" | "same";

interface StepDiff {
    op: Op;
    urn: string;
    type: string;
    /** Changed input paths (update and replace). */
    diffReasons: string[];
    /** The changed inputs that force the replacement (replace). */
    replaceReasons: string[];
    /** The base URN this resource had, when an alias carried it over. */
    aliasOf?: string;
}

/** A change that deletes data or makes it unreadable. */
interface DestructiveFinding {
    urn: string;
    type: string;
    op: Op;
    property: string;
    old: unknown;
    new: unknown;
    why: string;
}

export interface PlanDiff {
    steps: StepDiff[];
    destructive: DestructiveFinding[];
    counts: Record<Op, number>;
}

export interface DiffOptions {
    /** Kafka topic retention below this many hours is destructive when it is lowered. */
    retentionFloorHours: number;
}

type State = PreviewJson["steps"][number]["newState"];
type Flat = Map<string, string>;

/** Leaf values by path (`a.b[0].c`); empty objects and arrays are leaves so that adding one is a change. */
export function flatten(v: unknown, prefix = "", out: Flat = new Map()): Flat {
    if (Array.isArray(v) && v.length) v.forEach((x, i) => flatten(x, `${prefix}[${i}]`, out));
    else if (v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length) {
        for (const [k, x] of Object.entries(v)) flatten(x, prefix ? `${prefix}.${k}` : k, out);
    } else out.set(prefix, JSON.stringify(v));
    return out;
}

/** Changed leaf paths between two input objects, sorted. */
export function changedPaths(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
    const fa = flatten(a);
    const fb = flatten(b);
    const out = new Set<string>();
    for (const [k, v] of fa) if (fb.get(k) !== v) out.add(k);
    for (const k of fb.keys()) if (!fa.has(k)) out.add(k);
    return [...out].sort();
}

/** The URN an alias spec names, resolved against the resource it belongs to. */
function qualifiedType(urn: string): string {
    return urn.split("::")[2] ?? "";
}

function aliasUrns(state: State, byUrn: Map<string, State>): string[] {
    const [head, project] = state.urn.split("::");
    const stack = head.replace(/^urn:pulumi:/, "");
    const name = state.urn.split("::").slice(3).join("::");
    const own = qualifiedType(state.urn).split("$").pop()!;
    return (state.aliases ?? []).map((a) => {
        if (typeof a === "string") return a;
        const parentUrn = a.noParent ? undefined : (a.parentUrn ?? state.parent);
        const parent = parentUrn ? byUrn.get(parentUrn) : undefined;
        const parentType = parentUrn && parent?.type !== "pulumi:pulumi:Stack" ? qualifiedType(parentUrn) : "";
        const type = a.type ?? own;
        return `urn:pulumi:${a.stack ?? stack}::${a.project ?? project}::${parentType ? parentType + "$" : ""}${type}::${a.name ?? name}`;
    });
}

const get = (o: unknown, path: (string | number)[]): unknown =>
    path.reduce<unknown>((x, k) => (x !== null && typeof x === "object" ? (x as Record<string | number, unknown>)[k] : undefined), o);

interface Column {
    name: string;
    type: string;
    mode?: string;
    fields?: Column[];
}

function columns(schema: unknown, prefix = ""): Map<string, Column> {
    const out = new Map<string, Column>();
    let cols: unknown = schema;
    if (typeof schema === "string") {
        try {
            cols = JSON.parse(schema);
        } catch {
            return out;
        }
    }
    if (!Array.isArray(cols)) return out;
    for (const c of cols as Column[]) {
        const name = `${prefix}${c.name}`;
        out.set(name, c);
        if (c.fields) for (const [k, v] of columns(c.fields, `${name}.`)) out.set(k, v);
    }
    return out;
}

/** The earliest age in days at which a lifecycle deletes live and noncurrent objects (GCS or S3 rules). */
function deletionAges(type: string, inputs: Record<string, unknown>): { live?: number; noncurrent?: number } {
    const min = (a: number | undefined, b: number | undefined) => (a === undefined ? b : b === undefined ? a : Math.min(a, b));
    let live: number | undefined;
    let noncurrent: number | undefined;
    if (type === "gcp:storage/bucket:Bucket") {
        for (const r of (inputs.lifecycleRules as Record<string, any>[] | undefined) ?? []) {
            if (r.action?.type !== "Delete") continue;
            const c = r.condition ?? {};
            if (c.age !== undefined && c.withState !== "ARCHIVED") live = min(live, c.age);
            if (c.daysSinceNoncurrentTime !== undefined) noncurrent = min(noncurrent, c.daysSinceNoncurrentTime);
            if (c.age !== undefined && c.withState === "ARCHIVED") noncurrent = min(noncurrent, c.age);
        }
    } else if (type === "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration") {
        for (const r of (inputs.rules as Record<string, any>[] | undefined) ?? []) {
            if (r.status !== "Enabled") continue;
            live = min(live, r.expiration?.days);
            noncurrent = min(noncurrent, r.noncurrentVersionExpiration?.noncurrentDays);
        }
    }
    return { live, noncurrent };
}

type Loss = Omit<DestructiveFinding, "urn" | "type" | "op">;

/** A lifecycle that deletes live or noncurrent objects earlier than before (or for the first time). */
function earlierDeletion(type: string, a: Record<string, unknown>, b: Record<string, unknown>): Loss[] {
    const da = deletionAges(type, a);
    const db = deletionAges(type, b);
    return (["live", "noncurrent"] as const)
        .filter((k) => db[k] !== undefined && (da[k] === undefined || db[k]! < da[k]!))
        .map((k) => ({
            property: `lifecycle: delete ${k} objects after (days)`,
            old: da[k] ?? "never",
            new: db[k],
            why: `the lifecycle deletes ${k} objects earlier than before`,
        }));
}

/** Changes that drop data in place (the resource stays): each with the property, old and new value, and why. */
function inPlaceLosses(type: string, a: Record<string, unknown>, b: Record<string, unknown>, opts: DiffOptions): Loss[] {
    const out: Loss[] = [];
    const lowered = (property: string, path: (string | number)[], why: string, floor = Infinity) => {
        const x = get(a, path);
        const y = get(b, path);
        if (typeof x === "number" && typeof y === "number" && y < x && y < floor) out.push({ property, old: x, new: y, why });
    };
    switch (type) {
        case "kubernetes:kafka.strimzi.io/v1:KafkaTopic": {
            lowered(
                "spec.partitions",
                ["spec", "partitions"],
                "Kafka cannot reduce a topic's partitions: the Topic Operator refuses it, and re-creating the topic to get there drops its messages",
            );
            const floorMs = opts.retentionFloorHours * 3_600_000;
            lowered(
                "spec.config.retention.ms",
                ["spec", "config", "retention.ms"],
                `retention cut below the floor of ${opts.retentionFloorHours} h: older messages are deleted at the next log cleanup`,
                floorMs,
            );
            break;
        }
        case "kubernetes:kafka.strimzi.io/v1:KafkaNodePool":
        case "kubernetes:kafka.strimzi.io/v1:Kafka": {
            const vols = (o: Record<string, unknown>) =>
                new Map(((get(o, ["spec", "storage", "volumes"]) as Record<string, any>[] | undefined) ?? []).map((v) => [v.id, v]));
            const va = vols(a);
            const vb = vols(b);
            const gi = (s: unknown) => (typeof s === "string" ? parseFloat(s) * (/Ti$/.test(s) ? 1024 : 1) : NaN);
            if (get(a, ["spec", "storage", "type"]) !== get(b, ["spec", "storage", "type"]) && get(a, ["spec", "storage", "type"]) !== undefined) {
                out.push({
                    property: "spec.storage.type",
                    old: get(a, ["spec", "storage", "type"]),
                    new: get(b, ["spec", "storage", "type"]),
                    why: "Strimzi cannot change the storage type in place: the brokers' volumes must be recreated",
                });
            }
            for (const [id, v] of va) {
                const w = vb.get(id);
                if (!w)
                    out.push({
                        property: `spec.storage.volumes[id=${id}]`,
                        old: v.size,
                        new: undefined,
                        why: `JBOD volume ${id} removed: its partitions' replicas are lost${v.deleteClaim ? " and its claim deleted" : ""}`,
                    });
                else if (gi(w.size) < gi(v.size))
                    out.push({
                        property: `spec.storage.volumes[id=${id}].size`,
                        old: v.size,
                        new: w.size,
                        why: "persistent volumes cannot shrink: Strimzi ignores it, and replacing the volume to get there loses its data",
                    });
                else if (w.class !== v.class)
                    out.push({
                        property: `spec.storage.volumes[id=${id}].class`,
                        old: v.class,
                        new: w.class,
                        why: "a volume's storage class cannot change in place: the volume would be recreated",
                    });
            }
            break;
        }
        case "gcp:storage/bucket:Bucket":
            if (get(a, ["versioning", "enabled"]) === true && get(b, ["versioning", "enabled"]) !== true) {
                out.push({
                    property: "versioning.enabled",
                    old: true,
                    new: get(b, ["versioning", "enabled"]) ?? false,
                    why: "versioning turned off: overwritten and deleted objects are no longer kept",
                });
            }
            out.push(...earlierDeletion(type, a, b));
            break;
        case "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration":
            out.push(...earlierDeletion(type, a, b));
            break;
        case "aws:s3/bucketVersioning:BucketVersioning":
            if (get(a, ["versioningConfiguration", "status"]) === "Enabled" && get(b, ["versioningConfiguration", "status"]) !== "Enabled") {
                out.push({
                    property: "versioningConfiguration.status",
                    old: "Enabled",
                    new: get(b, ["versioningConfiguration", "status"]),
                    why: "versioning suspended: overwritten and deleted objects are no longer kept",
                });
            }
            break;
        case "gcp:bigquery/table:Table": {
            const ca = columns(a.schema);
            const cb = columns(b.schema);
            for (const [name, c] of ca) {
                const d = cb.get(name);
                if (!d)
                    out.push({
                        property: `schema.${name}`,
                        old: c.type,
                        new: undefined,
                        why: "column dropped: its values are lost (BigQuery drops the column's data)",
                    });
                else if (d.type !== c.type)
                    out.push({
                        property: `schema.${name}.type`,
                        old: c.type,
                        new: d.type,
                        why: "column type changed: BigQuery refuses it in place, and a rewrite loses values that do not convert",
                    });
            }
            lowered("timePartitioning.expirationMs", ["timePartitioning", "expirationMs"], "partitions expire earlier: older partitions are deleted");
            lowered("expirationTime", ["expirationTime"], "the table expires earlier");
            break;
        }
        case "gcp:bigquery/dataset:Dataset":
            lowered("defaultTableExpirationMs", ["defaultTableExpirationMs"], "new tables expire earlier");
            lowered("defaultPartitionExpirationMs", ["defaultPartitionExpirationMs"], "partitions of new tables expire earlier");
            break;
    }
    return out;
}

/**
 * Classifies every resource by URN between a base plan and this one, as `pulumi preview` would against a
 * stack deployed from the base: create, update (with the changed input paths), replace (with the inputs
 * that force it, from REPLACE_RULES and the resource's replaceOnChanges), delete, same. A URN change without
 * an alias is a delete and a create. Destructive findings: deletes and replacements of data-bearing types,
 * and in-place changes that drop data.
 */
export function diffPlans(base: PreviewJson, head: PreviewJson, opts: DiffOptions): PlanDiff {
    const states = (p: PreviewJson) => new Map(p.steps.map((s) => [s.urn, s.newState]));
    const before = states(base);
    const after = states(head);
    const steps: StepDiff[] = [];
    const destructive: DestructiveFinding[] = [];
    const matched = new Set<string>();

    for (const [urn, b] of after) {
        let oldUrn = before.has(urn) ? urn : undefined;
        if (!oldUrn) oldUrn = aliasUrns(b, after).find((u) => before.has(u) && !after.has(u));
        if (!oldUrn) {
            steps.push({ op: "create", urn, type: b.type, diffReasons: [], replaceReasons: [] });
            continue;
        }
        matched.add(oldUrn);
        const a = before.get(oldUrn)!;
        const diffReasons = changedPaths(a.inputs, b.inputs);
        const rule = ruleFor(b.type);
        const forcing = [...(rule?.replaceOn ?? []), ...(b.replaceOnChanges ?? [])];
        // In the table's order, so that the first reason is the most telling (a dataset's location before its key).
        const replaceReasons = forcing.flatMap((f) => diffReasons.filter((p) => pathUnder(p, f))).filter((p, i, all) => all.indexOf(p) === i);
        const op: Op = a.type !== b.type ? "replace" : replaceReasons.length ? "replace" : diffReasons.length ? "update" : "same";
        steps.push({ op, urn, type: b.type, diffReasons, replaceReasons, ...(oldUrn !== urn ? { aliasOf: oldUrn } : {}) });
        if (op === "replace" && rule?.dataBearing) {
            const p = replaceReasons[0] ?? "type";
            const path = p
                .split(/\.|\[|\]/)
                .filter(Boolean)
                .map((k) => (/^\d+$/.test(k) ? Number(k) : k));
            destructive.push({
                urn,
                type: b.type,
                op,
                property: p,
                old: get(a.inputs, path),
                new: get(b.inputs, path),
                why: `replaced (${p} forces a new resource): ${rule.holds}`,
            });
        }
        if (op === "update") for (const f of inPlaceLosses(b.type, a.inputs, b.inputs, opts)) destructive.push({ urn, type: b.type, op, ...f });
    }
    for (const [urn, a] of before) {
        if (after.has(urn) || matched.has(urn)) continue;
        steps.push({ op: "delete", urn, type: a.type, diffReasons: [], replaceReasons: [] });
        const rule = ruleFor(a.type);
        if (rule?.dataBearing)
            destructive.push({
                urn,
                type: a.type,
                op: "delete",
                property: "(resource)",
                old: a.inputs.name ?? a.inputs.metadata ?? urn.split("::").pop(),
                new: undefined,
                why: `deleted: ${rule.holds}`,
            });
    }
    const counts: Record<Op, number> = { create: 0, update: 0, replace: 0, delete: 0, same: 0 };
    for (const s of steps) counts[s.op]++;
    return { steps, destructive, counts };
}

/** Exit 4 when a prod stack has a destructive change and it was not allowed. */
export function destructiveExit(diff: PlanDiff | undefined, environment: string, allowDestructive: boolean): boolean {
    return !!diff && diff.destructive.length > 0 && environment === "prod" && !allowDestructive;
}

const short = (v: unknown) => {
    const s = typeof v === "string" ? v : JSON.stringify(v);
    return s === undefined ? "(none)" : s.length > 80 ? s.slice(0, 77) + "…" : s;
};
const shortUrn = (urn: string) => `${urn.split("::")[2]?.split("$").pop()}::${urn.split("::").slice(3).join("::")}`;

/** Text lines: destructive changes first, then replacements, deletes, updates with their paths, then counts. */
export function renderDiff(diff: PlanDiff, baseName: string, environment: string, allowDestructive: boolean): string[] {
    const out: string[] = [];
    const c = diff.counts;
    out.push(`Changes against ${baseName}: ${c.create} to create, ${c.update} to update, ${c.replace} to replace, ${c.delete} to delete, ${c.same} unchanged.`);
    if (diff.destructive.length) {
        const gate =
            environment !== "prod"
                ? "reported only (not prod)"
                : allowDestructive
                  ? "allowed by --allow-destructive"
                  : "blocks the plan (exit 4); pass --allow-destructive after review";
        out.push("", `DESTRUCTIVE changes (${diff.destructive.length}, ${gate}):`);
        for (const d of diff.destructive)
            out.push(`  ! ${d.op} ${shortUrn(d.urn)}`, `      ${d.property}: ${short(d.old)} → ${short(d.new)}`, `      ${d.why}`);
    }
    const list = (op: Op, title: string, detail: (s: StepDiff) => string) => {
        const steps = diff.steps.filter((s) => s.op === op);
        if (!steps.length) return;
        out.push("", `${title} (${steps.length}):`);
        for (const s of steps) out.push(`  ${shortUrn(s.urn)}${detail(s)}`);
    };
    list("replace", "Replacements", (s) => `\n      forced by: ${s.replaceReasons.join(", ") || "type change"}`);
    list("delete", "Deletes", () => "");
    list(
        "update",
        "Updates",
        (s) => `\n      ${s.diffReasons.slice(0, 8).join(", ")}${s.diffReasons.length > 8 ? `, … (${s.diffReasons.length - 8} more)` : ""}`,
    );
    if (c.create) out.push("", `Creates: ${c.create}`);
    return out;
}

/** The same, as Markdown for the pull-request comment. */
export function diffMarkdown(diff: PlanDiff, environment: string, allowDestructive: boolean): string {
    const c = diff.counts;
    const cell = (v: unknown) => short(v).replace(/\|/g, "\\|");
    const out = [
        "### Changes against the base plan",
        "",
        `**${c.create}** to create · **${c.update}** to update · **${c.replace}** to replace · **${c.delete}** to delete · ${c.same} unchanged`,
    ];
    if (diff.destructive.length) {
        const gate =
            environment !== "prod"
                ? "reported (not prod)"
                : allowDestructive
                  ? "allowed"
                  : "❌ blocks the merge unless a maintainer applies the `allow-destructive` label";
        out.push(
            "",
            `#### ⚠️ Destructive changes (${diff.destructive.length}): ${gate}`,
            "",
            "| Op | Resource | Property | Old | New | Why |",
            "|---|---|---|---|---|---|",
        );
        for (const d of diff.destructive) out.push(`| ${d.op} | \`${shortUrn(d.urn)}\` | \`${d.property}\` | ${cell(d.old)} | ${cell(d.new)} | ${d.why} |`);
    }
    const rows = diff.steps.filter((s) => s.op === "replace" || s.op === "delete" || s.op === "update");
    if (rows.length) {
        out.push("", "| Op | Resource | Changed inputs |", "|---|---|---|");
        for (const op of ["replace", "delete", "update"] as Op[]) {
            for (const s of rows.filter((r) => r.op === op))
                out.push(
                    `| ${op} | \`${shortUrn(s.urn)}\` | ${(op === "replace" ? s.replaceReasons : s.diffReasons)
                        .slice(0, 6)
                        .map((p) => `\`${p}\``)
                        .join(", ")} |`,
                );
        }
    }
    return out.join("\n");
}
