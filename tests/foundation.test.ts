import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { ofType, shippedPlan, STACKS } from "./support/plans";

// GcpFoundation and AwsFoundation both `implements Foundation` (components/foundation/contract.ts): tsc checks that.
describe("foundation seam", () => {
    const platform = fs.readFileSync(path.join(__dirname, "..", "components", "platform.ts"), "utf8");
    const code = platform.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");

    it("platform.ts wires the layers with no cloud branch and no cloud import", () => {
        assert.doesNotMatch(code, /\b(cfg|config|args\.config)\.cloud\b|["'](gcp|aws)["']/, "Platform must not ask which cloud it runs on");
        assert.doesNotMatch(code, /\b(gcp|aws)Foundation\b|GcpFoundation|AwsFoundation/);
        assert.doesNotMatch(code, /from "\.\/(gcp|aws)\//, "cloud modules are reached through the foundation factory");
    });

    it("platform.ts has no non-null assertion", () => {
        // `x!.y`, `x!)`, `x!,` … but not `!==` or a leading `!x`.
        assert.doesNotMatch(code, /[\w)\]]!(?![=])/);
    });

    for (const stack of STACKS) {
        it(`${stack}: the data side keeps its place under the Platform (URNs unchanged)`, async () => {
            const plan = await shippedPlan(stack);
            const [platformUrn] = ofType(plan, "dataplatform:index:Platform").map((r) => r.urn);
            const parentOf = (type: string, name: string) => plan.resources.find((r) => r.type === type && r.name === name)?.parent;
            const cloud = stack.startsWith("aws") ? "aws" : "gcp";
            const beside: [string, string][] = [
                [`dataplatform:${cloud}:Foundation`, "foundation"],
                [`dataplatform:${cloud}:Lake`, "lake"],
                [`dataplatform:${cloud}:AirflowDatabase`, "airflow-db"],
                ["dataplatform:gcp:Warehouse", "warehouse"],
                ["dataplatform:gcp:WarehouseCosts", "costs"],
                ...(cloud === "aws"
                    ? ([
                          ["dataplatform:gcp:Keys", "warehouse-keys"],
                          ["dataplatform:aws:Budget", "budget"],
                      ] as [string, string][])
                    : []),
            ];
            for (const [type, name] of beside) assert.equal(parentOf(type, name), platformUrn, `${type} ${name}`);
            if (cloud === "gcp") {
                const foundation = plan.resources.find((r) => r.type === "dataplatform:gcp:Foundation")!;
                assert.equal(parentOf("dataplatform:gcp:Keys", "foundation-warehouse-keys"), foundation.urn);
            }
        });
    }
});
