import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { versionSupport } from "../components/config";
import { judgeVersions, parseDay, pinnedInVersionsTs, SUPPORT_WINDOWS, supportWindow, today, WARN_DAYS } from "../components/support-windows";
import { CHARTS, IMAGES } from "../components/versions";
import { ConfigError, planStack, ROOT } from "../plan/run";
import { configProblems, stackConfig, stackRaw } from "./support/config";
import { STACKS } from "./support/plans";

const day = (d: string, n: number) => new Date(parseDay(d).getTime() + n * 86400000).toISOString().slice(0, 10);

describe("version support windows", () => {
    it("has a row, with an https source and the day it was read, for every version pinned in versions.ts", () => {
        const pins = pinnedInVersionsTs();
        assert.equal(pins.length, Object.keys(CHARTS).length + Object.keys(IMAGES).length);
        for (const pin of pins) {
            const w = supportWindow(pin.subject, pin.version);
            assert.ok(w, `${pin.key} ${pin.version}: no row in SUPPORT_WINDOWS.${pin.subject}`);
        }
        for (const [subject, rows] of Object.entries(SUPPORT_WINDOWS)) {
            for (const w of rows) {
                assert.match(w.source, /^https:\/\//, `${subject} ${w.line}`);
                parseDay(w.end);
                parseDay(w.read);
                if (w.basis !== "published") assert.ok(w.note, `${subject} ${w.line}: a derived date says how it was derived`);
            }
        }
    });

    for (const stack of STACKS) {
        it(`${stack}: its Kubernetes minor and Kafka version have rows, and both are in support as of the day they were read`, () => {
            const { raw } = stackRaw(stack);
            const read = SUPPORT_WINDOWS.gke[0].read;
            const errors = versionSupport(raw, read).filter((f) => f.level === "error");
            assert.deepEqual(
                errors.map((e) => e.message),
                [],
            );
            assert.ok(supportWindow(raw.cloud === "gcp" ? "gke" : "eks", raw.cluster.version));
            assert.ok(supportWindow("kafka", raw.kafka.version));
        });
    }

    it("rejects a Kubernetes minor past its end of standard support, naming key, value, end date and what is allowed", () => {
        const gke = configProblems("staging", (r) => (r.cluster.version = "1.33"), { asOf: "2026-11-29" });
        assert.ok(
            gke.some((p) =>
                /^dataplatform:cluster\.version: "1\.33" reached end of support on 2026-08-03 \(https:\/\/cloud\.google\.com\/.+\); allowed: 1\.35 \(until 2027-04-11\)/.test(
                    p,
                ),
            ),
            gke.join("\n"),
        );
        const eks = configProblems("aws-prod", (r) => (r.cluster.version = "1.33"), { asOf: "2026-11-29" });
        assert.ok(
            eks.some((p) => p.startsWith('dataplatform:cluster.version: "1.33" reached end of support on 2026-07-29')),
            eks.join("\n"),
        );
    });

    it("rejects a chart override past its window or without a row", () => {
        const problems = configProblems("staging", (r) => (r.charts = { keda: "2.10.0" }), { asOf: "2026-11-29" });
        assert.ok(
            problems.some((p) => p.startsWith('dataplatform:charts.keda: "2.10.0" has no support window on record; allowed: 2.21 (until ')),
            problems.join("\n"),
        );
    });

    it("warns within WARN_DAYS of the end, not before, and rejects from the end day on", () => {
        const pins = [{ subject: "eks" as const, key: "dataplatform:cluster.version", version: "1.34" }];
        const end = supportWindow("eks", "1.34")!.end;
        assert.deepEqual(judgeVersions(pins, day(end, -WARN_DAYS - 1)), []);
        const warn = judgeVersions(pins, day(end, -WARN_DAYS));
        assert.deepEqual(
            warn.map((f) => f.level),
            ["warning"],
        );
        assert.match(warn[0].message, new RegExp(`reaches end of support on ${end}`));
        assert.deepEqual(
            judgeVersions(pins, day(end, -1)).map((f) => f.level),
            ["warning"],
        );
        assert.deepEqual(
            judgeVersions(pins, end).map((f) => f.level),
            ["error"],
        );
    });

    it("keeps an accepted past-end version as a warning until its acceptance ends", () => {
        const spark = supportWindow("image:spark", IMAGES.spark.split(":")[1])!;
        assert.ok(spark.accepted, "the Spark 4.0 line is accepted past its end");
        const pins = [{ subject: "image:spark" as const, key: "IMAGES.spark", version: "4.0.4" }];
        assert.deepEqual(
            judgeVersions(pins, day(spark.accepted.until, -1)).map((f) => f.level),
            ["warning"],
        );
        const after = judgeVersions(pins, spark.accepted.until);
        assert.deepEqual(
            after.map((f) => f.level),
            ["error"],
        );
        assert.match(after[0].message, new RegExp(`reached end of support on ${spark.end}.*acceptance ended ${spark.accepted.until}`));
    });

    it("the day of evaluation changes the result: the shipped stacks are accepted on the day read and rejected once their minor ends", () => {
        const { raw } = stackRaw("aws-staging");
        assert.doesNotThrow(() => stackConfig("aws-staging", () => undefined, { asOf: SUPPORT_WINDOWS.eks[0].read }));
        const eksEnd = supportWindow("eks", raw.cluster.version)!.end;
        const problems = configProblems("aws-staging", () => undefined, { asOf: eksEnd });
        assert.ok(
            problems.some((p) => p.startsWith(`dataplatform:cluster.version: "${raw.cluster.version}" reached end of support on ${eksEnd}`)),
            problems.join("\n"),
        );
    });

    it("the plan evaluates as of --date: warnings before an end, a ConfigError after it", async () => {
        const ca = supportWindow("image:clusterAutoscaler", IMAGES.clusterAutoscaler.split(":v")[1])!;
        const plan = await planStack("aws-staging", { date: day(ca.end, -10), skipPolicies: true });
        assert.equal(plan.asOf, day(ca.end, -10));
        assert.ok(
            plan.warnings.some((w) => w.includes(`IMAGES.clusterAutoscaler: "1.35.2" reaches end of support on ${ca.end}`)),
            plan.warnings.join("\n"),
        );
        await assert.rejects(
            planStack("aws-staging", { date: ca.end }),
            (e: unknown) =>
                e instanceof ConfigError && e.problems.some((p) => p.includes(`IMAGES.clusterAutoscaler: "1.35.2" reached end of support on ${ca.end}`)),
        );
        // Today's plan is unaffected by an earlier --date.
        assert.equal((await planStack("aws-staging", { skipPolicies: true })).asOf, today());
    });

    it("`npm run plan -- --date` exits 2 with the version, its end and what is allowed; a malformed date is refused", () => {
        const run = (...args: string[]) =>
            spawnSync(process.execPath, [require.resolve("tsx/cli"), path.join(ROOT, "plan", "cli.ts"), ...args], { cwd: ROOT, encoding: "utf8" });
        const late = run("--stack", "staging", "--quiet", "--date", "2027-04-11");
        assert.equal(late.status, 2, late.stderr + late.stdout);
        assert.match(late.stderr, /Stack staging as of 2027-04-11: invalid stack config/);
        assert.match(late.stderr, /dataplatform:cluster\.version: "1\.35" reached end of support on 2027-04-11 .*; no recorded version is in support/);
        assert.doesNotMatch(late.stderr, /\n\s+at /, "no stack trace");
        const bad = run("--stack", "staging", "--date", "2027-13-01");
        assert.equal(bad.status, 2);
        assert.match(bad.stderr, /--date: "2027-13-01" is not a date in the form YYYY-MM-DD/);
    });
});
