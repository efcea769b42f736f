import { strict as assert } from "assert";
import { componentEdges, componentOwners, mermaid, policyRows, toMarkdown, transitiveReduction } from "../plan/markdown";
import { policies } from "../policy/policies";
import { shippedPlan } from "./support/plans";
import { res } from "./policy-harness";

// platform ⊃ { foundation ⊃ { key, cluster, k8s provider }, kafka ⊃ { operator ⊃ release }, lake ⊃ bucket }
const platform = res("dataplatform:index:Platform", {}, { name: "platform", custom: false });
const foundation = res("dataplatform:gcp:Foundation", {}, { name: "foundation", custom: false, parent: platform.urn });
const key = res("gcp:kms/cryptoKey:CryptoKey", {}, { name: "key", parent: foundation.urn });
const cluster = res("gcp:container/cluster:Cluster", {}, { name: "gke", parent: foundation.urn, dependencies: [key.urn] });
const provider = res("pulumi:providers:kubernetes", {}, { name: "k8s", parent: foundation.urn, dependencies: [cluster.urn] });
const lake = res("dataplatform:gcp:Lake", {}, { name: "lake", custom: false, parent: platform.urn });
const bucket = res("gcp:storage/bucket:Bucket", {}, { name: "raw", parent: lake.urn, propertyDependencies: { encryption: [key.urn] } });
const kafka = res("dataplatform:kafka:KafkaLayer", {}, { name: "kafka", custom: false, parent: platform.urn });
const operator = res("dataplatform:kafka:Operators", {}, { name: "operators", custom: false, parent: kafka.urn });
const release = res("kubernetes:helm.sh/v3:Release", {}, { name: "strimzi", parent: operator.urn, provider: `${provider.urn}::k8s-id` });
const kafkaCr = res("kubernetes:kafka.strimzi.io/v1:Kafka", {}, { name: "events", parent: kafka.urn, dependencies: [release.urn] });
const ALL = [platform, foundation, key, cluster, provider, lake, bucket, kafka, operator, release, kafkaCr];

describe("plan --markdown", () => {
    it("owns every leaf by its nearest component", () => {
        const owners = componentOwners(ALL);
        assert.equal(owners.get(key.urn), foundation.urn);
        assert.equal(owners.get(release.urn), operator.urn);
        assert.equal(owners.get(kafkaCr.urn), kafka.urn);
    });

    it("lifts leaf dependencies (explicit, property, provider) to component edges, no self or ancestor edges", () => {
        const edges = componentEdges(ALL)
            .map(([a, b]) => `${a.split("::").pop()} -> ${b.split("::").pop()}`)
            .sort();
        assert.deepEqual(edges, ["lake -> foundation", "operators -> foundation"]);
    });

    it("omits edges implied by a longer path, also with cycles", () => {
        assert.deepEqual(
            transitiveReduction([
                ["a", "b"],
                ["b", "c"],
                ["a", "c"],
            ]),
            [
                ["a", "b"],
                ["b", "c"],
            ],
        );
        assert.deepEqual(
            transitiveReduction([
                ["a", "b"],
                ["b", "a"],
            ]),
            [
                ["a", "b"],
                ["b", "a"],
            ],
        );
    });

    it("renders nested components as subgraphs with dependency arrows", () => {
        const m = mermaid(ALL);
        assert.match(m, /^flowchart LR/);
        assert.match(m, /subgraph c0\["platform<br\/>index:Platform"\]/);
        assert.match(m, /subgraph c\d+\["kafka<br\/>kafka:KafkaLayer"\]/);
        assert.equal((m.match(/-->/g) ?? []).length, 2);
        assert.ok(!m.includes("CryptoKey"), "leaf resources are not drawn");
    });

    it("summarises a shipped stack: counts, every policy's result, the diagram", async () => {
        const plan = await shippedPlan("staging");
        const md = toMarkdown(plan);
        assert.ok(md.includes(`**${plan.resources.length} resources**`));
        assert.ok(md.includes("```mermaid\nflowchart LR"));
        for (const p of policies) assert.ok(md.includes(`| \`${p.name}\` |`), p.name);
    });

    // Applicability comes from the policies' own resource-type checks: the other cloud's rules checked nothing.
    for (const [stack, na, applies] of [
        ["staging", "eks-cluster-hardened", "gke-cluster-hardened"],
        ["aws-staging", "gke-cluster-hardened", "eks-cluster-hardened"],
    ] as const) {
        it(`${stack}: the other cloud's cluster policy is n/a, not a pass; its own cloud's is checked`, async () => {
            const plan = await shippedPlan(stack);
            const rows = policyRows(plan);
            assert.equal(rows.find((r) => r.name === na)!.notApplicable, "no resource of the types it checks");
            assert.equal(rows.find((r) => r.name === applies)!.notApplicable, undefined);
            assert.equal(rows.find((r) => r.name === "prod-stateful-protected")!.notApplicable, "staging stack");
            assert.equal(rows.find((r) => r.name === "bucket-cmek")!.notApplicable, undefined, "buckets exist on both clouds");
            const row = (name: string) =>
                toMarkdown(plan)
                    .split("\n")
                    .find((l) => l.startsWith(`| \`${name}\` |`)) ?? "";
            assert.match(row(na), /➖ n\/a \(no resource of the types it checks\) \|$/);
            assert.doesNotMatch(row(na), /pass/);
            assert.match(row(applies), /✅ pass/);
        });
    }
});
