import { strict as assert } from "assert";
import type { CapturedResource } from "../plan/capture";
import type { Plan } from "../plan/run";
import { ofType, shippedPlan, STACKS } from "./support/plans";

/** URN of a provider reference `urn::id`. */
const providerUrn = (ref: string) => ref.split("::").slice(0, -1).join("::");

/**
 * Everything a resource waits for before the engine creates it: its dependencies and its provider, and theirs.
 * A resource never starts before its provider, and a provider never before its own dependencies.
 */
function waitsFor(plan: Plan): (urn: string) => Set<string> {
    const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
    const memo = new Map<string, Set<string>>();
    const visit = (urn: string): Set<string> => {
        const known = memo.get(urn);
        if (known) return known;
        const out = new Set<string>();
        memo.set(urn, out);
        const r = byUrn.get(urn);
        if (!r) return out;
        const direct = [...r.dependencies, ...(r.provider ? [providerUrn(r.provider)] : [])];
        for (const d of direct) {
            out.add(d);
            for (const x of visit(d)) out.add(x);
        }
        return out;
    };
    return visit;
}

/** What must exist before a pod can run: node groups/pools and, on EKS, the workload add-ons. */
function clusterReady(plan: Plan): CapturedResource[] {
    if (plan.config.cloud === "gcp") return ofType(plan, "gcp:container/nodePool:NodePool");
    const workloads = plan.resources.find((r) => r.type === "dataplatform:aws:EksAddons" && r.name.endsWith("-workloads"))!;
    return [...ofType(plan, "aws:eks/nodeGroup:NodeGroup"), ...plan.resources.filter((r) => r.parent === workloads.urn && r.type === "aws:eks/addon:Addon")];
}

describe("deploy order on the plan's dependency graph", () => {
    for (const stack of STACKS) {
        it(`${stack}: every Kubernetes object (Helm releases, Deployments, Jobs, custom resources) waits for nodes and add-ons`, async () => {
            const plan = await shippedPlan(stack);
            const ready = clusterReady(plan);
            assert.ok(ready.length >= 3, "node groups/pools found");
            const before = waitsFor(plan);
            const k8s = plan.resources.filter((r) => r.custom && r.type.startsWith("kubernetes:"));
            assert.ok(k8s.some((r) => r.type === "kubernetes:helm.sh/v3:Release"));
            for (const r of k8s) {
                const deps = before(r.urn);
                for (const n of ready) assert.ok(deps.has(n.urn), `${r.urn} can start before ${n.urn}`);
            }
        });

        it(`${stack}: whatever waits for a workload's ServiceAccount also waits for its credentials (Pod Identity association, bindings)`, async () => {
            const plan = await shippedPlan(stack);
            const identities = plan.resources.filter((r) => /^dataplatform:(aws|gcp):WorkloadIdentity$/.test(r.type));
            assert.ok(identities.length > 0);
            let checked = 0;
            for (const wi of identities) {
                const kids = plan.resources.filter((r) => r.parent === wi.urn);
                const sa = kids.find((r) => r.type === "kubernetes:core/v1:ServiceAccount")!;
                const credentials = kids.filter(
                    (r) => r.type === "aws:eks/podIdentityAssociation:PodIdentityAssociation" || /IAMMember|IamMember/.test(r.type),
                );
                for (const user of plan.resources.filter((r) => r.parent !== wi.urn && r.dependencies.includes(sa.urn))) {
                    for (const c of credentials) assert.ok(user.dependencies.includes(c.urn), `${user.urn} waits for ${sa.name} but not for ${c.urn}`);
                    checked++;
                }
            }
            assert.ok(checked > 0, "Airflow and Spark wait for their identities");
        });
    }
});
