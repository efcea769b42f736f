import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
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
});
