import { Plan, PlanOptions, planStack } from "../../plan/run";
import type { CapturedResource } from "../../plan/capture";
import { reveal } from "../../plan/capture";

export const STACKS = ["staging", "prod", "aws-staging", "aws-prod"] as const;

// The runtime is process-global: plans run one after another, each shipped stack once per test run.
let queue: Promise<unknown> = Promise.resolve();
const cache = new Map<string, Promise<Plan>>();

function enqueue<T>(f: () => Promise<T>): Promise<T> {
    const p = queue.then(f, f);
    queue = p.catch(() => undefined);
    return p;
}

/** The plan of a shipped stack, computed once per test run. */
export function shippedPlan(stack: string): Promise<Plan> {
    let p = cache.get(stack);
    if (!p) {
        p = enqueue(() => planStack(stack));
        cache.set(stack, p);
    }
    return p;
}

/** A plan of a shipped stack with its config changed first (not cached). */
export function variantPlan(stack: string, mutate: (config: Record<string, any>) => void, opts: Omit<PlanOptions, "mutate"> = {}): Promise<Plan> {
    return enqueue(() => planStack(stack, { ...opts, mutate }));
}

/** A plan of a stack file in another folder (not cached). */
export function planIn(stack: string, dir: string): Promise<Plan> {
    return enqueue(() => planStack(stack, { dir }));
}

/** The resources of a plan (or anything holding captured resources) of one type. */
export function ofType(plan: Pick<Plan, "resources">, type: string): CapturedResource[] {
    return plan.resources.filter((r) => r.type === type);
}

/** Inputs with secrets in clear, for assertions. */
export function inputsOf(r: CapturedResource): Record<string, any> {
    return reveal(r.inputs) as Record<string, any>;
}
