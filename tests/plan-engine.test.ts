import { strict as assert } from "assert";
// Resource modules file by file: the package indexes double the type-check's time and memory.
import { Provider as AwsProvider } from "@pulumi/aws/provider";
import { Bucket as S3Bucket } from "@pulumi/aws/s3/bucket";
import { getCallerIdentityOutput } from "@pulumi/aws/getCallerIdentity";
import { Bucket as GcsBucket } from "@pulumi/gcp/storage/bucket";
import { getProjectOutput } from "@pulumi/gcp/organizations/getProject";
import { awsProvider } from "../components/aws/provider";
import { gcpProvider } from "../components/gcp/provider";
import { loadStackConfig } from "../components/config";
import { EngineError, planStack } from "../plan/run";
import { engineProblems } from "../plan/engine";
import type { CapturedResource } from "../plan/capture";
import { res } from "./policy-harness";
import { awsStack, gcpStack } from "./support/config";

/** Plans a shipped stack's config with a small program in place of index.ts: the harness is what is under test. */
function planWith(stack: string, program: () => void): Promise<unknown> {
    return planStack(stack, {
        skipPolicies: true,
        program: async () => {
            program();
            return {};
        },
    });
}

const refusal = (re: RegExp) => (e: unknown) => {
    assert.ok(e instanceof EngineError, `expected EngineError, got ${String(e)}`);
    assert.ok(
        e.problems.some((p) => re.test(p)),
        e.problems.join("\n"),
    );
    return true;
};

describe("offline plan: what the engine would refuse", () => {
    it("fails on two resources with one URN", async () => {
        await assert.rejects(
            planWith("staging", () => {
                const cfg = loadStackConfig();
                const provider = gcpProvider("p", gcpStack(cfg).gcp.project, gcpStack(cfg).gcp.region, {});
                new GcsBucket("twice", { location: "EU" }, { provider });
                new GcsBucket("twice", { location: "EU" }, { provider });
            }),
            refusal(/gcp:storage\/bucket:Bucket::twice: registered 2 times; URNs must be unique/),
        );
    });

    it("fails on a GCP resource whose explicit project is not its provider's", async () => {
        await assert.rejects(
            planWith("staging", () => {
                const cfg = loadStackConfig();
                const provider = gcpProvider("p", gcpStack(cfg).gcp.project, gcpStack(cfg).gcp.region, {});
                new GcsBucket("elsewhere", { location: "EU", project: "someone-elses-project" }, { provider });
            }),
            refusal(/Bucket::elsewhere: project "someone-elses-project" but its provider p is for project "acme-data-staging"/),
        );
    });

    it("fails on a GCP provider for a project the stack does not target, and on a lookup through it", async () => {
        await assert.rejects(
            planWith("staging", () => {
                const provider = gcpProvider("other", "acme-data-prod", "europe-west1", {});
                getProjectOutput({ projectId: "acme-data-staging" }, { provider });
            }),
            (e: unknown) =>
                refusal(/providers:gcp::other: GCP provider for project "acme-data-prod"; this stack targets "acme-data-staging"/)(e) &&
                refusal(
                    /invoke gcp:organizations\/getProject:getProject: projectId "acme-data-staging" but its provider other is for project "acme-data-prod"/,
                )(e),
        );
    });

    it("fails on an AWS provider for another account", async () => {
        await assert.rejects(
            planWith("aws-staging", () => {
                new AwsProvider("other-account", { region: "eu-west-1", allowedAccountIds: ["222222222222"] });
            }),
            refusal(
                /providers:aws::other-account: AWS provider with allowedAccountIds \["222222222222"\]; it must allow exactly the stack's account "111111111111"/,
            ),
        );
    });

    it("fails on a cloud resource or lookup left to the ambient default provider", async () => {
        await assert.rejects(
            planWith("aws-staging", () => {
                const cfg = loadStackConfig();
                awsProvider("ok", awsStack(cfg).aws, {});
                new S3Bucket("ambient", {});
                getCallerIdentityOutput({});
            }),
            (e: unknown) =>
                refusal(/Bucket::ambient: no explicit provider; it would run against the ambient account/)(e) &&
                refusal(/invoke aws:index\/getCallerIdentity:getCallerIdentity: no explicit provider/)(e),
        );
    });

    it("accepts distinct URNs on the stack's own providers (the check is not vacuous on a clean graph)", () => {
        const at = (urn: string, type: string, extra: Partial<CapturedResource> = {}): CapturedResource =>
            res(type, {}, { urn, name: urn.split("::").pop()!, ...extra });
        const provider = at("urn:pulumi:s::p::pulumi:providers:gcp::g", "pulumi:providers:gcp", { inputs: { project: "a" } });
        const bucket = at("urn:pulumi:s::p::gcp:storage/bucket:Bucket::b", "gcp:storage/bucket:Bucket", {
            provider: `${provider.urn}::id`,
            inputs: { project: "a" },
        });
        assert.deepEqual(engineProblems([provider, bucket], [], { gcpProjects: ["a"] }), []);
        assert.equal(engineProblems([provider, bucket, bucket], [], { gcpProjects: ["a"] }).length, 1);
    });
});
