import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { PLATFORM_IMAGES } from "../components/images";
import { matrices } from "../plan/stacks";
import { inputsOf, ofType, shippedPlan, STACKS, variantPlan } from "./support/plans";
import { awsStack } from "./support/config";

const ROOT = path.join(__dirname, "..");
const deploy = parse(fs.readFileSync(path.join(ROOT, ".github", "workflows", "deploy.yml"), "utf8")) as Record<string, any>;

/** Every image string anywhere in a config object. */
function imagesIn(v: unknown, out: string[] = []): string[] {
    if (typeof v === "string") {
        if (/\.(pkg\.dev|amazonaws\.com)\//.test(v)) out.push(v);
    } else if (Array.isArray(v)) v.forEach((x) => imagesIn(x, out));
    else if (v !== null && typeof v === "object") Object.values(v).forEach((x) => imagesIn(x, out));
    return out;
}

describe("image registries", () => {
    it("the image table lists every Dockerfile of the repository, and deploy.yml builds each once", () => {
        const dockerfiles = fs
            .readdirSync(path.join(ROOT, "docker"))
            .map((d) => `docker/${d}/Dockerfile`)
            .filter((f) => fs.existsSync(path.join(ROOT, f)))
            .sort();
        assert.deepEqual(PLATFORM_IMAGES.map((i) => i.dockerfile).sort(), dockerfiles);
        const builds = (deploy.jobs.images.steps as Record<string, any>[]).filter((s) => String(s.uses).startsWith("docker/build-push-action@"));
        for (const image of PLATFORM_IMAGES) {
            const b = builds.find((s) => s.with.file === image.dockerfile);
            assert.ok(b, `${image.dockerfile} is built`);
            // The tags (one per staging-tier registry) come from the stack files: npm run stacks.
            assert.equal(b!.with.tags, `\${{ needs.stacks.outputs.tags-${image.name} }}`);
        }
    });

    it("deploy.yml: registry first, images next, workloads that pull them last", () => {
        const j = deploy.jobs;
        assert.equal(j.registry.needs, "stacks", "the registry needs only the stack matrices");
        assert.deepEqual(j.images.needs, ["stacks", "registry"]);
        assert.deepEqual(j.staging.needs, ["stacks", "images"]);
        assert.equal(j.registry.strategy.matrix.include, "${{ fromJSON(needs.stacks.outputs.staging) }}", "every staging-tier stack's registry");
        for (const job of [j.registry, j.prod]) {
            const run = (job.steps as Record<string, any>[]).map((s) => s.run ?? "").join("\n");
            assert.match(run, /pulumi up --yes --target-dependencies/);
            for (const t of ["gcp:artifactregistry/repository:Repository", "aws:ecr/repository:Repository"]) assert.ok(run.includes(t), t);
        }
    });

    for (const stack of STACKS) {
        it(`${stack}: the program creates the registry its images are pushed to and pulled from, encrypted with its own key`, async () => {
            const plan = await shippedPlan(stack);
            const registry = plan.outputs.registry as string;
            const pushedTo = matrices(ROOT).all.find((m) => m.stack === stack)!.registry;
            assert.equal(registry, pushedTo, "deploy.yml pushes to (or promotes into) the registry the program creates");
            const own = imagesIn(plan.config)
                .filter((i) => i.startsWith(`${registry}/`))
                .map((i) => i.slice(registry.length + 1).split(":")[0]);
            assert.deepEqual([...new Set(own)].sort(), PLATFORM_IMAGES.map((i) => i.name).sort(), "the stack pulls every platform image from its own registry");
            if (plan.config.cloud === "gcp") {
                const [repo, ...more] = ofType(plan, "gcp:artifactregistry/repository:Repository");
                assert.equal(more.length, 0);
                const i = inputsOf(repo);
                assert.equal(`${i.location}-docker.pkg.dev/${i.project}/${i.repositoryId}`, registry);
                assert.equal(i.repositoryId, `dataplatform-${stack}`, "the stack's own repository");
                assert.equal(i.format, "DOCKER");
                assert.equal(i.dockerConfig.immutableTags, true);
                const key = ofType(plan, "gcp:kms/cryptoKey:CryptoKey").find((k) => k.name.endsWith("-keys-registry"))!;
                assert.ok(repo.dependencies.includes(key.urn), "CMEK: the registry key");
                const grant = ofType(plan, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember").find((g) => g.name.endsWith("-keys-registry-agent"))!;
                assert.equal(inputsOf(grant).member, "serviceAccount:service-123456789012@gcp-sa-artifactregistry.iam.gserviceaccount.com");
                assert.ok(repo.dependencies.includes(grant.urn), "the registry waits for its service agent's key grant");
                const agent = ofType(plan, "gcp:projects/serviceIdentity:ServiceIdentity").find(
                    (a) => inputsOf(a).service === "artifactregistry.googleapis.com",
                )!;
                assert.ok(grant.dependencies.includes(agent.urn), "the agent is generated before it is granted");
                const pulls = ofType(plan, "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember").filter((m) => m.dependencies.includes(repo.urn));
                assert.equal(pulls.length, 1, "nodes get read access on the created repository");
                assert.equal(inputsOf(pulls[0]).role, "roles/artifactregistry.reader");
                assert.match(inputsOf(pulls[0]).member, /^serviceAccount:dataplatform-.*-nodes@/);
            } else {
                const repos = ofType(plan, "aws:ecr/repository:Repository").map(inputsOf);
                assert.deepEqual(
                    repos.map((r) => r.name).sort(),
                    PLATFORM_IMAGES.map((i) => `dataplatform-${stack}/${i.name}`).sort(),
                    "the stack's own repositories",
                );
                const ecrKey = ofType(plan, "aws:kms/key:Key").find((k) => k.name.endsWith("-keys-ecr"))!;
                const keyPolicy = JSON.parse(inputsOf(ecrKey).policy);
                assert.ok(JSON.stringify(keyPolicy).includes(`ecr.${awsStack(plan.config).aws.region}.amazonaws.com`));
                for (const r of repos) {
                    assert.equal(r.imageTagMutability, "IMMUTABLE");
                    assert.equal(r.imageScanningConfiguration.scanOnPush, true);
                    assert.deepEqual(
                        r.encryptionConfigurations.map((e: any) => e.encryptionType),
                        ["KMS"],
                    );
                    assert.match(r.encryptionConfigurations[0].kmsKey, /^arn:aws:kms:/);
                    assert.equal(r.forceDelete, plan.config.environment !== "prod");
                }
            }
        });
    }

    it("a team's repository beside the stack's own in the same project gets its own pull grant", async () => {
        const team = "europe-west1-docker.pkg.dev/acme-data-staging/team-x/consumer:1.0.0";
        const plan = await variantPlan("staging", (c) => {
            c["dataplatform:autoscaling"].deployments.consumers[0].image = team;
        });
        const pulls = ofType(plan, "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember").map(inputsOf);
        assert.deepEqual(pulls.map((p) => `${p.project}/${p.location}/${p.repository}`).sort(), [
            "acme-data-staging/europe-west1/dataplatform-staging",
            "acme-data-staging/europe-west1/team-x",
        ]);
    });
});
