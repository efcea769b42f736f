import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { containsStack, datasetId, lakeBucketName, stackAccountId, withStack } from "../components/naming";
import { newStack } from "../plan/new-stack";
import { ROOT } from "../plan/run";
import type { Plan } from "../plan/run";
import { reveal } from "../plan/capture";
import { parseStackConfig } from "../components/config";
import { expectProblem, stackConfig, stackRaw } from "./support/config";
import { planIn, shippedPlan, STACKS } from "./support/plans";

/** Inputs that name a cloud or Vault object in a namespace two stacks can share (project, account, Vault). */
const ID_KEYS = ["name", "accountId", "datasetId", "bucket", "path", "workloadIdentityPoolId", "keyRing", "repositoryId"];
/** Types whose names live inside a per-stack parent (key ring, dataset, mount, database instance, cluster) and so cannot collide. */
const SCOPED =
    /^(kubernetes:|gcp:kms\/cryptoKey:|gcp:bigquery\/table:|vault:kubernetes\/authBackendRole:|vault:pkiSecret\/secretBackendRole:|vault:kv\/secretV2:|gcp:sql\/(database|user):|gcp:container\/nodePool:|aws:eks\/)/;

function identifiers(plan: Plan): Map<string, string> {
    const ids = new Map<string, string>();
    for (const r of plan.resources) {
        if (!/^(gcp|aws|vault):/.test(r.type) || SCOPED.test(r.type)) continue;
        const i = reveal(r.inputs) as Record<string, unknown>;
        // AWS names live in an account (and region): the same name in another account is another object.
        const scope = r.type.startsWith("aws:") && plan.config.cloud === "aws" ? `${plan.config.aws.accountId}/${plan.config.aws.region} ` : "";
        for (const k of ID_KEYS) if (typeof i[k] === "string" && i[k] && i[k] !== "[unknown]") ids.set(`${scope}${r.type} ${k}=${String(i[k])}`, r.name);
    }
    return ids;
}

describe("naming: every per-stack identifier carries the stack, once", () => {
    it("qualifies a name by the stack without repeating it", () => {
        assert.equal(lakeBucketName("acme-data-staging", "staging", "raw"), "acme-data-staging-raw");
        assert.equal(lakeBucketName("acme-data-staging", "dev", "raw"), "acme-data-staging-dev-raw");
        assert.equal(lakeBucketName("111111111111", "aws-staging", "raw"), "111111111111-aws-staging-raw");
        assert.equal(datasetId("staging", "staging"), "staging");
        assert.equal(datasetId("raw", "eu-2"), "raw_eu_2");
        assert.equal(withStack("kv-dataplatform", "dev"), "kv-dataplatform-dev");
        assert.equal(stackAccountId("bi-reader", "dev"), "bi-reader-dev");
        const long = stackAccountId("bi-reader", "a-very-long-stack-name-for-eu");
        assert.ok(long.length <= 30 && long.startsWith("bi-reader-a-very"), long);
        assert.ok(containsStack("kv-dataplatform-eu-2", "eu-2"));
        assert.ok(!containsStack("kv-dataplatform-staging", "dev"));
        assert.ok(!containsStack("kv-dataplatform-devops", "dev"), "a whole segment, not a prefix");
    });

    for (const stack of STACKS) {
        it(`${stack}: no identifier repeats the stack name (no staging_staging, no -staging-staging-)`, async () => {
            const plan = await shippedPlan(stack);
            const seg = stack.replace(/-/g, "[-_]");
            const twice = new RegExp(`(^|[-_/])${seg}[-_]${seg}([-_/]|$)`);
            for (const id of identifiers(plan).keys()) assert.doesNotMatch(id, twice, id);
        });
    }

    it("Vault mounts default to the stack's own; a mount without the stack name is refused, naming the key", () => {
        const cfg = stackConfig("staging", (r) => {
            delete r.vault.kvMount;
            delete r.vault.authMount;
        });
        assert.deepEqual(
            [cfg.vault.kvMount, cfg.vault.authMount, cfg.vault.pki.mount],
            ["kv-dataplatform-staging", "kubernetes-dataplatform-staging", "pki-dataplatform-staging"],
        );
        expectProblem(
            "staging",
            (r) => (r.vault.kvMount = "kv-dataplatform-prod"),
            "dataplatform:vault.kvMount",
            /does not contain the stack name "staging".*kv-dataplatform-staging/,
        );
        expectProblem(
            "staging",
            (r) => (r.vault.authMount = "kubernetes-dataplatform-prod"),
            "dataplatform:vault.authMount",
            /does not contain the stack name/,
        );
        expectProblem(
            "prod",
            (r) => (r.vault.pki.mount = "pki-dataplatform-staging"),
            "dataplatform:vault.pki.mount",
            /does not contain the stack name "prod"/,
        );
    });

    it("images and budget channels of another project or account are refused, naming the key", () => {
        expectProblem(
            "staging",
            (r) => (r.spark.image = "europe-west1-docker.pkg.dev/acme-data-prod/platform/spark-jobs:1.4.0"),
            "dataplatform:spark.image",
            /another project's registry \(acme-data-prod\)/,
        );
        expectProblem(
            "staging",
            (r) => (r.autoscaling.deployments.consumers[0].image = "europe-west1-docker.pkg.dev/acme-data-prod/platform/curated-sink:1.4.0"),
            "dataplatform:autoscaling.deployments.consumers[0].image",
            /another project's registry/,
        );
        expectProblem(
            "aws-staging",
            (r) => (r.airflow.image = "222222222222.dkr.ecr.eu-west-1.amazonaws.com/platform/airflow:3.2.2-1"),
            "dataplatform:airflow.image",
            /another account's or region's registry/,
        );
        expectProblem(
            "staging",
            (r) => (r.spark.image = "europe-west1-docker.pkg.dev/acme-data-staging/dataplatform-dev/spark-jobs:1.4.0"),
            "dataplatform:spark.image",
            /another stack's registry \(dataplatform-dev\); use this stack's own dataplatform-staging/,
        );
        expectProblem(
            "aws-staging",
            (r) => (r.autoscaling.deployments.consumers[0].image = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/platform/curated-sink:1.4.0"),
            "dataplatform:autoscaling.deployments.consumers[0].image",
            /another stack's registry \(platform\)/,
        );
        expectProblem(
            "staging",
            (r) => (r.budget.notificationChannels = ["projects/acme-data-prod/notificationChannels/1"]),
            "dataplatform:budget.notificationChannels[0]",
            /channel of another project \(acme-data-prod\)/,
        );
    });

    it("a copied stack file keeps nothing of its source: the old README recipe (copy, change project) is refused", () => {
        const problems = (() => {
            try {
                stackConfig("staging", (r) => (r.gcp.project = "acme-data-dev"));
            } catch (e) {
                return (e as { problems: string[] }).problems;
            }
            return [];
        })();
        // Parsed as stack "staging" this is fine for mounts; the registry and channel still point at acme-data-staging.
        assert.ok(
            problems.some((p) => p.startsWith("dataplatform:spark.image:")),
            problems.join("\n"),
        );
        assert.ok(
            problems.some((p) => p.startsWith("dataplatform:budget.notificationChannels[0]:")),
            problems.join("\n"),
        );
    });

    it("refuses a stack name that cannot go into resource names", () => {
        const { raw, secretKeys } = stackRaw("staging");
        assert.throws(() => parseStackConfig(raw, { stack: "Dev_1", secretKeys }), /stack name "Dev_1": must be 2-40 lower-case/);
    });
});

describe("npm run new-stack", () => {
    let dir: string;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "new-stack-"));
        for (const f of fs.readdirSync(ROOT).filter((n) => /^Pulumi\..+\.yaml$/.test(n))) fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    for (const [from, name, project, region] of [
        ["staging", "dev", "acme-data-staging", undefined],
        ["aws-staging", "aws-dev", "111111111111", undefined],
        ["aws-prod", "eu-2", "333333333333", "eu-central-1"],
    ] as const) {
        it(`--from ${from} --name ${name}: a valid stack that plans and shares no identifier or network range with any stack`, async () => {
            const r = newStack({ from, name, project, region, dir });
            fs.writeFileSync(r.file, r.text);
            assert.ok(
                r.todo.some((t) => t.startsWith("dataplatform:budget.notificationChannels")),
                "prints what is left to fill in",
            );
            const plan = await planIn(name, dir);
            assert.equal(plan.stack, name);
            const source = await shippedPlan(from);
            const mine = identifiers(plan);
            const shared = [...identifiers(source).keys()].filter((id) => mine.has(id));
            assert.deepEqual(shared, [], "identifiers shared with the source stack");
            assert.ok(mine.size > 20, "identifiers were collected");
            // Fresh ranges: no overlap with any other stack file in the folder.
            const net = (c: Plan) =>
                [c.config.network.nodeCidr, c.config.network.podsCidr, c.config.network.servicesCidr, c.config.network.controlPlaneCidr].filter(Boolean);
            for (const s of STACKS) {
                const other = await shippedPlan(s);
                for (const c of net(plan)) for (const o of net(other)) assert.ok(!overlap(c!, o!), `${c} overlaps ${s}'s ${o}`);
            }
            assert.ok(plan.config.spark.image.includes(project), "images from the new stack's registry");
            assert.equal(plan.outputs.registry, plan.config.spark.image.replace(/\/spark-jobs[:@].*$/, ""));
            assert.match(String(plan.outputs.registry), new RegExp(`/dataplatform-${name}$`), "the new stack's own registry, not its source's");
        });
    }

    it("refuses an existing name, a bad name and a missing source, writing nothing", () => {
        assert.throws(() => newStack({ from: "staging", name: "prod", project: "acme-data-x", dir }), /Pulumi\.prod\.yaml exists already/);
        assert.throws(() => newStack({ from: "staging", name: "Dev", project: "acme-data-x", dir }), /--name: stack name "Dev"/);
        assert.throws(() => newStack({ from: "nope", name: "qa", project: "acme-data-x", dir }), /no stack file Pulumi\.nope\.yaml/);
        assert.ok(!fs.existsSync(path.join(dir, "Pulumi.qa.yaml")));
    });
});

function overlap(a: string, b: string): boolean {
    const range = (c: string) => {
        const [ip, bits] = c.split("/");
        const n = ip.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
        return [n, n + 2 ** (32 - Number(bits)) - 1];
    };
    const [a0, a1] = range(a);
    const [b0, b1] = range(b);
    return a0 <= b1 && b0 <= a1;
}
