import { redact } from "./capture";
import type { Plan } from "./run";

/** The plan shaped like `pulumi preview --json` (documented in the README; keep it stable). */
export interface PreviewJson {
    stack: string;
    steps: {
        op: "create";
        urn: string;
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
        };
    }[];
    outputs: Record<string, unknown>;
    diagnostics: { policyName: string; policyPackName: string; enforcementLevel: string; urn?: string; message: string }[];
    changeSummary: { create: number };
    /** Config keys whose secure values were replaced by placeholders offline. */
    placeholders: string[];
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
            },
        })),
        outputs: redact(plan.outputs) as Record<string, unknown>,
        diagnostics: plan.diagnostics,
        changeSummary: { create: plan.resources.length },
        placeholders: plan.placeholders.map((k) => k),
    };
}
