import * as pulumi from "@pulumi/pulumi";
import { mockContext, Plan, PlanOptions, planStack, PROJECT } from "../../plan/run";
import { CapturedResource, captureRegistrations, reveal } from "../../plan/capture";
import { PlanMocks } from "../../plan/mocks";
import { readStackYaml, toEngineConfig } from "../../plan/stackfile";

// Internal to the SDK: drains outstanding resource registrations (as plan/run.ts does).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { waitForRPCs } = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };

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

/**
 * Runs `body` as a Pulumi program under the plan mocks, with a shipped stack file's engine config (changed by
 * `mutate` first), and returns every resource it registered. Queued with the plans: the runtime is process-global.
 */
export function underMocks(
    stack: string,
    body: () => void | Promise<void>,
    mutate: (config: Record<string, any>) => void = () => undefined,
): Promise<CapturedResource[]> {
    return enqueue(async () => {
        const raw = structuredClone(readStackYaml(stack)) as Record<string, any>;
        mutate(raw);
        const engine = toEngineConfig(raw);
        pulumi.runtime.setAllConfig(engine.config, engine.secretKeys);
        await pulumi.runtime.setMocks(new PlanMocks(mockContext(raw)), PROJECT, stack, false);
        const resources = captureRegistrations();
        await pulumi.runtime.runInPulumiStack(async () => {
            await body();
            return {};
        });
        await waitForRPCs();
        return resources;
    });
}

/** The resources of a plan (or anything holding captured resources) of one type. */
export function ofType(plan: Pick<Plan, "resources">, type: string): CapturedResource[] {
    return plan.resources.filter((r) => r.type === type);
}

/** Inputs with secrets in clear, for assertions. */
export function inputsOf(r: CapturedResource): Record<string, any> {
    return reveal(r.inputs) as Record<string, any>;
}
