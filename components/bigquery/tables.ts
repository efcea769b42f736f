import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";

/** Project root (the folder with Pulumi.yaml): schema folders in config are relative to it, also from compiled output. */
export const REPO_ROOT = projectRoot(__dirname);

function projectRoot(from: string): string {
    for (let dir = from; ; dir = path.dirname(dir)) {
        if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
        if (path.dirname(dir) === dir) return process.cwd();
    }
}
/** Prod table layouts (partitioning, clustering) that may not change: a change would replace the table. */
export const LAYOUT_LOCK = "prod-layout.lock.json";

const FIELD_TYPES = [
    "STRING",
    "BYTES",
    "INTEGER",
    "INT64",
    "FLOAT",
    "FLOAT64",
    "NUMERIC",
    "BIGNUMERIC",
    "BOOLEAN",
    "BOOL",
    "TIMESTAMP",
    "DATE",
    "TIME",
    "DATETIME",
    "GEOGRAPHY",
    "JSON",
    "RECORD",
    "STRUCT",
    "INTERVAL",
] as const;
/** Types BigQuery accepts as clustering columns. */
const CLUSTERABLE = new Set(["STRING", "INTEGER", "INT64", "NUMERIC", "BIGNUMERIC", "BOOLEAN", "BOOL", "TIMESTAMP", "DATE", "DATETIME", "GEOGRAPHY"]);
const MAX_CLUSTERING = 4;

interface FieldSpec {
    name: string;
    type: (typeof FIELD_TYPES)[number];
    mode: "NULLABLE" | "REQUIRED" | "REPEATED";
    description: string;
    fields?: FieldSpec[];
    /** Other keys of the BigQuery TableFieldSchema (as `bq show --schema` prints them), passed through. */
    extra?: Record<string, unknown>;
}

/** TableFieldSchema keys besides the ones above, kept as they are (cloud.google.com/bigquery/docs/reference/rest/v2/tables#TableFieldSchema). */
const BQ_EXTRA_KEYS = ["maxLength", "precision", "scale", "defaultValueExpression", "collation", "roundingMode", "policyTags"] as const;
const upper = (v: unknown) => (typeof v === "string" ? v.toUpperCase() : v);

const fieldSchema: z.ZodType<FieldSpec> = z.lazy(() =>
    z.preprocess(
        (v) => {
            // `bq show --schema` prints lower-case types and modes at times and omits NULLABLE modes.
            if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
            const o = v as Record<string, unknown>;
            const extra = Object.fromEntries(BQ_EXTRA_KEYS.filter((k) => k in o).map((k) => [k, o[k]]));
            const rest = Object.fromEntries(Object.entries(o).filter(([k]) => !(BQ_EXTRA_KEYS as readonly string[]).includes(k)));
            return { ...rest, type: upper(o.type), ...(o.mode !== undefined ? { mode: upper(o.mode) } : {}), ...(Object.keys(extra).length ? { extra } : {}) };
        },
        z.strictObject({
            name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,299}$/, "must be a column name (letters, digits, '_')"),
            type: z.enum(FIELD_TYPES),
            mode: z.enum(["NULLABLE", "REQUIRED", "REPEATED"]).default("NULLABLE"),
            description: z.string().min(1, "is required: every column is documented"),
            fields: z.array(fieldSchema).min(1).optional(),
            extra: z.record(z.string(), z.unknown()).optional(),
        }),
    ),
) as unknown as z.ZodType<FieldSpec>;

const tableFileSchema = z.strictObject({
    description: z.string().min(1),
    timePartitioning: z.strictObject({
        type: z.literal("DAY"),
        /** An event timestamp/date column: queries prune by day. */
        field: z.string(),
        expirationDays: z.number().int().positive().optional(),
    }),
    clustering: z.array(z.string()).default([]),
    requirePartitionFilter: z.boolean().default(true),
    fields: z.array(fieldSchema).min(1),
});

/** Everything a BigQuery table needs, from one schema file. */
export interface TableSpec {
    dataset: string;
    tableId: string;
    /** Path relative to the repository root, for messages. */
    file: string;
    description: string;
    /** The BigQuery JSON schema, canonical (upper-case types, explicit modes). */
    schema: string;
    timePartitioning: { type: "DAY"; field: string; expirationMs?: number };
    clusterings: string[];
    requirePartitionFilter: boolean;
}

/** Bad schema files: every problem, each naming its file. */
export class SchemaFileError extends pulumi.RunError {
    constructor(readonly problems: readonly string[]) {
        super(`invalid BigQuery schema files (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` + problems.map((p) => `  - ${p}`).join("\n"));
        this.name = "SchemaFileError";
    }
}

function canonical(fields: FieldSpec[]): unknown[] {
    return fields.map((f) => ({
        name: f.name,
        type: f.type,
        mode: f.mode,
        description: f.description,
        ...(f.extra ?? {}),
        ...(f.fields ? { fields: canonical(f.fields) } : {}),
    }));
}

/** `fields.3.description` → `fields[3] (customer_id).description`: the column's name, not only its index. */
function fieldPath(path: readonly PropertyKey[], json: unknown): string {
    let node: unknown = json;
    let out = "";
    for (const k of path) {
        node = node !== null && typeof node === "object" ? (node as Record<PropertyKey, unknown>)[k] : undefined;
        if (typeof k === "number") {
            const n = node !== null && typeof node === "object" ? (node as Record<string, unknown>).name : undefined;
            out += `[${k}]${typeof n === "string" ? ` (${n})` : ""}`;
        } else out += (out ? "." : "") + String(k);
    }
    return out || "(file)";
}

/** Parses and validates one table file; returns the spec or the problems (each prefixed with the file). */
export function parseTableFile(file: string, text: string): { spec?: TableSpec; problems: string[] } {
    const parts = file.split(/[\\/]/);
    const tableId = path.basename(file, ".json");
    const dataset = parts[parts.length - 2] ?? "";
    const problems: string[] = [];
    const bad = (what: string) => problems.push(`${file}: ${what}`);
    if (!/^[a-z][a-z0-9_]{0,127}$/.test(tableId)) bad(`file name '${tableId}' must be a table id of lower-case letters, digits and '_'`);

    let json: unknown;
    try {
        json = JSON.parse(text);
    } catch (e) {
        bad(`is not valid JSON (${(e as Error).message})`);
        return { problems };
    }
    if (Array.isArray(json)) {
        bad(
            "is a bare column list (as `bq show --schema` prints it); a table file wraps it: " +
                `{ "description": "...", "timePartitioning": { "type": "DAY", "field": "<a TIMESTAMP or DATE column>" }, "clustering": ["<column>"], "fields": <that list> } (README: BigQuery tables)`,
        );
        return { problems };
    }
    const res = tableFileSchema.safeParse(json);
    if (!res.success) {
        for (const i of res.error.issues) bad(`${fieldPath(i.path, json)}: ${i.message}`);
        return { problems };
    }
    const t = res.data;
    const top = new Map<string, FieldSpec>();
    const checkNames = (fields: FieldSpec[], where: string) => {
        const seen = new Set<string>();
        for (const f of fields) {
            const k = f.name.toLowerCase();
            if (seen.has(k)) bad(`${where}${f.name}: duplicate column (names are case-insensitive)`);
            seen.add(k);
            const nested = f.type === "RECORD" || f.type === "STRUCT";
            if (nested && !f.fields) bad(`${where}${f.name}: a ${f.type} column needs 'fields'`);
            if (!nested && f.fields) bad(`${where}${f.name}: only RECORD/STRUCT columns have 'fields'`);
            if (f.fields) checkNames(f.fields, `${where}${f.name}.`);
        }
    };
    checkNames(t.fields, "fields.");
    for (const f of t.fields) top.set(f.name, f);

    const pf = top.get(t.timePartitioning.field);
    if (!pf) bad(`timePartitioning.field '${t.timePartitioning.field}' is not a top-level column`);
    else if (pf.type !== "TIMESTAMP" && pf.type !== "DATE") bad(`timePartitioning.field '${pf.name}' is ${pf.type}; it must be TIMESTAMP or DATE`);
    else if (pf.mode === "REPEATED") bad(`timePartitioning.field '${pf.name}' must not be REPEATED`);

    if (t.clustering.length > MAX_CLUSTERING) bad(`clustering has ${t.clustering.length} columns; BigQuery allows at most ${MAX_CLUSTERING}`);
    if (new Set(t.clustering).size !== t.clustering.length) bad(`clustering lists a column twice`);
    for (const c of t.clustering) {
        const f = top.get(c);
        if (!f) bad(`clustering column '${c}' is not a top-level column`);
        else if (f.mode === "REPEATED" || !CLUSTERABLE.has(f.type)) bad(`clustering column '${c}' (${f.mode} ${f.type}) cannot cluster a table`);
    }
    if (problems.length > 0) return { problems };
    return {
        problems,
        spec: {
            dataset,
            tableId,
            file,
            description: t.description,
            schema: JSON.stringify(canonical(t.fields)),
            timePartitioning: {
                type: "DAY",
                field: t.timePartitioning.field,
                ...(t.timePartitioning.expirationDays ? { expirationMs: t.timePartitioning.expirationDays * 86_400_000 } : {}),
            },
            clusterings: t.clustering,
            requirePartitionFilter: t.requirePartitionFilter,
        },
    };
}

/** Partitioning and clustering of a table, as recorded in the layout lock. */
function layoutOf(s: Pick<TableSpec, "timePartitioning" | "clusterings">): string {
    return `DAY(${s.timePartitioning.field}) CLUSTER BY (${s.clusterings.join(", ")})`;
}

/** A prod table as recorded by `npm run schema-lock`: its layout and its columns (older locks hold the layout only). */
export interface LockEntry {
    layout: string;
    columns?: Record<string, string>;
}
export type LayoutLock = Readonly<Record<string, string | LockEntry>>;

const SYNONYMS: Record<string, string> = { INT64: "INTEGER", FLOAT64: "FLOAT", BOOL: "BOOLEAN", STRUCT: "RECORD" };

/** Columns of a table, nested ones dotted: `kafka.topic` → `STRING REQUIRED` (type synonyms folded). */
function columnsOf(s: Pick<TableSpec, "schema">): Record<string, string> {
    const out: Record<string, string> = {};
    const walk = (fields: { name: string; type: string; mode: string; fields?: unknown[] }[], prefix: string) => {
        for (const f of fields) {
            out[prefix + f.name] = `${SYNONYMS[f.type] ?? f.type} ${f.mode}`;
            if (f.fields) walk(f.fields as typeof fields, `${prefix}${f.name}.`);
        }
    };
    walk(JSON.parse(s.schema), "");
    return out;
}

export function lockEntry(s: TableSpec): LockEntry {
    return { layout: layoutOf(s), columns: columnsOf(s) };
}

/**
 * Column changes a deployed prod table can take in place, per BigQuery's schema-modification rules
 * (cloud.google.com/bigquery/docs/managing-table-schemas): new NULLABLE or REPEATED columns, REQUIRED relaxed to
 * NULLABLE. Anything else (drop, rename, type or REPEATED change, NULLABLE→REQUIRED, a new REQUIRED column) would
 * fail or make the provider replace the table, dropping its data: refused with the reason.
 */
export function columnChanges(specs: readonly TableSpec[], lock: LayoutLock, lockFile: string): string[] {
    return specs.flatMap((s) => {
        const entry = lock[`${s.dataset}.${s.tableId}`];
        const locked = typeof entry === "object" ? entry.columns : undefined;
        if (!locked) return [];
        const now = columnsOf(s);
        const out: string[] = [];
        const refuse = (col: string, why: string) =>
            out.push(`${s.file}: column ${col} ${why}; refused for a prod table (${lockFile} records the deployed columns)`);
        for (const [col, was] of Object.entries(locked)) {
            const is = now[col];
            const [wasType, wasMode] = was.split(" ");
            if (is === undefined) {
                refuse(col, `(${was}) is dropped or renamed: its data would be lost; keep it and say in its description that it is deprecated`);
                continue;
            }
            const [isType, isMode] = is.split(" ");
            if (isType !== wasType)
                refuse(
                    col,
                    `changes type ${wasType} → ${isType}: BigQuery cannot change it in place, the table would be replaced and its data dropped; add a new column instead`,
                );
            else if (wasMode === "NULLABLE" && isMode === "REQUIRED")
                refuse(col, "changes NULLABLE → REQUIRED: existing rows may hold NULL, BigQuery only relaxes modes");
            else if ((wasMode === "REPEATED") !== (isMode === "REPEATED"))
                refuse(col, `changes ${wasMode} → ${isMode}: BigQuery cannot change a column to or from REPEATED in place`);
        }
        for (const [col, is] of Object.entries(now)) {
            const parent = col.includes(".") ? col.slice(0, col.lastIndexOf(".")) : undefined;
            if (locked[col] === undefined && is.endsWith(" REQUIRED") && (parent === undefined || locked[parent] !== undefined)) {
                refuse(col, "is a new REQUIRED column: existing rows have no value for it; add it as NULLABLE");
            }
        }
        return out;
    });
}

/**
 * Refuses a prod layout change: BigQuery cannot re-partition a table in place, so the provider would replace
 * it and drop its data. Tables not in the lock are new and allowed.
 */
export function layoutChanges(specs: readonly TableSpec[], lock: LayoutLock, lockFile: string): string[] {
    return specs.flatMap((s) => {
        const entry = lock[`${s.dataset}.${s.tableId}`];
        const locked = typeof entry === "object" ? entry.layout : entry;
        if (locked === undefined || locked === layoutOf(s)) return [];
        return [
            `${s.file}: changing partitioning or clustering of a prod table replaces it and drops its data ` +
                `(deployed: ${locked}; file: ${layoutOf(s)}). Create a new table file and migrate with a query, ` +
                `then remove the old one; ${lockFile} records the deployed layouts`,
        ];
    });
}

/**
 * Reads every table file under <root>/<schemaDir>/<dataset>/<table>.json for the configured datasets, keeping
 * the tables `opts.tables` lists for a dataset (all of them when it lists none).
 * In prod, also checks the layout lock. Throws SchemaFileError with every problem.
 */
export interface TableSelection {
    /** Config key that lists the tables, for messages (dataplatform:warehouse.datasets[0].tables). */
    key: string;
    ids: readonly string[];
}

export function loadTableSpecs(
    schemaDir: string,
    datasets: readonly string[],
    opts: { root?: string; prod?: boolean; tables?: Readonly<Record<string, TableSelection | undefined>> } = {},
): TableSpec[] {
    const root = opts.root ?? REPO_ROOT;
    const dir = path.resolve(root, schemaDir);
    const problems: string[] = [];
    const specs: TableSpec[] = [];
    if (!fs.existsSync(dir)) throw new SchemaFileError([`${schemaDir}: folder not found (dataplatform:warehouse.schemaDir)`]);
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
        if (!entry.isDirectory()) continue;
        if (!datasets.includes(entry.name)) {
            problems.push(`${path.join(schemaDir, entry.name)}: '${entry.name}' is not a dataset in dataplatform:warehouse.datasets (${datasets.join(", ")})`);
            continue;
        }
        for (const f of fs
            .readdirSync(path.join(dir, entry.name))
            .filter((n) => n.endsWith(".json"))
            .sort()) {
            const rel = path.join(schemaDir, entry.name, f);
            const res = parseTableFile(rel, fs.readFileSync(path.resolve(root, rel), "utf8"));
            problems.push(...res.problems);
            if (res.spec) specs.push(res.spec);
        }
    }
    // Every file is validated; a stack creates only the tables its config lists (all of a dataset's by default).
    for (const [ds, sel] of Object.entries(opts.tables ?? {})) {
        for (const id of sel?.ids ?? []) {
            if (!specs.some((x) => x.dataset === ds && x.tableId === id))
                problems.push(`${sel!.key}: '${id}' has no schema file ${path.join(schemaDir, ds, `${id}.json`)}`);
        }
    }
    const selected = specs.filter((x) => !opts.tables?.[x.dataset] || opts.tables[x.dataset]!.ids.includes(x.tableId));
    specs.length = 0;
    specs.push(...selected);
    if (opts.prod && problems.length === 0) {
        const lockPath = path.join(dir, LAYOUT_LOCK);
        const lock = fs.existsSync(lockPath) ? (JSON.parse(fs.readFileSync(lockPath, "utf8")) as LayoutLock) : {};
        problems.push(...layoutChanges(specs, lock, path.join(schemaDir, LAYOUT_LOCK)), ...columnChanges(specs, lock, path.join(schemaDir, LAYOUT_LOCK)));
    }
    if (problems.length > 0) throw new SchemaFileError(problems);
    return specs;
}
