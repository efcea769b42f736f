import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { Bucket } from "@pulumi/aws/s3/bucket";
import { Dataset } from "@pulumi/gcp/bigquery/dataset";
import { loadStackConfig } from "../components/config";
import { AwsFoundation } from "../components/aws/foundation";
import { irsaTrustPolicy, normalizePrefix, podIdentityTrustPolicy, s3Statements } from "../components/aws/identity";
import { bigQueryBindings, credentialConfiguration, federatedPrincipal, federationIds, GCP_TOKEN_DIR, tokenAudience } from "../components/gcp/aws-federation";
import type { BucketRef, DatasetRef, Grant, WorkloadIdentity } from "../components/interfaces";
import type { CapturedResource } from "../plan/capture";
import { inputsOf, ofType, shippedPlan, underMocks } from "./support/plans";
import { awsStack } from "./support/config";

const B = "arn:aws:s3:::111111111111-staging-raw";
const KEY = "arn:aws:kms:eu-west-1:111111111111:key/k";

describe("aws identity: grants → IAM statements", () => {
    it("read on a whole bucket: GetObject on its objects, ListBucket on the bucket", () => {
        assert.deepEqual(s3Statements([{ bucketArn: B, access: "read" }], KEY), [
            { Sid: "ReadObjects0", Effect: "Allow", Action: ["s3:GetObject"], Resource: `${B}/*` },
            { Sid: "ListBucket0", Effect: "Allow", Action: ["s3:ListBucket"], Resource: B },
            { Sid: "LakeKey", Effect: "Allow", Action: ["kms:Decrypt"], Resource: KEY },
        ]);
    });

    it("read on a prefix: objects under the folder, listing limited by s3:prefix", () => {
        assert.deepEqual(s3Statements([{ bucketArn: B, access: "read", prefix: "events" }], KEY), [
            { Sid: "ReadObjects0", Effect: "Allow", Action: ["s3:GetObject"], Resource: `${B}/events/*` },
            {
                Sid: "ListBucket0",
                Effect: "Allow",
                Action: ["s3:ListBucket"],
                Resource: B,
                Condition: { StringLike: { "s3:prefix": ["events/", "events/*"] } },
            },
            { Sid: "LakeKey", Effect: "Allow", Action: ["kms:Decrypt"], Resource: KEY },
        ]);
    });

    it("write: PutObject and AbortMultipartUpload only, and the key to encrypt", () => {
        assert.deepEqual(s3Statements([{ bucketArn: B, access: "write", prefix: "/out/" }], KEY), [
            { Sid: "WriteObjects0", Effect: "Allow", Action: ["s3:PutObject", "s3:AbortMultipartUpload"], Resource: `${B}/out/*` },
            { Sid: "LakeKey", Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: KEY },
        ]);
    });

    it("readwrite on two buckets: both scopes, one key statement, never a wildcard resource", () => {
        const C = "arn:aws:s3:::111111111111-staging-curated";
        const st = s3Statements(
            [
                { bucketArn: B, access: "read" },
                { bucketArn: C, access: "readwrite", prefix: "marts/" },
            ],
            KEY,
        );
        assert.deepEqual(
            st.map((s) => s.Sid),
            ["ReadObjects0", "ListBucket0", "ReadObjects1", "ListBucket1", "WriteObjects1", "DeleteObjects1", "ListUploads1", "LakeKey"],
        );
        assert.equal(st.find((s) => s.Sid === "WriteObjects1")!.Resource, `${C}/marts/*`);
        // readwrite may delete, inside its prefix only; plain write may not.
        assert.deepEqual(
            st.find((s) => s.Sid === "DeleteObjects1"),
            { Sid: "DeleteObjects1", Effect: "Allow", Action: ["s3:DeleteObject"], Resource: `${C}/marts/*` },
        );
        assert.ok(!s3Statements([{ bucketArn: C, access: "write" }], KEY).some((s) => [s.Action].flat().includes("s3:DeleteObject")));
        for (const s of st) for (const r of [s.Resource].flat()) assert.ok(r !== "*" && !r!.startsWith("arn:aws:s3:::*"), JSON.stringify(s));
        assert.deepEqual(s3Statements([], KEY), []);
    });

    it("normalizes prefixes to folders", () => {
        assert.equal(normalizePrefix(undefined), "");
        assert.equal(normalizePrefix("/a/b"), "a/b/");
        assert.equal(normalizePrefix("a/"), "a/");
    });

    it("trusts EKS Pod Identity, or with IRSA exactly one ServiceAccount", () => {
        assert.deepEqual(podIdentityTrustPolicy().Statement, [
            { Sid: "EksPodIdentity", Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] },
        ]);
        const irsa = irsaTrustPolicy(
            "arn:aws:iam::1:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/X",
            "https://oidc.eks.eu-west-1.amazonaws.com/id/X",
            "ns",
            "sa",
        );
        assert.deepEqual((irsa.Statement[0] as any).Condition.StringEquals, {
            "oidc.eks.eu-west-1.amazonaws.com/id/X:sub": "system:serviceaccount:ns:sa",
            "oidc.eks.eu-west-1.amazonaws.com/id/X:aud": "sts.amazonaws.com",
        });
    });
});

describe("aws identity: BigQuery federation rules", () => {
    const ds = { logicalName: "curated", project: "p", datasetId: pulumi.output("curated"), resource: undefined as unknown as pulumi.Resource } as DatasetRef;
    it("maps dataset grants to dataset roles and job/read-session grants to project roles, once each", () => {
        const b = bigQueryBindings([
            { kind: "dataset", dataset: ds, access: "read" },
            { kind: "dataset", dataset: ds, access: "edit" },
            { kind: "bigqueryJobs" },
            { kind: "bigqueryJobs" },
            { kind: "bigqueryReadSessions" },
        ]);
        assert.deepEqual(
            b.map((x) => [x.scope, x.role]),
            [
                ["dataset", "roles/bigquery.dataViewer"],
                ["dataset", "roles/bigquery.dataEditor"],
                ["project", "roles/bigquery.jobUser"],
                ["project", "roles/bigquery.readSessionUser"],
            ],
        );
    });
    it("writes an external-account credential configuration, not a key", () => {
        const c = credentialConfiguration("projects/1/locations/global/workloadIdentityPools/p/providers/eks-oidc");
        assert.deepEqual(c, {
            universe_domain: "googleapis.com",
            type: "external_account",
            audience: "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/eks-oidc",
            subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
            token_url: "https://sts.googleapis.com/v1/token",
            credential_source: { file: `${GCP_TOKEN_DIR}/token`, format: { type: "text" } },
        });
    });
    it("names principals by ServiceAccount subject and ids within GCP limits", () => {
        assert.equal(
            federatedPrincipal("projects/1/locations/global/workloadIdentityPools/p", "ns", "sa"),
            "principal://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/subject/system:serviceaccount:ns:sa",
        );
        assert.equal(
            tokenAudience("projects/1/locations/global/workloadIdentityPools/p", "eks-oidc"),
            "https://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/eks-oidc",
        );
        const ids = federationIds("aws-prod-with-a-very-long-stack-name-indeed");
        assert.match(ids.poolId, /^[a-z][a-z0-9-]{2,30}[a-z0-9]$/);
        assert.ok(!ids.poolId.startsWith("gcp-"));
    });
});

interface WorkloadPlan {
    resources: CapturedResource[];
    warehouseProject: string;
    pod: { env: any[]; volumes: any[]; mounts: any[] };
}

/**
 * Evaluates the AWS foundation of a shipped stack under the plan mocks with workloads bound to a lake bucket and
 * a BigQuery dataset, the way the data layers bind theirs.
 */
async function planWorkloads(stack: string, mutate: (c: Record<string, any>) => void = () => undefined): Promise<WorkloadPlan> {
    let pod: WorkloadPlan["pod"] = { env: [], volumes: [], mounts: [] };
    let warehouseProject = "";
    const resources = await underMocks(
        stack,
        () => {
            const cfg = awsStack(loadStackConfig());
            warehouseProject = cfg.warehouseProject;
            const f = new AwsFoundation("foundation", { config: cfg });
            const bucket = new Bucket("raw", { bucket: `${cfg.aws.accountId}-${cfg.environment}-raw` }, { provider: f.provider });
            const dataset = new Dataset("curated", { datasetId: "curated", location: "EU" }, { provider: f.warehouseProvider });
            const bucketRef: BucketRef = {
                logicalName: "raw",
                name: bucket.bucket,
                url: pulumi.interpolate`s3://${bucket.bucket}`,
                arn: bucket.arn,
                resource: bucket,
            };
            const datasetRef: DatasetRef = { logicalName: "curated", project: cfg.warehouseProject, datasetId: dataset.datasetId, resource: dataset };
            const grants: Grant[] = [
                { kind: "bucket", bucket: bucketRef, access: "read", prefix: "events/" },
                { kind: "dataset", dataset: datasetRef, access: "edit" },
                { kind: "bigqueryJobs" },
                { kind: "bigqueryReadSessions" },
            ];
            const wi: WorkloadIdentity = f.identity.bind("jobs", { namespace: "spark-jobs", serviceAccountName: "spark-jobs", grants });
            f.identity.bind("sink", {
                namespace: "ingestion",
                serviceAccountName: "ingestion",
                grants: [{ kind: "bucket", bucket: bucketRef, access: "write" }],
            });
            pulumi.all([pulumi.output(wi.podEnv), pulumi.output(wi.podVolumes), pulumi.output(wi.podVolumeMounts)]).apply(([env, volumes, mounts]) => {
                pod = { env, volumes, mounts };
            });
        },
        mutate,
    );
    return { resources, pod, warehouseProject };
}

describe("aws identity: bound workloads (aws-staging, Pod Identity)", () => {
    let p: WorkloadPlan;
    before(async () => {
        p = await planWorkloads("aws-staging");
    });

    it("creates one WorkloadIdentity component per binding, owning ServiceAccount, role and association", () => {
        const wis = ofType(p, "dataplatform:aws:WorkloadIdentity");
        assert.deepEqual(wis.map((w) => w.name).sort(), ["jobs", "sink"]);
        const jobs = wis.find((w) => w.name === "jobs")!;
        const children = p.resources
            .filter((r) => r.parent === jobs.urn)
            .map((r) => r.type)
            .sort();
        assert.ok(
            children.includes("kubernetes:core/v1:ServiceAccount") &&
                children.includes("aws:iam/role:Role") &&
                children.includes("aws:eks/podIdentityAssociation:PodIdentityAssociation"),
            children.join(","),
        );
        const sa = inputsOf(ofType(p, "kubernetes:core/v1:ServiceAccount").find((r) => r.parent === jobs.urn)!);
        assert.deepEqual([sa.metadata.name, sa.metadata.namespace], ["spark-jobs", "spark-jobs"]);
        assert.equal(sa.metadata.annotations, undefined);
    });

    it("trusts Pod Identity and associates the role with exactly that ServiceAccount", () => {
        const role = inputsOf(ofType(p, "aws:iam/role:Role").find((r) => r.name === "jobs")!);
        assert.deepEqual(JSON.parse(role.assumeRolePolicy), podIdentityTrustPolicy());
        const pia = ofType(p, "aws:eks/podIdentityAssociation:PodIdentityAssociation").map(inputsOf);
        const jobs = pia.find((a) => a.serviceAccount === "spark-jobs")!;
        assert.deepEqual([jobs.clusterName, jobs.namespace], ["dataplatform-aws-staging", "spark-jobs"]);
        assert.match(jobs.roleArn, /^arn:aws:iam::111111111111:role\/jobs/);
    });

    it("scopes each role's policy to its bucket, prefix and the lake key", () => {
        const policies = Object.fromEntries(
            ofType(p, "aws:iam/rolePolicy:RolePolicy")
                .filter((r) => r.name.endsWith("-s3"))
                .map((r) => [r.name, JSON.parse(inputsOf(r).policy)]),
        );
        const s3Key = ofType(p, "aws:kms/key:Key").find((k) => k.name === "foundation-keys-s3")!;
        assert.ok(s3Key);
        const keyArn = policies["jobs-s3"].Statement.at(-1).Resource;
        assert.match(keyArn, /^arn:aws:kms:eu-west-1:111111111111:key\//);
        assert.deepEqual(policies["jobs-s3"].Statement, s3Statements([{ bucketArn: B, access: "read", prefix: "events/" }], keyArn));
        assert.deepEqual(policies["sink-s3"].Statement, s3Statements([{ bucketArn: B, access: "write" }], keyArn));
    });

    it("federates the EKS issuer into a GCP workload identity pool", () => {
        const pool = inputsOf(ofType(p, "gcp:iam/workloadIdentityPool:WorkloadIdentityPool")[0]);
        assert.deepEqual([pool.project, pool.workloadIdentityPoolId], [p.warehouseProject, "eks-aws-staging"]);
        const prov = ofType(p, "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider");
        assert.equal(prov.length, 1);
        const i = inputsOf(prov[0]);
        const cluster = ofType(p, "aws:eks/cluster:Cluster")[0];
        assert.match(i.oidc.issuerUri, /^https:\/\/oidc\.eks\.eu-west-1\.amazonaws\.com\/id\/[0-9A-F]{32}$/);
        assert.ok(prov[0].dependencies.includes(cluster.urn), "provider trusts the cluster's issuer");
        assert.deepEqual(i.oidc.allowedAudiences, [
            "https://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/eks-aws-staging/providers/eks-oidc",
        ]);
        assert.equal(i.attributeMapping["google.subject"], "assertion.sub");
        assert.match(prov[0].provider ?? "", /pulumi:providers:gcp::foundation-warehouse::/);
    });

    it("binds the pod's principal to the dataset and the warehouse project roles, keylessly", () => {
        const principal =
            "principal://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/eks-aws-staging/subject/system:serviceaccount:spark-jobs:spark-jobs";
        const dsm = ofType(p, "gcp:bigquery/datasetIamMember:DatasetIamMember").map(inputsOf);
        // Dataset IAM takes federated principals only as iamMember:… (the provider refuses a bare principal://).
        assert.deepEqual(
            dsm.map((m) => [m.datasetId, m.role, m.member, m.project]),
            [["curated", "roles/bigquery.dataEditor", `iamMember:${principal}`, p.warehouseProject]],
        );
        const pm = ofType(p, "gcp:projects/iAMMember:IAMMember").map(inputsOf);
        assert.deepEqual(pm.map((m) => [m.project, m.role, m.member]).sort(), [
            [p.warehouseProject, "roles/bigquery.jobUser", principal],
            [p.warehouseProject, "roles/bigquery.readSessionUser", principal],
        ]);
        const bucketOnly = ofType(p, "dataplatform:aws:WorkloadIdentity").find((w) => w.name === "sink")!;
        assert.equal(
            p.resources.filter((r) => r.parent === bucketOnly.urn && (r.type.startsWith("gcp:") || r.type === "kubernetes:core/v1:ConfigMap")).length,
            0,
        );
    });

    it("delivers the credential configuration as a ConfigMap and mounts it with a projected token", () => {
        const cm = ofType(p, "kubernetes:core/v1:ConfigMap")
            .map(inputsOf)
            .find((c) => c.metadata.name === "spark-jobs-gcp-credentials")!;
        assert.equal(cm.metadata.namespace, "spark-jobs");
        const conf = JSON.parse(cm.data["credentials.json"]);
        assert.equal(conf.type, "external_account");
        assert.equal(conf.audience, "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/eks-aws-staging/providers/eks-oidc");
        assert.equal(conf.subject_token_type, "urn:ietf:params:oauth:token-type:jwt");
        assert.equal(conf.token_url, "https://sts.googleapis.com/v1/token");
        assert.equal(conf.credential_source.file, "/var/run/secrets/tokens/gcp/token");
        assert.ok(!("private_key" in conf) && !("service_account_impersonation_url" in conf));

        const env = Object.fromEntries(p.pod.env.map((e) => [e.name, e.value]));
        assert.equal(env.GOOGLE_APPLICATION_CREDENTIALS, "/etc/gcp/credentials.json");
        const token = p.pod.volumes.find((v) => v.projected)!;
        assert.deepEqual(token.projected.sources[0].serviceAccountToken, {
            audience: "https://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/eks-aws-staging/providers/eks-oidc",
            expirationSeconds: 3600,
            path: "token",
        });
        assert.equal(p.pod.volumes.find((v) => v.configMap)!.configMap.name, "spark-jobs-gcp-credentials");
        assert.deepEqual(
            p.pod.mounts.map((m) => [m.name, m.mountPath, m.readOnly]),
            [
                ["gcp-token", "/var/run/secrets/tokens/gcp", true],
                ["gcp-credentials", "/etc/gcp", true],
            ],
        );
    });

    it("creates no static credential of any cloud", () => {
        const bad = p.resources.filter((r) =>
            ["gcp:serviceaccount/key:Key", "gcp:serviceaccount/account:Account", "aws:iam/accessKey:AccessKey", "aws:iam/user:User"].includes(r.type),
        );
        assert.deepEqual(
            bad.map((r) => r.urn),
            [],
        );
        const text = JSON.stringify(p.resources.map((r) => r.inputs));
        assert.ok(!/private_key|BEGIN PRIVATE KEY|aws_secret_access_key/i.test(text));
    });
});

describe("aws identity: IRSA option (aws-prod)", () => {
    let p: WorkloadPlan;
    before(async () => {
        p = await planWorkloads("aws-prod", (c) => {
            c["dataplatform:awsIrsa"] = true;
        });
    });

    it("registers the cluster issuer once and trusts only the workload's ServiceAccount", () => {
        const oidc = ofType(p, "aws:iam/openIdConnectProvider:OpenIdConnectProvider").map(inputsOf);
        assert.equal(oidc.length, 1);
        assert.deepEqual(oidc[0].clientIdLists, ["sts.amazonaws.com"]);
        const workloads = new Set(ofType(p, "dataplatform:aws:WorkloadIdentity").map((w) => w.urn));
        assert.equal(ofType(p, "aws:eks/podIdentityAssociation:PodIdentityAssociation").filter((r) => workloads.has(r.parent!)).length, 0);
        const trust = JSON.parse(inputsOf(ofType(p, "aws:iam/role:Role").find((r) => r.name === "jobs")!).assumeRolePolicy);
        const st = trust.Statement[0];
        assert.equal(st.Action, "sts:AssumeRoleWithWebIdentity");
        assert.match(st.Principal.Federated, /^arn:aws:iam::222222222222:oidc-provider\/oidc\.eks\.eu-west-1\.amazonaws\.com\/id\//);
        const host = oidc[0].url.replace("https://", "");
        assert.deepEqual(st.Condition.StringEquals, { [`${host}:sub`]: "system:serviceaccount:spark-jobs:spark-jobs", [`${host}:aud`]: "sts.amazonaws.com" });
        const sa = inputsOf(ofType(p, "kubernetes:core/v1:ServiceAccount").find((r) => inputsOf(r).metadata.name === "spark-jobs")!);
        assert.match(sa.metadata.annotations["eks.amazonaws.com/role-arn"], /^arn:aws:iam::222222222222:role\/jobs/);
    });
});

describe("aws identity: the shipped aws stacks' workloads", () => {
    for (const stack of ["aws-staging", "aws-prod"]) {
        it(`${stack}: every workload with BigQuery grants reaches BigQuery keylessly, every S3 policy is scoped`, async function () {
            const plan = await shippedPlan(stack);
            const wis = ofType(plan, "dataplatform:aws:WorkloadIdentity");
            if (wis.length === 0) this.skip();
            const pool = inputsOf(ofType(plan, "gcp:iam/workloadIdentityPool:WorkloadIdentityPool")[0]).workloadIdentityPoolId;
            let federated = 0;
            for (const wi of wis) {
                const kids = plan.resources.filter((r) => r.parent === wi.urn);
                const sa = inputsOf(kids.find((r) => r.type === "kubernetes:core/v1:ServiceAccount")!).metadata;
                const members = kids
                    .filter((r) => r.type === "gcp:bigquery/datasetIamMember:DatasetIamMember" || r.type === "gcp:projects/iAMMember:IAMMember")
                    .map(inputsOf);
                const principal = `principal://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/${pool}/subject/system:serviceaccount:${sa.namespace}:${sa.name}`;
                for (const m of members) {
                    assert.equal(m.member, m.datasetId !== undefined ? `iamMember:${principal}` : principal, wi.urn);
                }
                if (members.length > 0) {
                    federated++;
                    const cm = kids.map(inputsOf).find((r) => r.data?.["credentials.json"]);
                    assert.ok(cm, `${wi.urn} has its credential ConfigMap`);
                    assert.equal(JSON.parse(cm!.data["credentials.json"]).type, "external_account");
                    assert.equal(cm!.metadata.namespace, sa.namespace);
                }
                for (const pol of kids.filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy").map((r) => JSON.parse(inputsOf(r).policy))) {
                    for (const st of pol.Statement)
                        for (const res of [st.Resource].flat()) assert.ok(res !== "*" && /^arn:aws:(s3|kms):/.test(res), JSON.stringify(st));
                }
            }
            assert.ok(federated > 0, "at least one workload uses BigQuery from AWS");
            const bad = plan.resources.filter((r) => ["gcp:serviceaccount/key:Key", "aws:iam/accessKey:AccessKey"].includes(r.type));
            assert.deepEqual(bad, []);
        });
    }
});
