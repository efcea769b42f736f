import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { configReference } from "../plan/config-doc";
import { ROOT } from "../plan/run";

describe("README", () => {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");

    it("config reference matches the schema (regenerate with npm run config-doc)", () => {
        const m = /<!-- config-reference:start[^>]*-->\n([\s\S]*?)\n<!-- config-reference:end -->/.exec(readme);
        assert.ok(m, "README has the config reference markers");
        assert.equal(m[1], configReference());
    });

    it("gives the two commands that do everything on a new machine", () => {
        assert.match(readme, /npm ci && npm run plan/);
        assert.match(readme, /npm ci && npm test/);
    });

    describe("First deploy: checklist", () => {
        const m = /\n## First deploy: checklist\n([\s\S]*?)\n## /.exec(readme);
        const section = m?.[1] ?? "";

        it("is a section of its own with a part per cloud", () => {
            assert.ok(m, "README has the section");
            for (const part of ["**GCP", "**AWS**", "Vault"]) assert.ok(section.includes(part), part);
        });

        it("names the deployer policy files, which exist and parse", () => {
            for (const f of ["deploy/gcp-deployer-role.yaml", "deploy/gcp-deployer-grants.yaml", "deploy/aws-deployer-policy.json"]) {
                assert.ok(section.includes(f), `${f} is referenced`);
                const text = fs.readFileSync(path.join(ROOT, f), "utf8");
                assert.ok(f.endsWith(".json") ? JSON.parse(text).Statement : parse(text), f);
            }
        });

        it("gives the commands of the steps outside the program", () => {
            for (const cmd of [
                "gcloud billing projects link",
                "gcloud iam roles create dataplatformDeployer --project=PROJECT --file=deploy/gcp-deployer-role.yaml",
                "roles/billing.costsManager",
                "gcloud beta monitoring",
                "gcloud billing accounts describe",
                "aws iam put-role-policy",
            ])
                assert.ok(section.replace(/\s+/g, " ").includes(cmd), cmd);
        });

        it("lists every grant of deploy/gcp-deployer-grants.yaml", () => {
            const grants = parse(fs.readFileSync(path.join(ROOT, "deploy/gcp-deployer-grants.yaml"), "utf8")) as { grants: { role: string }[] };
            for (const g of grants.grants) assert.ok(section.includes(g.role), g.role);
        });
    });
});
