import type {
    EnforcementLevel,
    PolicyResource,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import { CapturedResource, policyView } from "./capture";

// The policy SDK's own view of resource properties: reading an unknown value throws UnknownValueError, as in a
// real `pulumi preview` (internal to @pulumi/policy; its typings omit it).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { unknownCheckingProxy, UnknownValueError } = require("@pulumi/policy/proxy") as {
    unknownCheckingProxy<T extends object>(o: T): T;
    UnknownValueError: new (...args: never[]) => Error;
};

/** Properties as the policy engine hands them over: secrets in clear, unknowns that throw when read. */
function props(r: CapturedResource): Record<string, any> {
    return unknownCheckingProxy(policyView(r.inputs) as Record<string, any>);
}

export interface Diagnostic {
    policyName: string;
    policyPackName: string;
    enforcementLevel: EnforcementLevel;
    urn?: string;
    message: string;
    /** The policy read a value unknown until the update: it could not decide (never a pass). */
    undecided?: boolean;
}

/** Prefix of a finding for a policy that read a value unknown until the update. */
export const UNDECIDED = "could not decide during preview";

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
        notApplicable: (reason?: string): never => {
            throw new NotApplicable(reason);
        },
    };
}

/** Resource validation arguments as the engine builds them, for a captured resource (or one written by hand in tests). */
export function resourceArgs(r: CapturedResource, config: object = {}): ResourceValidationArgs {
    return {
        type: r.type,
        props: props(r),
        urn: r.urn,
        name: r.name,
        opts: options(r),
        ...common(config),
        isType: (cls: any) => r.type === cls.__pulumiType,
        asType: (cls: any) => (r.type === cls.__pulumiType ? (props(r) as any) : undefined),
    };
}

export function stackArgs(resources: CapturedResource[], config: object = {}): StackValidationArgs {
    const byUrn = new Map<string, PolicyResource>();
    const list: PolicyResource[] = resources.map((r) => {
        const pr: PolicyResource = {
            type: r.type,
            props: props(r),
            urn: r.urn,
            name: r.name,
            opts: options(r),
            dependencies: [],
            propertyDependencies: {},
            isType: (cls: any) => r.type === cls.__pulumiType,
            asType: (cls: any) => (r.type === cls.__pulumiType ? (props(r) as any) : undefined),
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

/**
 * Policy name → why it does not apply to this stack: every resource (or the stack) it saw was declared not applicable
 * by the policy's own type check (`args.notApplicable`, https://www.pulumi.com/docs/iac/using-pulumi/crossguard/core-concepts/),
 * so it checked nothing: an EKS rule on a GKE stack, the prod rules on a staging stack. Such a policy is no pass.
 */
export type NotApplicableMap = Map<string, string>;

/** Why a policy applied nowhere: the one reason it gave, or that the stack has none of its resource types. */
function whyNotApplicable(reasons: Set<string | undefined>): string {
    const given = [...reasons].filter((r): r is string => !!r);
    return given.length === 1 && !reasons.has(undefined) ? given[0] : "no resource of the types it checks";
}

/**
 * Runs a policy pack in-process over the captured graph, as `pulumi preview --policy-pack` would. With
 * `notApplicable`, records the policies that applied to nothing (see NotApplicableMap).
 */
export async function runPolicies(
    packName: string,
    policies: AnyPolicy[],
    resources: CapturedResource[],
    config: object = {},
    notApplicable?: NotApplicableMap,
): Promise<Diagnostic[]> {
    const out: Diagnostic[] = [];
    // The engine reports these as advisory "can't run during preview"; a policy that cannot decide is no pass,
    // so the finding keeps the policy's own level.
    const undecided = (p: AnyPolicy, level: EnforcementLevel, urn: string | undefined, e: Error) =>
        out.push({
            policyName: p.name,
            policyPackName: packName,
            enforcementLevel: level,
            urn,
            message: `${p.description}\n${UNDECIDED}: ${e.message}`.trim(),
            undecided: true,
        });
    for (const p of policies) {
        const level: EnforcementLevel = p.enforcementLevel ?? "advisory";
        if (level === "disabled") continue;
        let applied = false;
        const reasons = new Set<string | undefined>();
        const skipped = (e: unknown) => {
            if (!(e instanceof NotApplicable)) throw e;
            reasons.add(e.reason);
        };
        const report = (urn?: string) => (message: string, violationUrn?: string) =>
            out.push({
                policyName: p.name,
                policyPackName: packName,
                enforcementLevel: level,
                urn: violationUrn ?? urn,
                message: `${p.description}\n${message}`.trim(),
            });
        if ("validateResource" in p && p.validateResource) {
            const fns = Array.isArray(p.validateResource) ? p.validateResource : [p.validateResource];
            for (const r of resources) {
                for (const fn of fns) {
                    try {
                        await fn(resourceArgs(r, config), report(r.urn));
                        applied = true;
                    } catch (e) {
                        if (e instanceof UnknownValueError) {
                            undecided(p, level, r.urn, e);
                            applied = true;
                        } else skipped(e);
                    }
                }
            }
        }
        if ("validateStack" in p && p.validateStack) {
            try {
                await p.validateStack(stackArgs(resources, config), report(undefined));
                applied = true;
            } catch (e) {
                if (e instanceof UnknownValueError) {
                    undecided(p, level, undefined, e);
                    applied = true;
                } else skipped(e);
            }
        }
        if (!applied) notApplicable?.set(p.name, whyNotApplicable(reasons));
    }
    return out;
}
