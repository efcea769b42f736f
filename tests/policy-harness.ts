import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import type { CapturedResource } from "../plan/capture";
import { resourceArgs, stackArgs } from "../plan/policy";

/** A hand-written resource as the plan captures it. */
export function res(type: string, inputs: Record<string, unknown>, extra: Partial<CapturedResource> = {}): CapturedResource {
    const name = extra.name ?? "r";
    return {
        type,
        name,
        urn: `urn:pulumi:test::dataplatform::${type}::${name}`,
        custom: true,
        dependencies: [],
        propertyDependencies: {},
        protect: false,
        retainOnDelete: false,
        ignoreChanges: [],
        deleteBeforeReplace: false,
        replaceOnChanges: [],
        aliases: [],
        inputs,
        ...extra,
    };
}

export const NA = "not applicable";

function outcome(e: unknown, messages: string[]): string[] | typeof NA {
    if (e && (e as object).constructor?.name === "NotApplicable") return NA;
    if (e) throw e;
    return messages;
}

/** Violation messages of one resource policy, or NA when it called notApplicable. */
export async function checkResource(p: ResourceValidationPolicy, r: CapturedResource, config: object = {}): Promise<string[] | typeof NA> {
    const messages: string[] = [];
    const fns = Array.isArray(p.validateResource) ? p.validateResource : [p.validateResource];
    try {
        for (const fn of fns) if (fn) await fn(resourceArgs(r, config), (m) => messages.push(m));
    } catch (e) {
        return outcome(e, messages);
    }
    return messages;
}

/** Violations (message and urn) of one stack policy, or NA. */
export async function checkStack(
    p: StackValidationPolicy,
    rs: CapturedResource[],
    config: object = {},
): Promise<{ message: string; urn?: string }[] | typeof NA> {
    const out: { message: string; urn?: string }[] = [];
    try {
        await p.validateStack(stackArgs(rs, config), (message, urn) => out.push({ message, urn }));
    } catch (e) {
        const o = outcome(e, []);
        if (o === NA) return NA;
    }
    return out;
}

export const PROD = { environment: "prod" } as const;
export const STAGING = { environment: "staging" } as const;
