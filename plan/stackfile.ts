import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";

export interface StackFile {
    /** Config as the engine hands it to the program: `namespace:key` → string (JSON for objects). */
    config: Record<string, string>;
    /** Keys whose values were `secure:`. */
    secretKeys: string[];
    /** Secure keys replaced by an offline placeholder (they cannot be decrypted without the stack's secrets provider). */
    placeholders: string[];
}

import { PLACEHOLDER } from "../components/config";

/** A stack file that is missing or not YAML. */
export class StackFileError extends Error {}

/** Raw YAML config map of a stack file (values still structured), for tests that derive variants. */
export function readStackYaml(stack: string, dir = process.cwd()): Record<string, unknown> {
    const file = path.join(dir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) {
        const known = fs
            .readdirSync(dir)
            .filter((f) => /^Pulumi\..+\.yaml$/.test(f))
            .map((f) => f.slice(7, -5));
        throw new StackFileError(`no stack file ${path.basename(file)}; known stacks: ${known.join(", ")}`);
    }
    let doc;
    try {
        doc = YAML.parse(fs.readFileSync(file, "utf8")) ?? {};
    } catch (e) {
        throw new StackFileError(`${path.basename(file)} is not valid YAML: ${(e as Error).message}`);
    }
    return (doc.config ?? {}) as Record<string, unknown>;
}

/** Turns a stack file's config into what the engine would pass, with secure values as marked placeholders. */
export function toEngineConfig(raw: Record<string, unknown>): StackFile {
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    const placeholders: string[] = [];
    for (const [key, value] of Object.entries(raw)) {
        if (isSecure(value)) {
            config[key] = PLACEHOLDER;
            secretKeys.push(key);
            placeholders.push(key);
        } else if (containsSecure(value)) {
            // A nested secure value makes the whole key secret, as the engine does.
            config[key] = JSON.stringify(replaceSecure(value));
            secretKeys.push(key);
            placeholders.push(key);
        } else {
            config[key] = typeof value === "string" ? value : JSON.stringify(value);
        }
    }
    return { config, secretKeys, placeholders };
}

function isSecure(v: unknown): boolean {
    return v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 1 && "secure" in v;
}
function containsSecure(v: unknown): boolean {
    if (isSecure(v)) return true;
    if (v !== null && typeof v === "object") return Object.values(v).some(containsSecure);
    return false;
}
function replaceSecure(v: unknown): unknown {
    if (isSecure(v)) return PLACEHOLDER;
    if (Array.isArray(v)) return v.map(replaceSecure);
    if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, replaceSecure(x)]));
    return v;
}
