import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { clusterNetworkOf } from "../components/cluster-network";
import { flowTable } from "../components/k8s/flows";
import { flowsMarkdown, readmeFlows } from "../plan/flows-doc";
import { toMarkdown } from "../plan/markdown";
import { ROOT } from "../plan/run";
import { shippedPlan } from "./support/plans";

describe("network flows: the report", () => {
    it("the README shows staging's flow table as generated (regenerate with npm run flows-doc)", () => {
        const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
        const m = /<!-- network-flows:start[^>]*-->\n([\s\S]*?)\n<!-- network-flows:end -->/.exec(readme);
        assert.ok(m, "README has the network-flows markers");
        assert.equal(m[1], readmeFlows());
    });

    it("the matrix puts each flow's ports in its from/to cell and lists every flow with its reason", () => {
        const flows = [
            {
                id: "a",
                from: { kind: "namespace", namespace: "x" },
                to: { kind: "addresses", name: "outside", cidrs: ["0.0.0.0/0"] },
                ports: [{ port: 443, protocol: "TCP" }],
                why: "reason a",
            },
            {
                id: "b",
                from: { kind: "addresses", name: "control plane", cidrs: ["172.16.0.0/28"] },
                to: { kind: "namespace", namespace: "y" },
                ports: [
                    { port: 53, protocol: "UDP" },
                    { port: 53, protocol: "TCP" },
                ],
                why: "reason b",
            },
        ] as const;
        const md = flowsMarkdown(flows);
        const lines = md.split("\n");
        assert.equal(lines[0], "| from ↓ / to → | `y` | `outside` |");
        assert.equal(lines[2], "| `x` |  | 443 |");
        assert.equal(lines[3], "| `control plane` | 53/UDP, 53/TCP |  |");
        assert.ok(md.includes("| `a` | any pod in `x` | outside (0.0.0.0/0) | 443 | reason a |"));
    });

    it("the plan's --markdown summary includes the stack's flow matrix", async () => {
        const plan = await shippedPlan("aws-prod");
        const md = toMarkdown(plan);
        assert.ok(md.includes("### Network flows"));
        assert.ok(md.includes(flowsMarkdown(flowTable(plan.config, clusterNetworkOf(plan.config)))));
    });
});
