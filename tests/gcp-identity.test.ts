import { strict as assert } from "assert";
import { Provider as GcpProvider } from "@pulumi/gcp/provider";
import { Provider as K8sProvider } from "@pulumi/kubernetes/provider";
import { Bucket } from "@pulumi/gcp/storage/bucket";
import { Dataset } from "@pulumi/gcp/bigquery/dataset";
import type { GcpStack } from "../components/config";
import {
    BUCKET_ROLES,
    DATASET_ROLES,
    datasetIamMember,
    GcpIdentityBinder,
    gcpBinding,
    gsaAccountId,
    ksaImpersonationMember,
    wifPrincipal,
} from "../components/gcp/identity";
import type { Grant } from "../components/interfaces";
import type { CapturedResource } from "../plan/capture";
import { inputsOf, shippedPlan, underMocks } from "./support/plans";
import { gcpStack, stackConfig } from "./support/config";

const NUMBER = "123456789012";
const POOL = "acme-data-staging.svc.id.goog";

/** Binds one workload with every kind of grant under the plan mocks and returns what was registered. */
function bindUnderMocks(cfg: GcpStack): Promise<CapturedResource[]> {
    return underMocks("staging", () => {
        const provider = new GcpProvider("gcp", { project: cfg.gcp.project, region: cfg.gcp.region });
        const k8sProvider = new K8sProvider("k8s", { kubeconfig: "{}" });
        const bucket = new Bucket("raw", { name: "acme-staging-raw", location: "EU" }, { provider });
        const dataset = new Dataset("curated", { datasetId: "curated_staging", project: cfg.warehouseProject, location: "EU" }, { provider });
        const binder = new GcpIdentityBinder(
            {
                project: cfg.gcp.project,
                warehouseProject: cfg.warehouseProject,
                stack: cfg.stack,
                impersonation: cfg.gcpImpersonation,
                provider,
                warehouseProvider: provider,
                k8sProvider,
                projectNumber: NUMBER,
                workloadPool: POOL,
            },
            bucket,
        );
        const b = { logicalName: "raw", name: bucket.name, url: bucket.url, resource: bucket };
        const grants: Grant[] = [
            { kind: "bucket", bucket: b, access: "read" },
            { kind: "bucket", bucket: b, access: "readwrite", prefix: "events/" },
            {
                kind: "dataset",
                dataset: { logicalName: "curated", project: cfg.warehouseProject, datasetId: dataset.datasetId, resource: dataset },
                access: "edit",
            },
            { kind: "bigqueryJobs" },
            { kind: "bigqueryReadSessions" },
        ];
        const wi = binder.bind("spark", { namespace: "spark-jobs", serviceAccountName: "spark-jobs", grants });
        assert.deepEqual([wi.podEnv, wi.podVolumes, wi.podVolumeMounts], [[], [], []]);
    });
}

const byType = (rs: CapturedResource[], t: string) => rs.filter((r) => r.type === t);

describe("GCP identity binding (pure)", () => {
    it("maps each bucket access to one object role at bucket scope", () => {
        for (const access of ["read", "write", "readwrite"] as const) {
            assert.deepEqual(gcpBinding({ kind: "bucket", bucketName: "b", access }), { scope: "bucket", role: BUCKET_ROLES[access] });
        }
        assert.equal(BUCKET_ROLES.read, "roles/storage.objectViewer");
        assert.equal(BUCKET_ROLES.write, "roles/storage.objectCreator");
        assert.equal(BUCKET_ROLES.readwrite, "roles/storage.objectUser");
    });

    it("limits a prefix grant to object names and listings under the prefix", () => {
        const b = gcpBinding({ kind: "bucket", bucketName: "lake", access: "write", prefix: "/events/" });
        assert.equal(b.role, "roles/storage.objectCreator");
        assert.ok(b.condition);
        assert.match(b.condition.expression, /^resource\.name\.startsWith\("projects\/_\/buckets\/lake\/objects\/events\/"\)/);
        assert.match(b.condition.expression, /objectListPrefix", ""\)\.startsWith\("events\/"\)/);
        assert.throws(() => gcpBinding({ kind: "bucket", bucketName: "lake", access: "read", prefix: 'a") || true || ("' }), /prefix/);
    });

    it("maps dataset and BigQuery grants to dataset- or job-level roles, never owner/editor", () => {
        assert.deepEqual(gcpBinding({ kind: "dataset", access: "read" }), { scope: "dataset", role: "roles/bigquery.dataViewer" });
        assert.deepEqual(gcpBinding({ kind: "dataset", access: "edit" }), { scope: "dataset", role: "roles/bigquery.dataEditor" });
        assert.deepEqual(gcpBinding({ kind: "bigqueryJobs" }), { scope: "project", role: "roles/bigquery.jobUser" });
        assert.deepEqual(gcpBinding({ kind: "bigqueryReadSessions" }), { scope: "project", role: "roles/bigquery.readSessionUser" });
        for (const r of [...Object.values(BUCKET_ROLES), ...Object.values(DATASET_ROLES)]) assert.ok(!/^roles\/(owner|editor)$|admin/i.test(r), r);
    });

    it("builds Workload Identity principals and valid service account ids", () => {
        assert.equal(
            wifPrincipal(NUMBER, POOL, "ns", "sa"),
            `principal://iam.googleapis.com/projects/${NUMBER}/locations/global/workloadIdentityPools/${POOL}/subject/ns/ns/sa/sa`,
        );
        assert.equal(ksaImpersonationMember(POOL, "ns", "sa"), `serviceAccount:${POOL}[ns/sa]`);
        for (const n of ["spark", "a-very-long-workload-name-for-airflow-scheduler", "x_Y"]) {
            const id = gsaAccountId("staging", n);
            assert.match(id, /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, id);
        }
        assert.notEqual(gsaAccountId("staging", "spark"), gsaAccountId("prod", "spark"));
    });

    it("writes federated principals in the dataset IAM form the provider accepts, other members unchanged", () => {
        const p = wifPrincipal(NUMBER, POOL, "ns", "sa");
        assert.equal(datasetIamMember(p), `iamMember:${p}`);
        assert.equal(datasetIamMember("principalSet://iam.googleapis.com/x"), "iamMember:principalSet://iam.googleapis.com/x");
        for (const m of ["serviceAccount:a@b.iam.gserviceaccount.com", "group:g@example.com", "iamMember:principal://x"]) assert.equal(datasetIamMember(m), m);
    });
});

describe("GCP identity binder under mocks", () => {
    it("binds the KSA principal directly on each resource, with exactly the scoped role", async () => {
        const rs = await bindUnderMocks(gcpStack(stackConfig("staging")));
        const principal = wifPrincipal(NUMBER, POOL, "spark-jobs", "spark-jobs");
        assert.equal(byType(rs, "dataplatform:gcp:WorkloadIdentity").length, 1);
        const ksa = byType(rs, "kubernetes:core/v1:ServiceAccount");
        assert.equal(ksa.length, 1);
        assert.deepEqual(inputsOf(ksa[0]).metadata.annotations, {});
        assert.equal(inputsOf(ksa[0]).metadata.namespace, "spark-jobs");
        const buckets = byType(rs, "gcp:storage/bucketIAMMember:BucketIAMMember").map(inputsOf);
        assert.deepEqual(
            buckets.map((b) => [b.bucket, b.role, b.member, !!b.condition]),
            [
                ["acme-staging-raw", "roles/storage.objectViewer", principal, false],
                ["acme-staging-raw", "roles/storage.objectUser", principal, true],
            ],
        );
        assert.match(buckets[1].condition.expression, /buckets\/acme-staging-raw\/objects\/events\//);
        const ds = byType(rs, "gcp:bigquery/datasetIamMember:DatasetIamMember").map(inputsOf);
        assert.deepEqual(
            ds.map((d) => [d.project, d.datasetId, d.role, d.member]),
            [["acme-data-staging", "curated_staging", "roles/bigquery.dataEditor", `iamMember:${principal}`]],
        );
        const proj = byType(rs, "gcp:projects/iAMMember:IAMMember").map(inputsOf);
        assert.deepEqual(proj.map((p) => [p.project, p.role, p.member]).sort(), [
            ["acme-data-staging", "roles/bigquery.jobUser", principal],
            ["acme-data-staging", "roles/bigquery.readSessionUser", principal],
        ]);
        assert.equal(byType(rs, "gcp:serviceaccount/account:Account").length, 0);
        assert.equal(byType(rs, "gcp:serviceaccount/key:Key").length, 0);
    });

    it("with gcpImpersonation, grants a per-workload GSA the same scopes and lets only the KSA impersonate it", async () => {
        const rs = await bindUnderMocks(
            gcpStack(
                stackConfig("staging", (r) => {
                    r.gcpImpersonation = true;
                }),
            ),
        );
        const [gsa] = byType(rs, "gcp:serviceaccount/account:Account");
        const email = `${inputsOf(gsa).accountId}@acme-data-staging.iam.gserviceaccount.com`;
        const member = `serviceAccount:${email}`;
        const wiu = byType(rs, "gcp:serviceaccount/iAMMember:IAMMember").map(inputsOf);
        assert.deepEqual(
            wiu.map((w) => [w.role, w.member]),
            [["roles/iam.workloadIdentityUser", ksaImpersonationMember(POOL, "spark-jobs", "spark-jobs")]],
        );
        assert.deepEqual(inputsOf(byType(rs, "kubernetes:core/v1:ServiceAccount")[0]).metadata.annotations, { "iam.gke.io/gcp-service-account": email });
        const members = [
            ...byType(rs, "gcp:storage/bucketIAMMember:BucketIAMMember"),
            ...byType(rs, "gcp:bigquery/datasetIamMember:DatasetIamMember"),
            ...byType(rs, "gcp:projects/iAMMember:IAMMember"),
        ].map((r) => inputsOf(r).member);
        assert.equal(members.length, 5);
        for (const m of members) assert.equal(m, member);
        assert.equal(byType(rs, "gcp:serviceaccount/key:Key").length, 0);
    });
});

describe("GCP identities in the shipped plans", () => {
    for (const stack of ["staging", "prod"]) {
        it(`${stack}: no workload identity holds a project-wide storage, owner or editor role`, async () => {
            const plan = await shippedPlan(stack);
            const wis = new Set(plan.resources.filter((r) => r.type === "dataplatform:gcp:WorkloadIdentity").map((r) => r.urn));
            const bindings = plan.resources.filter((r) => r.parent && wis.has(r.parent) && /IAMMember|IamMember/.test(r.type));
            for (const r of bindings) {
                const i = inputsOf(r);
                assert.ok(!/^roles\/(owner|editor)$|admin/.test(i.role), `${r.urn}: ${i.role}`);
                if (r.type === "gcp:projects/iAMMember:IAMMember")
                    assert.ok(/^roles\/bigquery\.(jobUser|readSessionUser)$/.test(i.role), `${r.urn}: ${i.role}`);
            }
            assert.equal(plan.resources.filter((r) => r.type === "gcp:serviceaccount/key:Key").length, 0);
            assert.ok(wis.size > 0, "at least one workload is bound");
            const pool = `${gcpStack(plan.config).gcp.project}.svc.id.goog`;
            for (const wi of wis) {
                const children = plan.resources.filter((r) => r.parent === wi);
                const ksa = children.filter((r) => r.type === "kubernetes:core/v1:ServiceAccount");
                assert.equal(ksa.length, 1, `${wi}: one KSA`);
                const meta = inputsOf(ksa[0]).metadata;
                const principal = wifPrincipal(NUMBER, pool, meta.namespace, meta.name);
                const own = children.filter((r) => /IAMMember|IamMember/.test(r.type));
                assert.ok(own.length > 0, `${wi}: has bindings`);
                // Dataset IAM writes the same principal as `iamMember:` (provider's iamMemberToAccess).
                for (const r of own) assert.equal(inputsOf(r).member, r.type.includes("datasetIamMember") ? `iamMember:${principal}` : principal, r.urn);
            }
        });
    }
});
