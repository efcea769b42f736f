import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";

/** The chart defaults kept beside the project (read-only data; see ../shared/charts/README.md). */
const CHARTS_DIR = path.resolve(__dirname, "../../../shared/charts");

type Obj = Record<string, any>;
const isMap = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

/** A chart's default values.yaml (`folder` below ../shared/charts, e.g. "keda" or "kube-prometheus-stack/charts/grafana"). */
export function chartDefaults(folder: string): Obj {
    return YAML.parse(fs.readFileSync(path.join(CHARTS_DIR, folder, "values.yaml"), "utf8")) ?? {};
}

/**
 * Helm's coalescing of user values over chart defaults (helm.sh/helm/v3/pkg/chartutil/coalesce.go): maps merge
 * key by key, any other value (lists included) replaces the default, and a user `null` deletes the key.
 */
export function helmMerge(defaults: unknown, values: unknown): any {
    if (!isMap(values)) return values === undefined ? defaults : values;
    const out: Obj = isMap(defaults) ? { ...defaults } : {};
    for (const [k, v] of Object.entries(values)) {
        if (v === null) delete out[k];
        else out[k] = isMap(v) && isMap(out[k]) ? helmMerge(out[k], v) : helmMerge(undefined, v);
    }
    return out;
}
