import * as fs from "fs";
import * as path from "path";
import Ajv, { ValidateFunction } from "ajv";
import * as YAML from "yaml";
import { ROOT } from "../../plan/run";

/** Upstream schemas live beside the repository (../shared/schemas); they are read, never copied. */
const SCHEMAS = path.resolve(ROOT, "..", "shared", "schemas");

function read(rel: string): unknown {
    const file = path.join(SCHEMAS, rel);
    if (!fs.existsSync(file)) throw new Error(`upstream schema ${rel} not found under ${SCHEMAS}: check out shared/ beside the repository`);
    const text = fs.readFileSync(file, "utf8");
    return rel.endsWith(".json") ? JSON.parse(text) : YAML.parse(text);
}

/** ajv that understands the Kubernetes structural-schema extensions. */
function kubernetesAjv(): Ajv {
    const ajv = new Ajv({ strict: false, allErrors: true });
    // OpenAPI formats used by CRDs: integer widths are checked, the others are not constraints for us.
    ajv.addFormat("int32", { type: "number", validate: (n: number) => Number.isInteger(n) && Math.abs(n) < 2 ** 31 });
    ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isInteger(n) });
    for (const f of ["date-time", "date", "byte", "double", "float", "duration", "uri", "email", "hostname", "password"]) ajv.addFormat(f, true);
    ajv.addKeyword({
        keyword: "x-kubernetes-int-or-string",
        // The keyword widens `type`; CRDs with it omit `type`, so only reject values that are neither.
        validate: (on: boolean, data: unknown) => !on || typeof data === "string" || Number.isInteger(data),
        errors: false,
    });
    for (const k of [
        "x-kubernetes-preserve-unknown-fields",
        "x-kubernetes-list-type",
        "x-kubernetes-list-map-keys",
        "x-kubernetes-map-type",
        "x-kubernetes-embedded-resource",
        "x-kubernetes-validations",
    ]) {
        ajv.addKeyword({ keyword: k });
    }
    return ajv;
}

const cache = new Map<string, ValidateFunction>();

/** Validator for the served version's openAPIV3Schema of a CRD file (e.g. strimzi/040-Crd-kafka.yaml, version v1). */
export function crdValidator(rel: string, version: string): ValidateFunction {
    const key = `${rel}@${version}`;
    let v = cache.get(key);
    if (!v) {
        const crd = read(rel) as { spec: { versions: { name: string; served: boolean; schema: { openAPIV3Schema: object } }[] } };
        const ver = crd.spec.versions.find((x) => x.name === version && x.served);
        if (!ver)
            throw new Error(
                `${rel} serves no version ${version} (served: ${crd.spec.versions
                    .filter((x) => x.served)
                    .map((x) => x.name)
                    .join(", ")})`,
            );
        v = kubernetesAjv().compile(ver.schema.openAPIV3Schema);
        cache.set(key, v);
    }
    return v;
}

/** Validator for a chart's values.schema.json (e.g. airflow-chart/values.schema.json). */
export function jsonSchemaValidator(rel: string): ValidateFunction {
    let v = cache.get(rel);
    if (!v) {
        v = kubernetesAjv().compile(read(rel) as object);
        cache.set(rel, v);
    }
    return v;
}

export function readSchema(rel: string): unknown {
    return read(rel);
}

/** Readable ajv errors for assertion messages. */
export function errorsOf(v: ValidateFunction): string {
    return (v.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}${e.params ? " " + JSON.stringify(e.params) : ""}`).join("\n");
}

/**
 * Fields the API server would silently prune: structural schemas drop unknown fields instead of rejecting
 * them, so ajv alone would accept a misspelt or removed (v1beta2-only) field.
 */
export function prunedFields(schema: any, value: unknown, path = ""): string[] {
    if (!schema || value === null || typeof value !== "object" || schema["x-kubernetes-preserve-unknown-fields"]) return [];
    if (Array.isArray(value)) return schema.items ? value.flatMap((v, i) => prunedFields(schema.items, v, `${path}[${i}]`)) : [];
    const out: string[] = [];
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (schema.properties?.[k]) out.push(...prunedFields(schema.properties[k], v, `${path}.${k}`));
        else if (schema.additionalProperties) out.push(...prunedFields(schema.additionalProperties, v, `${path}.${k}`));
        else if (path !== ".metadata") out.push(`${path}.${k}`);
    }
    return out;
}

/** The served version's openAPIV3Schema of a CRD file. */
export function servedSchema(rel: string, version: string): any {
    const crd = read(rel) as { spec: { versions: { name: string; served: boolean; schema: { openAPIV3Schema: unknown } }[] } };
    return crd.spec.versions.find((v) => v.name === version && v.served)?.schema.openAPIV3Schema;
}
