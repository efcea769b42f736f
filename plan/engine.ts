import type { CapturedResource } from "./capture";
import type { CapturedInvoke } from "./mocks";

/** What the stack is meant to reach: the GCP projects it manages and the AWS account it deploys to. */
export interface EngineTargets {
    gcpProjects: readonly string[];
    awsAccountId?: string;
}

/** The program registers something the engine (or a provider, before any API call) would refuse. */
export class EngineError extends Error {
    constructor(readonly problems: readonly string[]) {
        super(
            `the engine would refuse this program (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
                problems.map((p) => `  - ${p}`).join("\n"),
        );
        this.name = "EngineError";
    }
}

const providerUrn = (ref: string) => ref.split("::").slice(0, -1).join("::");
const pkg = (type: string) => type.split(":")[0];

/** Provider inputs reach the engine as strings (objects and lists JSON-encoded). */
function providerInput(p: CapturedResource, key: string): unknown {
    const v = p.inputs[key];
    if (typeof v !== "string") return v;
    try {
        return JSON.parse(v);
    } catch {
        return v;
    }
}

/**
 * Checks the captured graph for what a real deployment refuses:
 * - two registrations with one URN (the engine stops with "Duplicate resource URN");
 * - a gcp/aws resource or lookup without an explicit provider (it would use the ambient project/account);
 * - a provider for a project/account the stack does not target: a GCP provider whose project is not one of the
 *   stack's, a resource or lookup whose explicit `project` differs from its provider's, an AWS provider whose
 *   allowedAccountIds do not name the stack's account (the AWS provider refuses other accounts at configure time).
 */
export function engineProblems(resources: readonly CapturedResource[], invokes: readonly CapturedInvoke[], targets: EngineTargets): string[] {
    const problems: string[] = [];
    const count = new Map<string, number>();
    for (const r of resources) count.set(r.urn, (count.get(r.urn) ?? 0) + 1);
    for (const [urn, n] of count)
        if (n > 1) problems.push(`${urn}: registered ${n} times; URNs must be unique (the engine fails with "Duplicate resource URN")`);

    const providers = new Map(resources.filter((r) => r.type.startsWith("pulumi:providers:")).map((r) => [r.urn, r]));
    for (const p of providers.values()) {
        if (p.type === "pulumi:providers:gcp") {
            const project = providerInput(p, "project");
            if (typeof project !== "string" || !targets.gcpProjects.includes(project)) {
                problems.push(
                    `${p.urn}: GCP provider for project ${JSON.stringify(project)}; this stack targets ${targets.gcpProjects.map((x) => JSON.stringify(x)).join(", ")}`,
                );
            }
        }
        if (p.type === "pulumi:providers:aws") {
            const allowed = providerInput(p, "allowedAccountIds");
            if (!targets.awsAccountId || !Array.isArray(allowed) || allowed.length !== 1 || allowed[0] !== targets.awsAccountId) {
                problems.push(
                    `${p.urn}: AWS provider with allowedAccountIds ${JSON.stringify(allowed)}; it must allow exactly the stack's account ${JSON.stringify(targets.awsAccountId)}`,
                );
            }
        }
    }

    const check = (what: string, type: string, ref: string | undefined, inputs: Record<string, unknown>) => {
        const cloud = pkg(type);
        if (cloud !== "gcp" && cloud !== "aws") return;
        if (!ref) {
            problems.push(`${what}: no explicit provider; it would run against the ambient ${cloud === "gcp" ? "project" : "account"}`);
            return;
        }
        const p = providers.get(providerUrn(ref));
        if (!p) {
            problems.push(`${what}: provider ${ref} was never registered`);
            return;
        }
        if (pkg(p.type.slice("pulumi:providers:".length)) !== cloud) {
            problems.push(`${what}: ${cloud} resource with a ${p.type} provider`);
            return;
        }
        if (cloud === "gcp") {
            const own = providerInput(p, "project");
            for (const key of ["project", "projectId"]) {
                const v = inputs[key];
                if (typeof v === "string" && v !== own && (key === "project" || type.includes("getProject"))) {
                    problems.push(`${what}: ${key} ${JSON.stringify(v)} but its provider ${p.name} is for project ${JSON.stringify(own)}`);
                }
            }
        }
    };
    for (const r of resources) if (r.custom && !r.type.startsWith("pulumi:providers:")) check(r.urn, r.type, r.provider, r.inputs);
    for (const i of invokes) check(`invoke ${i.token}`, i.token, i.provider, i.inputs);
    return problems;
}
