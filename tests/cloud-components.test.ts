import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { Provider as GcpProvider } from "@pulumi/gcp/provider";
import { Provider as AwsProvider } from "@pulumi/aws/provider";
import { GcpLake } from "../components/gcp/lake";
import { GcpNetwork } from "../components/gcp/network";
import { GcpAirflowDatabase } from "../components/gcp/airflow-db";
import { AwsLake } from "../components/aws/lake";
import { AwsBudget } from "../components/aws/budget";
import { AwsAirflowDatabase } from "../components/aws/airflow-db";
import { BiReader } from "../components/bigquery/bi";
import { WarehouseCosts } from "../components/bigquery/costs";
import type { BucketConfig } from "../components/config/data";
import type { StackBase } from "../components/config";
import { CapturedResource, captureRegistrations } from "../plan/capture";
import { PlanMocks } from "../plan/mocks";
import { inputsOf, shippedPlan } from "./support/plans";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { waitForRPCs } = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };

/** Runs `build` under the plan mocks, with no stack config at all, and returns what it registered. */
async function underMocks(build: () => void): Promise<CapturedResource[]> {
    await shippedPlan("staging"); // after any queued plan: the runtime is process-global
    pulumi.runtime.setAllConfig({}, []);
    await pulumi.runtime.setMocks(
        new PlanMocks({ awsAccountId: "111111111111", awsRegion: "eu-west-1", gcpProject: "acme-unit", gcpRegion: "europe-west1" }),
        "dataplatform",
        "components-test",
        false,
    );
    const resources = captureRegistrations();
    await pulumi.runtime.runInPulumiStack(async () => {
        build();
        return {};
    });
    await waitForRPCs();
    return resources;
}

const bucket = (name: string, purpose: "data" | "logs" = "data"): BucketConfig => ({
    name,
    purpose,
    transitions: [],
    noncurrentVersionExpirationDays: 30,
    abortIncompleteUploadDays: 7,
});
const database: StackBase["airflow"]["database"] = {
    postgresVersion: "16",
    instanceClass: "db-custom-2-7680",
    storageGb: 20,
    backupRetentionDays: 7,
    highAvailability: false,
};
const byType = (rs: CapturedResource[], t: string) => rs.filter((r) => r.type === t);

describe("cloud components from narrow args (no stack config)", () => {
    it("GCP: lake, network and Airflow database use the project, region and stack they are given", async () => {
        const rs = await underMocks(() => {
            const provider = new GcpProvider("gcp", { project: "acme-unit", region: "europe-west1" });
            new GcpLake("lake", {
                project: "acme-unit",
                region: "europe-west1",
                stack: "unit",
                environment: "prod",
                buckets: [bucket("raw")],
                softDeleteDays: 7,
                provider,
                kmsKeyName: "projects/acme-unit/locations/europe-west1/keyRings/r/cryptoKeys/storage",
                keyGrants: [],
            });
            new GcpNetwork("net", {
                project: "acme-unit",
                region: "europe-west1",
                stack: "unit",
                environment: "staging",
                provider,
                cidrs: { nodes: "10.0.0.0/20", pods: "10.4.0.0/14", services: "10.8.0.0/20", controlPlane: "172.16.0.0/28" },
            });
            new GcpAirflowDatabase("db", {
                project: "acme-unit",
                region: "europe-west1",
                stack: "unit",
                environment: "staging",
                database,
                provider,
                networkId: "projects/acme-unit/global/networks/n",
                kmsKeyName: "k",
                keyGrants: [],
            });
        });
        const [b] = byType(rs, "gcp:storage/bucket:Bucket");
        assert.equal(inputsOf(b).location, "europe-west1");
        assert.match(inputsOf(b).name, /raw/);
        assert.deepEqual(inputsOf(b).softDeletePolicy, { retentionDurationSeconds: 7 * 86_400 });
        assert.ok(b.protect, "prod buckets are protected");
        const [subnet] = byType(rs, "gcp:compute/subnetwork:Subnetwork");
        assert.equal(inputsOf(subnet).ipCidrRange, "10.0.0.0/20");
        assert.deepEqual(
            inputsOf(subnet).secondaryIpRanges.map((r: any) => r.ipCidrRange),
            ["10.4.0.0/14", "10.8.0.0/20"],
        );
        const [fw] = byType(rs, "gcp:compute/firewall:Firewall");
        assert.deepEqual(inputsOf(fw).sourceRanges, ["172.16.0.0/28"]);
        const [sql] = byType(rs, "gcp:sql/databaseInstance:DatabaseInstance");
        assert.equal(inputsOf(sql).name, "dataplatform-unit-airflow");
        assert.equal(inputsOf(sql).databaseVersion, "POSTGRES_16");
        assert.equal(inputsOf(sql).settings.availabilityType, "ZONAL");
    });

    it("AWS: lake, budget and Airflow database use the account, stack and settings they are given", async () => {
        const rs = await underMocks(() => {
            const provider = new AwsProvider("aws", { region: "eu-west-1", allowedAccountIds: ["111111111111"] });
            new AwsLake("lake", {
                accountId: "111111111111",
                stack: "unit",
                environment: "staging",
                buckets: [bucket("raw"), bucket("logs", "logs")],
                provider,
                kmsKeyArn: "arn:aws:kms:eu-west-1:111111111111:key/x",
            });
            new AwsBudget("budget", { stack: "unit", amount: 250, currency: "USD", thresholds: [0.5, 1], emails: ["ops@example.com"], provider });
            new AwsAirflowDatabase("db", {
                stack: "unit",
                environment: "staging",
                database,
                provider,
                vpcId: "vpc-1",
                privateSubnetIds: ["subnet-a", "subnet-b"],
                clusterSecurityGroupId: "sg-1",
                kmsKeyArn: "arn:aws:kms:eu-west-1:111111111111:key/rds",
                logsKeyArn: "arn:aws:kms:eu-west-1:111111111111:key/logs",
            });
        });
        const names = byType(rs, "aws:s3/bucket:Bucket").map((b) => inputsOf(b).bucket);
        assert.equal(names.length, 2);
        for (const n of names) assert.match(n, /^111111111111-unit-(raw|logs)$/);
        const [budget] = byType(rs, "aws:budgets/budget:Budget");
        assert.equal(inputsOf(budget).limitAmount, "250");
        assert.deepEqual(
            inputsOf(budget).notifications.map((n: any) => n.threshold),
            [50, 100],
        );
        const [rds] = byType(rs, "aws:rds/instance:Instance");
        assert.equal(inputsOf(rds).identifier, "dataplatform-unit-airflow");
        assert.equal(inputsOf(rds).allocatedStorage, 20);
    });

    it("BigQuery: BI reader and cost guardrails use the warehouse project and budget they are given", async () => {
        const rs = await underMocks(() => {
            const provider = new GcpProvider("wh", { project: "acme-wh", region: "europe-west1" });
            new BiReader("bi", {
                project: "acme-wh",
                stack: "unit",
                principals: ["group:bi@example.com"],
                provider,
                dataset: { logicalName: "curated", project: "acme-wh", datasetId: pulumi.output("curated_unit"), resource: provider },
            });
            new WarehouseCosts("costs", {
                project: "acme-wh",
                stack: "unit",
                environment: "staging",
                generation: 3,
                queryUsagePerDayTiB: 1,
                thresholds: [0.9],
                notificationChannels: ["projects/acme-wh/notificationChannels/1"],
                quotaProvider: provider,
                lookupProvider: provider,
                budget: { billingAccount: "01AB23-45CD67-89EF01", amount: 10, currency: "EUR" },
            });
        });
        const [sa] = byType(rs, "gcp:serviceaccount/account:Account");
        assert.equal(inputsOf(sa).project, "acme-wh");
        const impersonators = byType(rs, "gcp:serviceaccount/iAMMember:IAMMember");
        assert.deepEqual(
            impersonators.map((m) => inputsOf(m).member),
            ["group:bi@example.com"],
        );
        const [quota] = byType(rs, "gcp:cloudquota/sQuotaPreference:SQuotaPreference");
        assert.equal(inputsOf(quota).parent, "projects/acme-wh");
        assert.match(inputsOf(quota).name, /-unit-g3$/);
        const [budget] = byType(rs, "gcp:billing/budget:Budget");
        assert.deepEqual(inputsOf(budget).amount.specifiedAmount, { currencyCode: "EUR", units: "10" });
        assert.equal(inputsOf(budget).billingAccount, "01AB23-45CD67-89EF01");
    });
});
