import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, fromConfigMap, loadStackConfig, PlatformConfig, versionSupport } from "../components/config";
import { evaluationDay, setEvaluationDay } from "../components/support-windows";
import { CapturedResource, captureRegistrations } from "./capture";
import { CapturedInvoke, inventedMatcher, MockContext, mockedPaths, PlanMocks } from "./mocks";
import { EngineError, engineProblems } from "./engine";
import { Diagnostic, NotApplicableMap, runPolicies } from "./policy";
import { withFastStackTraces } from "./perf";
import { readStackYaml, toEngineConfig } from "./stackfile";
import { packName, policies, policyConfigFor } from "../policy/policies";

// Internal to the SDK: drains outstanding resource registrations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { waitForRPCs } = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };

export const ROOT = path.resolve(__dirname, "..");
export const PROJECT = "dataplatform";

export interface Plan {
    stack: string;
    config: PlatformConfig;
    resources: CapturedResource[];
    /** Lookups the program ran, with the provider each went through. */
    invokes: CapturedInvoke[];
    /**
     * Policies that could not decide in the preview view (they read a value unknown until the update). The update
     * view still enforces them (a violation there is in `diagnostics`); they are reported, never counted as passes.
     */
    undecided: Diagnostic[];
    /** Policies that checked nothing in this stack (another cloud's resource types, prod-only rules), with the reason. */
    notApplicable: Record<string, string>;
    /** The graph and lookups of a first preview (unknown outputs), when the policies ran. */
    preview?: { resources: CapturedResource[]; invokes: CapturedInvoke[] };
    outputs: Record<string, unknown>;
    /**
     * Values the mocks invented (endpoints, project numbers, generated ids and ARNs) rather than config or the program:
     * the output paths and, per URN, the input paths that carry one. The real values are known after `pulumi up`.
     */
    mocked: Mocked;
    diagnostics: Diagnostic[];
    /** Config keys whose `secure:` values were replaced by placeholders. */
    placeholders: string[];
    /** Day the versions were judged against (YYYY-MM-DD). */
    asOf: string;
    /** Versions close to (or accepted past) their end of support. */
    warnings: string[];
}

interface Mocked {
    outputs: string[];
    inputs: Record<string, string[]>;
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

/** What the plan mocks answer for lookups (account, project, region), from a stack file's config. */
export function mockContext(raw: Record<string, unknown>): MockContext {
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

interface Run {
    config: PlatformConfig;
    resources: CapturedResource[];
    invokes: CapturedInvoke[];
    outputs: Record<string, unknown>;
    mocked: Mocked;
}

/** One evaluation of the program; with `preview`, outputs of resources to be created are unknown, as in a first preview. */
async function run(stack: string, raw: Record<string, unknown>, opts: PlanOptions, preview: boolean): Promise<Run> {
    const engineConfig = toEngineConfig(raw);
    pulumi.runtime.setAllConfig(engineConfig.config, engineConfig.secretKeys);
    const mocks = new PlanMocks(mockContext(raw), preview);
    await pulumi.runtime.setMocks(mocks, PROJECT, stack, preview);
    const resources = captureRegistrations();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const program = opts.program ?? (require("../index") as () => Promise<Record<string, unknown>>);
    // Validated first, as the program does: a config error stops before any resource exists.
    const config = loadStackConfig();
    const outputs = (await pulumi.runtime.runInPulumiStack(program)) ?? {};
    await waitForRPCs();
    const refused = engineProblems(resources, mocks.invokes, {
        gcpProjects: [...new Set([config.cloud === "gcp" ? config.gcp.project : undefined, config.warehouseProject].filter((p): p is string => !!p))],
        awsAccountId: config.cloud === "aws" ? config.aws.accountId : undefined,
    });
    if (refused.length) throw new EngineError(refused);
    const isMock = inventedMatcher(mocks.invented);
    const inputs = Object.fromEntries(resources.map((r) => [r.urn, mockedPaths(r.inputs, isMock)]).filter(([, p]) => p.length));
    return { config, resources, invokes: mocks.invokes, outputs, mocked: { outputs: mockedPaths(outputs, isMock), inputs } };
}

async function evaluate(stack: string, opts: PlanOptions): Promise<Plan> {
    const raw = structuredClone(readStackYaml(stack, opts.dir ?? ROOT));
    opts.mutate?.(raw);
    const engineConfig = toEngineConfig(raw);
    const complete = await run(stack, raw, opts, false);
    const { config } = complete;
    const asOf = evaluationDay();
    const warnings = versionSupport(fromConfigMap(engineConfig.config, engineConfig.secretKeys).raw, asOf)
        .filter((f) => f.level === "warning")
        .map((f) => f.message);
    let diagnostics: Diagnostic[] = [];
    let undecided: Diagnostic[] = [];
    const notApplicable: NotApplicableMap = new Map();
    let preview: Run | undefined;
    if (!opts.skipPolicies) {
        // The policies see the graph twice: as a first preview does (unknown outputs of resources not yet created;
        // a policy that reads one cannot decide) and as the update does (every value known).
        preview = await run(stack, raw, opts, true);
        const cfg = policyConfigFor(config);
        const all = [
            ...(await runPolicies(packName, policies, preview.resources, cfg)),
            ...(await runPolicies(packName, policies, complete.resources, cfg, notApplicable)),
        ];
        const seen = new Set<string>();
        const unique = all.filter((d) => {
            const k = `${d.policyName}|${d.urn}|${d.message}`;
            return !seen.has(k) && !!seen.add(k);
        });
        diagnostics = unique.filter((d) => !d.undecided);
        undecided = unique.filter((d) => d.undecided);
    }
    return {
        stack,
        config,
        resources: complete.resources,
        invokes: complete.invokes,
        outputs: complete.outputs,
        mocked: complete.mocked,
        diagnostics,
        undecided,
        notApplicable: Object.fromEntries(notApplicable),
        placeholders: engineConfig.placeholders,
        asOf,
        warnings,
        preview: preview && { resources: preview.resources, invokes: preview.invokes },
    };
}

export { ConfigError, EngineError };
