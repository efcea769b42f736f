import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { WARN_DAYS } from "../components/support-windows";
import { matrices } from "../plan/stacks";
import { ROOT } from "../plan/run";

const DIR = path.join(__dirname, "..", ".github", "workflows");
const read = (f: string) => ({
    text: fs.readFileSync(path.join(DIR, f), "utf8"),
    doc: parse(fs.readFileSync(path.join(DIR, f), "utf8")) as Record<string, any>,
});
const steps = (doc: Record<string, any>) => Object.values(doc.jobs as Record<string, any>).flatMap((j) => (j.steps ?? []) as Record<string, any>[]);

/** The actions the pipeline may use; each is pinned to a full commit SHA with its release in a comment. */
const ACTIONS = new Set([
    "actions/checkout",
    "actions/setup-node",
    "actions/upload-artifact",
    "actions/cache",
    "marocchino/sticky-pull-request-comment",
    "google-github-actions/auth",
    "google-github-actions/get-gke-credentials",
    "aws-actions/configure-aws-credentials",
    "hashicorp/vault-action",
    "pulumi/auth-actions",
    "pulumi/actions",
    "docker/setup-buildx-action",
    "docker/build-push-action",
]);
const PIN = /^\s*(?:-\s+)?uses:\s+([\w.-]+\/[\w.-]+)@([0-9a-f]{40}) # (v\d+\.\d+\.\d+)\s*$/;
const PKG = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "package.json"), "utf8")) as {
    engines: { node: string };
    dependencies: Record<string, string>;
};

describe("CI/CD workflows", () => {
    for (const f of ["pr.yml", "deploy.yml"]) {
        it(`${f}: known actions only, no stored credentials, OIDC where clouds are reached`, () => {
            const { text, doc } = read(f);
            for (const s of steps(doc)) if (s.uses) assert.ok(ACTIONS.has(s.uses.split("@")[0]), `${f}: ${s.uses}`);
            // A tag can be moved to other code; a commit SHA cannot. The comment names the release for review and Dependabot.
            const uses = text.split("\n").filter((l) => /^\s*(-\s+)?uses:/.test(l));
            assert.ok(uses.length > 5);
            for (const l of uses) assert.match(l, PIN, `${f}: not pinned by SHA with a version comment: ${l.trim()}`);
            // One SHA per action across the workflows.
            const shas = new Map<string, string>();
            for (const l of uses) {
                const [, action, sha] = PIN.exec(l)!;
                assert.equal(shas.get(action) ?? sha, sha, `${action} pinned to two SHAs`);
                shas.set(action, sha);
            }
            // The Pulumi CLI is the release of the pinned SDK.
            for (const s of steps(doc).filter((x) => x.uses?.startsWith("pulumi/actions@")))
                assert.equal(s.with?.["pulumi-version"], PKG.dependencies["@pulumi/pulumi"], `${f}: pulumi-version`);
            // Node from .nvmrc, which matches engines.
            for (const s of steps(doc).filter((x) => x.uses?.startsWith("actions/setup-node@")))
                assert.deepEqual([s.with?.["node-version-file"], s.with?.["node-version"]], [".nvmrc", undefined]);
            assert.deepEqual(text.match(/secrets\.\w+/g) ?? [], [], "credentials come from OIDC, not repository secrets");
            for (const [name, job] of Object.entries(doc.jobs as Record<string, any>)) {
                const cloud = (job.steps as Record<string, any>[]).some((s) => /auth|credentials|vault-action/.test(s.uses ?? ""));
                if (cloud) assert.equal(job.permissions?.["id-token"], "write", `${f}: job ${name} needs id-token: write`);
            }
        });
    }

    it("pr.yml: checks, offline plans of every stack with JSON + Markdown, previews with the policy pack", () => {
        const { doc } = read("pr.yml");
        assert.ok(doc.on.pull_request);
        const runs = steps(doc)
            .map((s) => s.run ?? "")
            .join("\n");
        for (const cmd of ["npm ci", "npm test", "--json", "--markdown"]) assert.ok(runs.includes(cmd), cmd);
        // npm test type-checks and lints: running them again is only slower.
        for (const cmd of ["npm run lint", "npx tsc --noEmit", "npx eslint"]) assert.ok(!runs.includes(cmd), `${cmd} runs twice`);
        assert.equal(doc.jobs["offline-plan"].strategy.matrix.include, "${{ fromJSON(needs.stacks.outputs.all) }}");
        // The diff against the base commit's plan, and its gate: exit 4 fails unless the PR has the label.
        const plan = doc.jobs["offline-plan"].steps as Record<string, any>[];
        assert.match(plan.find((s) => s.id === "plan")!.run, /--base "base-plan-\$\{\{ matrix\.stack \}\}\.json"/);
        assert.equal(plan.find((s) => s.uses?.startsWith("actions/checkout@") && s.with?.ref)!.with.ref, "${{ github.event.pull_request.base.sha }}");
        const gate = plan.find((s) => /allow-destructive/.test(s.if ?? ""))!;
        assert.match(gate.if, /steps\.plan\.outputs\.exit == '4'/);
        assert.ok(doc.on.pull_request.types.includes("labeled") && doc.on.pull_request.types.includes("unlabeled"), "applying the label re-runs the gate");
        // The look-ahead plans every stack as of WARN_DAYS from the run's day.
        const ahead = (doc.jobs["offline-plan"].steps as Record<string, any>[]).map((s) => s.run ?? "").find((r: string) => r.includes("--date"));
        assert.ok(ahead, "a plan step with --date");
        assert.match(ahead, /npm run plan -- --stack "\$\{\{ matrix\.stack \}\}".*--date "\$\(date -u -d '\+(\d+) days' \+%F\)"/);
        assert.equal(Number(/\+(\d+) days/.exec(ahead)![1]), WARN_DAYS);
        const preview = (doc.jobs.preview.steps as Record<string, any>[]).find((s) => s.uses?.startsWith("pulumi/actions@"))!;
        // The preview's Pulumi token is a short-lived team token (read on the stacks), never the organization's.
        const token = (doc.jobs.preview.steps as Record<string, any>[]).find((s) => s.uses?.startsWith("pulumi/auth-actions@"))!;
        assert.equal(token.with["requested-token-type"], "urn:pulumi:token-type:access_token:team");
        assert.equal(token.with.scope, "team:${{ vars.PULUMI_PREVIEW_TEAM }}");
        assert.equal(preview.with.command, "preview");
        assert.equal(preview.with["comment-on-pr"], true);
        assert.equal(preview.with.policyPacks, "policy");
        assert.match(preview.with.policyPackConfigs, /^policy\/config\.\$\{\{ matrix\.tier \}\}\.json$/);
        for (const m of matrices(ROOT).all) assert.ok(fs.existsSync(path.join(ROOT, "policy", `config.${m.tier}.json`)));
        assert.equal(doc.jobs.preview.strategy.matrix.include, "${{ fromJSON(needs.stacks.outputs.all) }}");
        // Fork PRs: no OIDC token and a read-only GITHUB_TOKEN, so no preview and no comment; the plan artifact stays.
        const fork = "github.event.pull_request.head.repo.full_name == github.repository";
        assert.equal(doc.jobs.preview.if, fork);
        assert.equal((doc.jobs["offline-plan"].steps as Record<string, any>[]).find((x) => x.uses?.startsWith("marocchino/"))!.if, fork);
    });

    it("deploy.yml: registry → images → staging → smoke test → prod behind the production environment", () => {
        const { doc } = read("deploy.yml");
        assert.deepEqual(doc.on.push.branches, ["main"]);
        const j = doc.jobs;
        assert.deepEqual(j.registry.needs, "stacks");
        assert.deepEqual(j.images.needs, ["stacks", "registry"]);
        assert.deepEqual(j.staging.needs, ["stacks", "images"]);
        assert.deepEqual(j.integration.needs, ["stacks", "staging"]);
        assert.deepEqual(j.prod.needs, ["stacks", "images", "integration"]);
        // Registries exist before images are pushed: staging-tier ones in their own job, prod-tier ones inside the
        // approved prod job, before the promotion copies images into them.
        assert.equal(j.registry.strategy.matrix.include, "${{ fromJSON(needs.stacks.outputs.staging) }}");
        const prodSteps = (j.prod.steps as Record<string, any>[]).map((s) => s.name ?? "");
        assert.ok(prodSteps.findIndex((n) => /prod registry/.test(n)) < prodSteps.findIndex((n) => /Promote/.test(n)));
        for (const job of [j.registry, j.prod])
            assert.match((job.steps as Record<string, any>[]).map((s) => s.run ?? "").join("\n"), /pulumi up --yes --target-dependencies/);
        assert.equal(j.prod.environment, "production");
        // Matrices come from the stack files, by tier.
        assert.equal(j.prod.strategy.matrix.include, "${{ fromJSON(needs.stacks.outputs.prod) }}");
        assert.equal(j.staging.strategy.matrix.include, "${{ fromJSON(needs.stacks.outputs.staging) }}");
        assert.equal(j.integration.strategy.matrix.include, "${{ fromJSON(needs.stacks.outputs.staging) }}");
        assert.equal(j.images.strategy, undefined, "images are built once per commit, not per stack");
        const builds = (j.images.steps as Record<string, any>[]).filter((s) => s.uses?.startsWith("docker/build-push-action@")).map((s) => s.with.file);
        for (const file of builds) assert.ok(fs.existsSync(path.join(__dirname, "..", file)), file);
        assert.deepEqual(builds, ["docker/spark/Dockerfile", "docker/airflow/Dockerfile", "docker/curated-sink/Dockerfile"]);
        assert.ok((j.integration.steps as Record<string, any>[]).some((s) => s.run === "tests/integration/smoke.sh"));
        assert.ok(fs.statSync(path.join(__dirname, "integration", "smoke.sh")).mode & 0o111, "smoke.sh is executable");
    });

    it("Node 22 everywhere: engines, .nvmrc, workflows; Dependabot keeps the pinned actions and packages current", () => {
        const nvmrc = fs.readFileSync(path.join(__dirname, "..", ".nvmrc"), "utf8").trim();
        assert.equal(nvmrc, "22");
        assert.equal(PKG.engines.node, `>=${nvmrc}`);
        const pulumiEngines = JSON.parse(fs.readFileSync(require.resolve("@pulumi/pulumi/package.json"), "utf8")).engines?.node ?? "";
        assert.ok(!/>=\s*(2[3-9]|[3-9]\d)/.test(pulumiEngines), `@pulumi/pulumi needs ${pulumiEngines}`);
        const dependabot = parse(fs.readFileSync(path.join(DIR, "..", "dependabot.yml"), "utf8")) as { updates: { "package-ecosystem": string }[] };
        assert.deepEqual(dependabot.updates.map((u) => u["package-ecosystem"]).sort(), ["docker", "github-actions", "npm"]);
    });

    it("deploy.yml: nothing a stack file knows is repeated (clusters, locations, Kafka versions, registries, consumer indexes)", () => {
        const { text } = read("deploy.yml");
        for (const e of matrices(ROOT).all) {
            for (const v of [e.cluster, e.registry, e.kafkaClientImage]) assert.ok(!text.includes(v), `deploy.yml repeats ${v}`);
        }
        assert.doesNotMatch(text, /consumers\[\d+\]/, "image paths come from npm run stacks, not a consumer index");
        assert.doesNotMatch(text, /kafka:\s*\d+\.\d+\.\d+|location:\s*[a-z]+-[a-z]+\d/, "no literal Kafka version or location");
    });

    it("deploy.yml: images promoted to prod by the digest staging tested, never rebuilt", () => {
        const { doc } = read("deploy.yml");
        const j = doc.jobs;
        const builds = (job: string) => (j[job].steps as Record<string, any>[]).filter((s) => /docker\/build-push-action/.test(s.uses ?? ""));
        assert.equal(builds("images").length, 3);
        for (const job of ["staging", "integration", "prod"]) assert.equal(builds(job).length, 0, `${job} does not build`);
        for (const b of builds("images"))
            assert.match(b.with.tags, /^\$\{\{ needs\.stacks\.outputs\.tags-[a-z-]+ \}\}$/, "pushed to the staging-tier registries only");
        assert.match(j.images.outputs.digests, /steps\.digests\.outputs/);
        const run = (job: string) => (j[job].steps as Record<string, any>[]).map((s) => s.run ?? "").join("\n");
        for (const job of ["staging", "prod"]) {
            assert.match(run(job), /npm run -s stacks -- --images "\$\{\{ matrix\.stack \}\}" --digests digests\.json/, `${job} deploys by digest`);
            const env = (j[job].steps as Record<string, any>[]).map((s) => s.env?.DIGESTS).filter(Boolean);
            assert.ok(env.every((d: string) => d === "${{ needs.images.outputs.digests }}") && env.length > 0, `${job} uses the images job's digests`);
        }
        assert.match(
            run("prod"),
            /imagetools create --tag "\$\{\{ matrix\.registry \}\}\/\$image:\$IMAGE_TAG" "\$\{\{ matrix\.promoteFrom \}\}\/\$image@\$digest"/,
        );
        assert.match(run("prod"), /test "\$copied" = "\$digest"/, "the promoted digest is checked");
        // Promotion happens after the staging smoke test, behind the production environment.
        assert.ok(j.prod.needs.includes("integration"));
    });
});
