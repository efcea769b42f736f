import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";

/** The shared chart defaults (read-only data next to the repository; never copied into it). */
export const CHARTS_DIR = path.resolve(__dirname, "../../../shared/charts");

/** A chart's default values.yaml, e.g. "keda" or "kube-prometheus-stack/charts/grafana". */
export function chartDefaults(chart: string): Record<string, any> {
    return YAML.parse(fs.readFileSync(path.join(CHARTS_DIR, chart, "values.yaml"), "utf8")) as Record<string, any>;
}

/** Helm's merge of user values over chart defaults: maps deep-merge, everything else replaces. */
export function helmMerge(defaults: unknown, values: unknown): any {
    if (values === undefined) return defaults;
    const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
    if (!isMap(defaults) || !isMap(values)) return values;
    const out: Record<string, unknown> = { ...defaults };
    for (const [k, v] of Object.entries(values)) out[k] = helmMerge(defaults[k], v);
    return out;
}

/** A value at a dotted path. */
export function at(obj: unknown, dotted: string): any {
    return dotted.split(".").reduce<any>((o, k) => (o === undefined || o === null ? undefined : o[k]), obj);
}
