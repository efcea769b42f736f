import { strict as assert } from "assert";
import { LABEL_PATHS, platformLabels } from "../components/labels";
import { inputsOf, ofType, shippedPlan, STACKS } from "./support/plans";

function at(o: Record<string, any>, path: string): any {
    return path.split(".").reduce((v, k) => (v == null ? undefined : v[k]), o);
}

describe("labels, applied in one place", () => {
    for (const stack of STACKS) {
        it(`every taggable resource of ${stack} carries env, team, cost-center and managed-by`, async () => {
            const plan = await shippedPlan(stack);
            const want = platformLabels(plan.config);
            const taggable = plan.resources.filter((r) => LABEL_PATHS[r.type]);
            assert.ok(taggable.length > 10, `only ${taggable.length} taggable resources`);
            for (const r of taggable) {
                const labels = at(inputsOf(r), LABEL_PATHS[r.type]) ?? {};
                for (const [k, v] of Object.entries(want)) assert.equal(labels[k], v, `${r.urn} ${LABEL_PATHS[r.type]}.${k}`);
            }
        });
    }

    it("tags the instances and volumes that node groups launch", async () => {
        const plan = await shippedPlan("aws-prod");
        const templates = ofType(plan, "aws:ec2/launchTemplate:LaunchTemplate");
        assert.ok(templates.length >= 3);
        for (const t of templates) {
            const specs = inputsOf(t).tagSpecifications as { resourceType: string; tags: Record<string, string> }[];
            assert.deepEqual(specs.map((s) => s.resourceType).sort(), ["instance", "volume"]);
            for (const s of specs) assert.equal(s.tags.env, "prod");
        }
    });

    it("labels Kubernetes objects as part of the platform", async () => {
        const plan = await shippedPlan("staging");
        for (const ns of ofType(plan, "kubernetes:core/v1:Namespace")) {
            const labels = inputsOf(ns).metadata.labels;
            assert.equal(labels["app.kubernetes.io/part-of"], "dataplatform");
            assert.equal(labels["cost-center"], "cc-4100");
        }
    });
});
