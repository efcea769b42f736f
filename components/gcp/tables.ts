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
    "STRING", "BYTES", "INTEGER", "INT64", "FLOAT", "FLOAT64", "NUMERIC", "BIGNUMERIC", "BOOLEAN", "BOOL",
    "TIMESTAMP", "DATE", "TIME", "DATETIME", "GEOGRAPHY", "JSON", "RECORD", "STRUCT", "INTERVAL",
] as const;
/** Types BigQuery accepts as clustering columns. */
const CLUSTERABLE = new Set(["STRING", "INTEGER", "INT64", "NUMERIC", "BIGNUMERIC", "BOOLEAN", "BOOL", "TIMESTAMP", "DATE", "DATETIME", "GEOGRAPHY"]);
export const MAX_CLUSTERING = 4;

export interface FieldSpec {
    name: string;
    type: (typeof FIELD_TYPES)[number];
    mode: "NULLABLE" | "REQUIRED" | "REPEATED";
    description: string;
    fields?: FieldSpec[];
}

const fieldSchema: z.ZodType<FieldSpec> = z.lazy(() =>
    z.strictObject({
        name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,299}$/, "must be a column name (letters, digits, '_')"),
        type: z.enum(FIELD_TYPES),
        mode: z.enum(["NULLABLE", "REQUIRED", "REPEATED"]).default("NULLABLE"),
        description: z.string().min(1, "is required: every column is documented"),
        fields: z.array(fieldSchema).min(1).optional(),
    }),
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
        ...(f.fields ? { fields: canonical(f.fields) } : {}),
    }));
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
    const res = tableFileSchema.safeParse(json);
    if (!res.success) {
        for (const i of res.error.issues) bad(`${i.path.join(".") || "(file)"}: ${i.message}`);
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
export function layoutOf(s: Pick<TableSpec, "timePartitioning" | "clusterings">): string {
    return `DAY(${s.timePartitioning.field}) CLUSTER BY (${s.clusterings.join(", ")})`;
}

/**
 * Refuses a prod layout change: BigQuery cannot re-partition a table in place, so the provider would replace
 * it and drop its data. Tables not in the lock are new and allowed.
 */
export function layoutChanges(specs: readonly TableSpec[], lock: Readonly<Record<string, string>>, lockFile: string): string[] {
    return specs.flatMap((s) => {
        const locked = lock[`${s.dataset}.${s.tableId}`];
        if (locked === undefined || locked === layoutOf(s)) return [];
        return [`${s.file}: changing partitioning or clustering of a prod table replaces it and drops its data ` +
            `(deployed: ${locked}; file: ${layoutOf(s)}). Create a new table file and migrate with a query, ` +
            `then remove the old one; ${lockFile} records the deployed layouts`];
    });
}

/**
 * Reads every table file under <root>/<schemaDir>/<dataset>/<table>.json for the configured datasets.
 * In prod, also checks the layout lock. Throws SchemaFileError with every problem.
 */
export function loadTableSpecs(schemaDir: string, datasets: readonly string[], opts: { root?: string; prod?: boolean } = {}): TableSpec[] {
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
        for (const f of fs.readdirSync(path.join(dir, entry.name)).filter((n) => n.endsWith(".json")).sort()) {
            const rel = path.join(schemaDir, entry.name, f);
            const res = parseTableFile(rel, fs.readFileSync(path.resolve(root, rel), "utf8"));
            problems.push(...res.problems);
            if (res.spec) specs.push(res.spec);
        }
    }
    if (opts.prod && problems.length === 0) {
        const lockPath = path.join(dir, LAYOUT_LOCK);
        const lock = fs.existsSync(lockPath) ? (JSON.parse(fs.readFileSync(lockPath, "utf8")) as Record<string, string>) : {};
        problems.push(...layoutChanges(specs, lock, path.join(schemaDir, LAYOUT_LOCK)));
    }
    if (problems.length > 0) throw new SchemaFileError(problems);
    return specs;
}
