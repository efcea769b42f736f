import type { PolicyConfigSchema, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";

/** The environment a stack is, as passed with `--policy-pack-config policy/config.<env>.json`. */
export interface GuardrailConfig {
    environment: "staging" | "prod";
}

/**
 * Policies that read the environment declare this schema, so the engine validates the pack config.
 * Without config a stack is treated as prod: the strict rules apply unless told otherwise (fail closed).
 */
export const ENV_SCHEMA: PolicyConfigSchema = {
    properties: { environment: { type: "string", enum: ["staging", "prod"], default: "prod" } },
};

export function environmentOf(args: Pick<ResourceValidationArgs | StackValidationArgs, "getConfig">): "staging" | "prod" {
    return args.getConfig<Partial<GuardrailConfig>>()?.environment === "staging" ? "staging" : "prod";
}

/** Value at a dotted path of plain data (inputs); undefined when any step is missing. */
export function at(obj: unknown, path: string): any {
    let cur: any = obj;
    for (const key of path.split(".")) {
        if (cur === null || typeof cur !== "object") return undefined;
        cur = cur[key];
    }
    return cur;
}

export function asArray<T = any>(v: unknown): T[] {
    if (v === undefined || v === null) return [];
    return (Array.isArray(v) ? v : [v]) as T[];
}

/** Short resource label for messages. */
export function describe(args: { type: string; name: string }): string {
    return `${args.type} "${args.name}"`;
}

/** Parses an IAM-style policy document given as JSON text or object. */
export function parseDocument(v: unknown): any {
    if (typeof v === "string") {
        try {
            return JSON.parse(v);
        } catch {
            return undefined;
        }
    }
    return v;
}

/** Strimzi custom resource types, any served API version (v1, v1beta2). */
export function isStrimzi(type: string, kind: string): boolean {
    return new RegExp(`^kubernetes:kafka\\.strimzi\\.io/v[0-9a-z]+:${kind}$`).test(type);
}

// The policy SDK's own error for reading a value unknown during preview (internal to @pulumi/policy; its typings
// omit it). A policy that catches it must rethrow it when it cannot decide: the engine then reports the policy as
// not run, never as passed.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { UnknownValueError } = require("@pulumi/policy/proxy") as { UnknownValueError: new (...args: never[]) => Error };

export function isUnknownValueError(e: unknown): e is Error {
    return e instanceof UnknownValueError;
}

/** The value `read` returns, or `unknown` when it reads a value not known during preview. */
export function known<T>(read: () => T): { value: T } | "unknown" {
    try {
        return { value: read() };
    } catch (e) {
        if (isUnknownValueError(e)) return "unknown";
        throw e;
    }
}
