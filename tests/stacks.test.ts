import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { BUILT_IMAGES, imagePaths, imageSettings, matrices, stackNames } from "../plan/stacks";
import { newStack } from "../plan/new-stack";
import { ROOT } from "../plan/run";
import { stackConfig } from "./support/config";

describe("npm run stacks: CI matrices from the stack files", () => {
    it("one entry per stack file, split by tier, with what the workflows need", () => {
        const m = matrices(ROOT);
        assert.deepEqual(
            m.all.map((e) => e.stack),
            stackNames(ROOT),
        );
        for (const e of m.all) {
            const cfg = stackConfig(e.stack);
            assert.equal(e.tier, cfg.environment);
            assert.equal(e.kafka, cfg.kafka.version);
            assert.ok(cfg.spark.image.startsWith(`${e.registry}/`), `${e.stack}: registry of its images`);
            assert.ok(e.registry.startsWith(`${e.registryHost}/`));
        }
        assert.deepEqual(
            m.staging.map((e) => e.stack),
            m.all.filter((e) => e.tier === "staging").map((e) => e.stack),
        );
        for (const e of m.prod)
            assert.ok(
                m.staging.some((s) => s.registry === e.promoteFrom && s.cloud === e.cloud),
                `${e.stack} promotes from a staging-tier registry of its cloud`,
            );
    });

    it("a new stack file joins the matrix of its tier without editing any workflow", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stacks-"));
        try {
            for (const f of fs.readdirSync(ROOT).filter((n) => /^Pulumi\..+\.yaml$/.test(n))) fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
            const r = newStack({ from: "staging", name: "dev", project: "acme-data-dev", dir });
            fs.writeFileSync(r.file, r.text);
            const dev = matrices(dir).staging.find((e) => e.stack === "dev");
            assert.ok(dev);
            assert.equal(dev.cluster, "dataplatform-dev");
            assert.equal(dev.registry, "europe-west1-docker.pkg.dev/acme-data-dev/dataplatform-dev", "the new stack's own registry");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("points every platform image at the commit's digests, whichever consumer index it has", () => {
        const cfg = stackConfig("staging", (r) => {
            const sink = r.autoscaling.deployments.consumers[0];
            r.autoscaling.deployments.consumers = [{ ...sink, image: "ghcr.io/acme/other:1.0.0" }, sink];
        });
        assert.deepEqual(
            imagePaths(cfg).map((p) => [p.path, p.repository]),
            [
                ["spark.image", "spark-jobs"],
                ["airflow.image", "airflow"],
                ["autoscaling.deployments.consumers[1].image", "curated-sink"],
            ],
        );
        const d = (c: string) => `sha256:${c.repeat(64)}`;
        const digests = { "spark-jobs": d("a"), airflow: d("b"), "curated-sink": d("c") };
        const lines = imageSettings("prod", ROOT, { digests });
        assert.deepEqual(lines, [
            `spark.image\teurope-west1-docker.pkg.dev/acme-data-prod/dataplatform-prod/spark-jobs@${d("a")}`,
            `airflow.image\teurope-west1-docker.pkg.dev/acme-data-prod/dataplatform-prod/airflow@${d("b")}`,
            `autoscaling.deployments.consumers[0].image\teurope-west1-docker.pkg.dev/acme-data-prod/dataplatform-prod/curated-sink@${d("c")}`,
        ]);
        assert.throws(() => imageSettings("prod", ROOT, { digests: { ...digests, airflow: "latest" } }), /no sha256 digest for airflow/);
        assert.deepEqual(Object.keys(BUILT_IMAGES).sort(), ["airflow", "curated-sink", "spark-jobs"]);
        for (const f of Object.values(BUILT_IMAGES)) assert.ok(fs.existsSync(path.join(ROOT, f)), f);
    });
});
