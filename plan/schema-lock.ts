import * as fs from "fs";
import * as path from "path";
import { parseOptions } from "./options";
import { ConfigError } from "../components/config";
import { LAYOUT_LOCK, LayoutLock, loadTableSpecs, lockEntry, REPO_ROOT, SchemaFileError } from "../components/bigquery/tables";
import { tableSelection } from "../components/bigquery/warehouse";
import { loadStack, stackNames } from "./stacks";

export const USAGE = `usage: npm run schema-lock [-- --dir <folder>]

Records the layout (partitioning, clustering) and columns of every table the prod-tier stacks create in
<warehouse.schemaDir>/${LAYOUT_LOCK}. Run it with the change that deploys them: the prod plan then refuses
changes BigQuery cannot make in place (layout, dropped/renamed columns, type changes, NULLABLE → REQUIRED).

exit codes: 0 written, 2 config or schema file error`;

/** The lock files of the prod-tier stacks in `dir`, as they should read (path → content). */
export function schemaLocks(dir: string): Map<string, LayoutLock> {
    const locks = new Map<string, Record<string, unknown>>();
    for (const stack of stackNames(dir)) {
        const cfg = loadStack(stack, dir);
        if (cfg.environment !== "prod") continue;
        const wh = cfg.warehouse;
        const file = path.resolve(REPO_ROOT, wh.schemaDir, LAYOUT_LOCK);
        const lock = locks.get(file) ?? {};
        for (const s of loadTableSpecs(
            wh.schemaDir,
            wh.datasets.map((d) => d.name),
            { tables: tableSelection(cfg) },
        ))
            lock[`${s.dataset}.${s.tableId}`] = lockEntry(s);
        locks.set(file, lock);
    }
    return new Map([...locks].map(([f, l]) => [f, Object.fromEntries(Object.entries(l).sort(([a], [b]) => a.localeCompare(b))) as LayoutLock]));
}

function main(argv: string[]): number {
    const values = parseOptions(argv, { dir: { type: "string", default: process.cwd() }, help: { type: "boolean", short: "h", default: false } }, () => USAGE);
    if (typeof values === "number") return values;
    try {
        for (const [file, lock] of schemaLocks(path.resolve(values.dir!))) {
            fs.writeFileSync(file, JSON.stringify(lock, null, 2) + "\n");
            console.log(`Wrote ${path.relative(process.cwd(), file)} (${Object.keys(lock).length} tables)`);
        }
        return 0;
    } catch (e) {
        if (e instanceof ConfigError || e instanceof SchemaFileError) {
            console.error(`schema-lock: ${e.message}`);
            return 2;
        }
        throw e;
    }
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
