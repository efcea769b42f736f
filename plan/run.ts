import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, fromConfigMap, loadStackConfig, PlatformConfig, versionSupport } from "../components/config";
import { evaluationDay, setEvaluationDay } from "../components/support-windows";
import { CapturedResource, captureRegistrations } from "./capture";
import { CapturedInvoke, MockContext, PlanMocks } from "./mocks";
import { EngineError, engineProblems } from "./engine";
import { Diagnostic, runPolicies } from "./policy";
import { withFastStackTraces } from "./perf";
import { readStackYaml, toEngineConfig } from "./stackfile";
import { packName, policies, policyConfigFor } from "../policy/policies";

// Internal to the SDK: drains outstanding resource registrations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { waitForRPCs } = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };

export const ROOT = path.resolve(__dirname, "..");
const PROJECT = "dataplatform";

export interface Plan {
    stack: string;
    config: PlatformConfig;
    resources: CapturedResource[];
    /** Lookups the program ran, with the provider each went through. */
    invokes: CapturedInvoke[];
    outputs: Record<string, unknown>;
    diagnostics: Diagnostic[];
    /** Config keys whose `secure:` values were replaced by placeholders. */
    placeholders: string[];
    /** Day the versions were judged against (YYYY-MM-DD). */
    asOf: string;
    /** Versions close to (or accepted past) their end of support. */
    warnings: string[];
}

export interface PlanOptions {
    /** Folder of the stack files (default: the project root). */
    dir?: string;
    /** Changes the stack file's config before it is handed to the program (tests, benchmarks). */
    mutate?: (config: Record<string, unknown>) => void;
    /** Skip the policy pack. */
    skipPolicies?: boolean;
    /** Runs this instead of index.ts (tests of the harness itself); config is still validated first. */
    program?: () => Promise<Record<string, unknown> | void>;
    /** Evaluate as of this day (YYYY-MM-DD) instead of today: version support is judged on it. */
    date?: string;
}

function mockContext(raw: Record<string, unknown>): MockContext {
    const aws = (raw["dataplatform:aws"] ?? {}) as Record<string, string>;
    const gcp = (raw["dataplatform:gcp"] ?? {}) as Record<string, string>;
    const wh = (raw["dataplatform:warehouse"] ?? {}) as Record<string, string>;
    return {
        awsAccountId: aws.accountId ?? "000000000000",
        awsRegion: aws.region ?? "eu-west-1",
        gcpProject: gcp.project ?? wh.project ?? "mock-project",
        gcpRegion: gcp.region ?? wh.region ?? "europe-west1",
    };
}

let running = false;

/**
 * Evaluates the real program (index.ts) against a stack file under mocks and returns the captured graph,
 * the stack outputs and the policy results. Throws ConfigError for invalid config.
 */
export async function planStack(stack: string, opts: PlanOptions = {}): Promise<Plan> {
    if (running) throw new Error("planStack is not re-entrant: the Pulumi runtime is process-global");
    running = true;
    try {
        setEvaluationDay(opts.date);
        return await withFastStackTraces(() => evaluate(stack, opts));
    } finally {
        setEvaluationDay(undefined);
        running = false;
    }
}

async function evaluate(stack: string, opts: PlanOptions): Promise<Plan> {
    const raw = structuredClone(readStackYaml(stack, opts.dir ?? ROOT));
    opts.mutate?.(raw);
    const engineConfig = toEngineConfig(raw);
    pulumi.runtime.setAllConfig(engineConfig.config, engineConfig.secretKeys);
    const mocks = new PlanMocks(mockContext(raw));
    await pulumi.runtime.setMocks(mocks, PROJECT, stack, false);
    const resources = captureRegistrations();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const program = opts.program ?? (require("../index") as () => Promise<Record<string, unknown>>);
    // Validated first, as the program does: a config error stops before any resource exists.
    const config = loadStackConfig();
    const asOf = evaluationDay();
    const warnings = versionSupport(fromConfigMap(engineConfig.config, engineConfig.secretKeys).raw, asOf).filter((f) => f.level === "warning").map((f) => f.message);
    const outputs = (await pulumi.runtime.runInPulumiStack(program)) ?? {};
    await waitForRPCs();
    const refused = engineProblems(resources, mocks.invokes, {
        gcpProjects: [...new Set([config.gcp?.project, config.warehouseProject].filter((p): p is string => !!p))],
        awsAccountId: config.aws?.accountId,
    });
    if (refused.length) throw new EngineError(refused);
    const diagnostics = opts.skipPolicies ? [] : await runPolicies(packName, policies, resources, policyConfigFor(config));
    return { stack, config, resources, invokes: mocks.invokes, outputs, diagnostics, placeholders: engineConfig.placeholders, asOf, warnings };
}

export { ConfigError, EngineError };
