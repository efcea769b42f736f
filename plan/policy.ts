import type { EnforcementLevel, PolicyResource, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { CapturedResource, reveal } from "./capture";

export interface Diagnostic {
    policyName: string;
    policyPackName: string;
    enforcementLevel: EnforcementLevel;
    urn?: string;
    message: string;
}

export type AnyPolicy = ResourceValidationPolicy | StackValidationPolicy;

class NotApplicable {
    constructor(readonly reason?: string) {}
}

function options(r: CapturedResource) {
    return {
        protect: r.protect,
        ignoreChanges: r.ignoreChanges,
        deleteBeforeReplace: r.deleteBeforeReplace,
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
        parent: r.parent,
    };
}

function common(config: object) {
    return {
        stackTags: new Map<string, string>(),
        getConfig: <T extends object>() => config as T,
        notApplicable: (reason?: string): never => { throw new NotApplicable(reason); },
    };
}

/** Resource validation arguments as the engine builds them, for a captured resource (or one written by hand in tests). */
export function resourceArgs(r: CapturedResource, config: object = {}): ResourceValidationArgs {
    return {
        type: r.type,
        props: reveal(r.inputs) as Record<string, any>,
        urn: r.urn,
        name: r.name,
        opts: options(r),
        ...common(config),
        isType: (cls: any) => r.type === cls.__pulumiType,
        asType: (cls: any) => (r.type === cls.__pulumiType ? (reveal(r.inputs) as any) : undefined),
    };
}

export function stackArgs(resources: CapturedResource[], config: object = {}): StackValidationArgs {
    const byUrn = new Map<string, PolicyResource>();
    const list: PolicyResource[] = resources.map((r) => {
        const pr: PolicyResource = {
            type: r.type, props: reveal(r.inputs) as Record<string, any>, urn: r.urn, name: r.name, opts: options(r), dependencies: [], propertyDependencies: {},
            isType: (cls: any) => r.type === cls.__pulumiType,
            asType: (cls: any) => (r.type === cls.__pulumiType ? (reveal(r.inputs) as any) : undefined),
        } as unknown as PolicyResource;
        byUrn.set(r.urn, pr);
        return pr;
    });
    resources.forEach((r, i) => {
        (list[i] as any).parent = r.parent ? byUrn.get(r.parent) : undefined;
        (list[i] as any).dependencies = r.dependencies.map((u) => byUrn.get(u)).filter(Boolean);
    });
    return { resources: list, ...common(config) };
}

/** Runs a policy pack in-process over the captured graph, as `pulumi preview --policy-pack` would. */
export async function runPolicies(packName: string, policies: AnyPolicy[], resources: CapturedResource[], config: object = {}): Promise<Diagnostic[]> {
    const out: Diagnostic[] = [];
    for (const p of policies) {
        const level: EnforcementLevel = p.enforcementLevel ?? "advisory";
        if (level === "disabled") continue;
        const report = (urn?: string) => (message: string, violationUrn?: string) =>
            out.push({ policyName: p.name, policyPackName: packName, enforcementLevel: level, urn: violationUrn ?? urn, message: `${p.description}\n${message}`.trim() });
        if ("validateResource" in p && p.validateResource) {
            const fns = Array.isArray(p.validateResource) ? p.validateResource : [p.validateResource];
            for (const r of resources) {
                for (const fn of fns) {
                    try {
                        await fn(resourceArgs(r, config), report(r.urn));
                    } catch (e) {
                        if (!(e instanceof NotApplicable)) throw e;
                    }
                }
            }
        }
        if ("validateStack" in p && p.validateStack) {
            try {
                await p.validateStack(stackArgs(resources, config), report(undefined));
            } catch (e) {
                if (!(e instanceof NotApplicable)) throw e;
            }
        }
    }
    return out;
}
