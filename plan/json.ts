import { AliasSpec, redact } from "./capture";
import type { PlanDiff, Op } from "./diff";
import type { CostReport } from "./cost";
import type { Plan } from "./run";

/** The plan shaped like `pulumi preview --json` (documented in the README; keep it stable). */
export interface PreviewJson {
    stack: string;
    steps: {
        /** `create` without --base; with it, the diff's classification. */
        op: Op;
        urn: string;
        /** With --base: changed input paths (update, replace). */
        diffReasons?: string[];
        /** With --base: the changed inputs that force the replacement. */
        replaceReasons?: string[];
        newState: {
            type: string;
            urn: string;
            custom: boolean;
            parent?: string;
            provider?: string;
            inputs: Record<string, unknown>;
            dependencies: string[];
            propertyDependencies: Record<string, string[]>;
            protect: boolean;
            retainOnDelete: boolean;
            replaceOnChanges?: string[];
            aliases?: AliasSpec[];
        };
    }[];
    outputs: Record<string, unknown>;
    diagnostics: { policyName: string; policyPackName: string; enforcementLevel: string; urn?: string; message: string }[];
    /** Without --base: `{ create: n }`; with it, a count per op. */
    changeSummary: Partial<Record<Op, number>>;
    /** With --cost: the monthly estimate (see the README's cost section). */
    cost?: CostReport;
    /** With --base: the base plan's stack and the destructive findings. */
    diff?: {
        base: string;
        destructive: PlanDiff["destructive"];
        /** Resources of the base plan that this plan no longer has, with their base state. */
        deleted: { op: "delete"; urn: string; oldState: PreviewJson["steps"][number]["newState"] }[];
    };
    /** Config keys whose secure values were replaced by placeholders offline. */
    placeholders: string[];
    /**
     * Where the values above were invented by the offline mocks (endpoints, project numbers, generated ids, ARNs of
     * autonamed resources) rather than taken from config or the program: output paths, and input paths per URN
     * (`a.b[0].c`, as in `diffReasons`). The values themselves are left as they are.
     */
    mocked?: Plan["mocked"];
}

export function toPreviewJson(plan: Plan): PreviewJson {
    return {
        stack: plan.stack,
        steps: plan.resources.map((r) => ({
            op: "create",
            urn: r.urn,
            newState: {
                type: r.type,
                urn: r.urn,
                custom: r.custom,
                parent: r.parent,
                provider: r.provider,
                inputs: redact(r.inputs) as Record<string, unknown>,
                dependencies: r.dependencies,
                propertyDependencies: r.propertyDependencies,
                protect: r.protect,
                retainOnDelete: r.retainOnDelete,
                ...(r.replaceOnChanges.length ? { replaceOnChanges: r.replaceOnChanges } : {}),
                ...(r.aliases.length ? { aliases: r.aliases } : {}),
            },
        })),
        outputs: redact(plan.outputs) as Record<string, unknown>,
        diagnostics: plan.diagnostics,
        changeSummary: { create: plan.resources.length },
        placeholders: plan.placeholders.map((k) => k),
        mocked: plan.mocked,
    };
}

/** The plan JSON with the diff against a base plan folded in: each step's op and reasons, delete steps, counts. */
export function withDiff(json: PreviewJson, base: PreviewJson, diff: PlanDiff): PreviewJson {
    const byUrn = new Map(diff.steps.map((s) => [s.urn, s]));
    const baseStates = new Map(base.steps.filter((s) => s.newState).map((s) => [s.urn, s.newState]));
    const steps: PreviewJson["steps"] = json.steps.map((s) => {
        const d = byUrn.get(s.urn)!;
        return {
            ...s,
            op: d.op,
            ...(d.op === "update" || d.op === "replace" ? { diffReasons: d.diffReasons } : {}),
            ...(d.op === "replace" ? { replaceReasons: d.replaceReasons } : {}),
        };
    });
    const deleted = diff.steps.filter((d) => d.op === "delete").map((d) => ({ op: "delete" as const, urn: d.urn, oldState: baseStates.get(d.urn)! }));
    return { ...json, steps, changeSummary: diff.counts, diff: { base: base.stack, destructive: diff.destructive, deleted } };
}
