import { strict as assert } from "assert";
import { expectProblem, stackConfig } from "./support/config";
import { inputsOf, shippedPlan, variantPlan } from "./support/plans";
import type { Plan } from "../plan/run";
import { reveal } from "../plan/capture";

/** The worked example of the README: team-x reads raw/team-x/, reads curated, runs queries, consumes with the spark-streaming user. */
const TEAM_X = {
    name: "team-x",
    namespace: "spark-jobs",
    serviceAccount: "team-x-jobs",
    grants: [{ bucket: "raw", prefix: "team-x/", access: "read" }, { dataset: "curated", access: "read" }, { bigquery: "jobs" }],
    kafkaUser: "spark-streaming",
    vault: true,
};
const withTeamX = (c: Record<string, any>) => {
    c["dataplatform:workloads"] = [TEAM_X];
};

/** Cloud and Vault resources of a plan that belong to the workload (created under its component). */
const ownedBy = (plan: Plan, prefix: string) => plan.resources.filter((r) => r.name.startsWith(prefix) && !r.type.startsWith("dataplatform:"));
const text = (r: Plan["resources"][number]) => JSON.stringify(reveal(r.inputs));

describe("workloads from config", () => {
    it("GCP: the workload gets exactly its grants, and nothing else mentions its identity", async () => {
        const plan = await variantPlan("staging", withTeamX);
        const cfg = plan.config;
        const mine = ownedBy(plan, "workloads-team-x");
        const grants = mine.filter((r) => /IamMember|IAMMember/.test(r.type) && !/serviceaccount\/iAMMember/.test(r.type));
        const summary = grants
            .map((g) => {
                const i = inputsOf(g);
                return [g.type.split(":")[1], i.bucket ? "bucket" : i.datasetId ? "dataset" : "project", i.role, i.condition ? "prefix" : ""];
            })
            .sort();
        assert.deepEqual(
            summary,
            [
                ["bigquery/datasetIamMember", "dataset", "roles/bigquery.dataViewer", ""],
                ["projects/iAMMember", "project", "roles/bigquery.jobUser", ""],
                ["storage/bucketIAMMember", "bucket", "roles/storage.objectViewer", "prefix"],
            ].sort(),
        );
        const bucketGrant = grants.find((g) => inputsOf(g).bucket)!;
        assert.ok(String(inputsOf(bucketGrant).bucket).endsWith("-raw"));
        assert.match(text(bucketGrant), /team-x\//);
        assert.equal(inputsOf(grants.find((g) => inputsOf(g).datasetId)!).datasetId, "curated_staging");
        // No other resource grants anything to the workload's principal.
        const member = inputsOf(grants[0]).member as string;
        const others = plan.resources.filter(
            (r) => !r.name.startsWith("workloads-team-x") && /IamMember|IAMMember|Binding/.test(r.type) && text(r).includes(member),
        );
        assert.deepEqual(
            others.map((r) => r.name),
            [],
        );
        const sa = mine.find((r) => r.type === "kubernetes:core/v1:ServiceAccount")!;
        assert.deepEqual([inputsOf(sa).metadata.name, inputsOf(sa).metadata.namespace], ["team-x-jobs", cfg.spark.jobNamespace]);
        // Its Vault role binds only its ServiceAccount and reads only its own KV path.
        const role = plan.resources.find((r) => r.type === "vault:kubernetes/authBackendRole:AuthBackendRole" && inputsOf(r).roleName === "team-x")!;
        assert.deepEqual([inputsOf(role).boundServiceAccountNames, inputsOf(role).boundServiceAccountNamespaces], [["team-x-jobs"], ["spark-jobs"]]);
        const policy = plan.resources.find((r) => r.type === "vault:index/policy:Policy" && inputsOf(r).name?.endsWith("team-x"))!;
        assert.match(inputsOf(policy).policy, new RegExp(`${cfg.vault.kvMount}/data/team-x/\\*`));
        assert.doesNotMatch(inputsOf(policy).policy, /airflow|spark-jobs\//);
        assert.ok(plan.outputs.workloads, "stack output lists the workload");
    });

    it("AWS: one role whose policy allows exactly the prefix read, and the BigQuery grants through federation", async () => {
        const plan = await variantPlan("aws-staging", withTeamX);
        const mine = ownedBy(plan, "workloads-team-x");
        const s3 = mine.filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy");
        assert.equal(s3.length, 1);
        const doc = JSON.parse(inputsOf(s3[0]).policy);
        const actions = doc.Statement.flatMap((st: any) => [].concat(st.Action)).sort();
        // Reading SSE-KMS objects needs Decrypt on the lake key.
        assert.deepEqual([...new Set(actions)], ["kms:Decrypt", "s3:GetObject", "s3:ListBucket"]);
        assert.ok(
            doc.Statement.filter((st: any) => JSON.stringify(st).includes("s3:")).every((st: any) => JSON.stringify(st).includes("aws-staging-raw")),
            "only the raw bucket",
        );
        assert.match(JSON.stringify(doc), /team-x\//);
        const bq = mine
            .filter((r) => /gcp:(bigquery\/datasetIamMember|projects\/iAMMember)/.test(r.type))
            .map((r) => inputsOf(r).role)
            .sort();
        assert.deepEqual(bq, ["roles/bigquery.dataViewer", "roles/bigquery.jobUser"]);
    });

    it("without workloads the shipped plans have no workload resources", async () => {
        const plan = await shippedPlan("staging");
        assert.equal(plan.resources.filter((r) => r.name.startsWith("workloads")).length, 0);
    });

    it("validates against the declared buckets, datasets, Kafka users and namespaces", () => {
        const w = (patch: Record<string, unknown>) => (r: Record<string, any>) => {
            r.workloads = [{ ...TEAM_X, ...patch }];
        };
        expectProblem(
            "staging",
            w({ grants: [{ bucket: "gold", access: "read" }] }),
            "dataplatform:workloads[0].grants[0].bucket",
            /is not a bucket in lake.buckets \(raw, curated, archive, logs\)/,
        );
        expectProblem(
            "staging",
            w({ grants: [{ dataset: "marts", access: "read" }] }),
            "dataplatform:workloads[0].grants[0].dataset",
            /is not a dataset in warehouse.datasets/,
        );
        expectProblem("staging", w({ kafkaUser: "nobody" }), "dataplatform:workloads[0].kafkaUser", /is not a user in kafka.users/);
        expectProblem("staging", w({ namespace: "team-x" }), "dataplatform:workloads[0].kafkaUser", /does not list namespace team-x/);
        expectProblem("staging", w({ namespace: "kafka", kafkaUser: undefined }), "dataplatform:workloads[0].namespace", /platform system namespace/);
        expectProblem("staging", w({ serviceAccount: "airflow" }), "dataplatform:workloads[0].serviceAccount", /is taken/);
        expectProblem("staging", w({ name: "airflow" }), "dataplatform:workloads[0].name", /built-in application/);
        expectProblem("staging", w({ grants: [{ bucket: "raw", access: "delete" }] }), "dataplatform:workloads[0].grants[0]", /must be one of/);
        assert.equal(stackConfig("staging", w({})).workloads[0].name, "team-x");
    });
});
