import { z } from "zod";
import { pinnedVersion, Report } from "./common";
import { awsSchema, gcpSchema, labelsSchema, platformRules } from "./platform";
import { networkSchema, networkRules, vaultEgressRules } from "./network";
import { clusterSchema, clusterRules } from "./cluster";
import { kafkaSchema, kafkaRules } from "./kafka";
import { budgetSchema, dataRules, lakeSchema, warehouseSchema } from "./data";
import { airflowSchema, autoscalingSchema, processingRules, sparkSchema } from "./processing";
import { monitoringSchema, servicesRules, vaultSchema } from "./services";
import { workloadRules, workloadsSchema } from "./workloads";
import { CHARTS, ChartKey } from "../versions";
import { SERVICE_ACCOUNTS, VAULT_ROLES } from "../k8s/accounts";
import { KEDA_NAMESPACE, VSO_NAMESPACE } from "../k8s/namespaces";

const chartsSchema = z.strictObject(
    Object.fromEntries(
        Object.entries(CHARTS).map(([k, c]) => [k, pinnedVersion.optional().describe(`${c.chart} chart version (default ${c.version})`)]),
    ) as Record<ChartKey, z.ZodOptional<typeof pinnedVersion>>,
);

/** The whole stack config, keys as they appear below `dataplatform:` in Pulumi.<stack>.yaml. */
export const stackSchema = z
    .strictObject({
        cloud: z.enum(["gcp", "aws"]),
        environment: z.enum(["staging", "prod"]),
        gcp: gcpSchema.optional(),
        aws: awsSchema.optional(),
        labels: labelsSchema,
        network: networkSchema,
        cluster: clusterSchema,
        kafka: kafkaSchema,
        lake: lakeSchema,
        warehouse: warehouseSchema,
        budget: budgetSchema,
        spark: sparkSchema,
        autoscaling: autoscalingSchema,
        airflow: airflowSchema,
        vault: vaultSchema,
        vaultToken: z.string().optional().describe("Vault token for the provider; set with `pulumi config set --secret`, or use VAULT_TOKEN."),
        monitoring: monitoringSchema,
        workloads: workloadsSchema.describe("Team workloads: a ServiceAccount with exactly the listed grants, optional Kafka credentials and Vault role."),
        charts: chartsSchema.default({}),
        gcpImpersonation: z
            .boolean()
            .default(false)
            .describe("GKE: bind pods through an impersonated Google service account (VPC Service Controls) instead of direct principal:// bindings."),
        awsIrsa: z.boolean().default(false).describe("EKS: IRSA instead of EKS Pod Identity."),
        generation: z
            .number()
            .int()
            .min(2)
            .max(99)
            .optional()
            .describe(
                "Generation of a stack destroyed and created again under the same name: names GCP never frees (key rings and keys, the BigQuery quota preference, a workload identity pool id for 30 days) get the suffix `-g<n>`.",
            ),
        cost: z
            .strictObject({
                usdRate: z
                    .number()
                    .positive()
                    .max(10_000)
                    .optional()
                    .describe("Units of budget.currency per USD (the price table's currency); required unless the budget is in USD."),
                enforceBudget: z.boolean().default(false).describe('Make "baseline above budget.amount" a mandatory finding (exit 1) instead of advisory.'),
                priceMaxAgeDays: z.number().int().min(30).max(3650).default(730).describe("`npm test` fails when a price row is older than this."),
            })
            .default({ enforceBudget: false, priceMaxAgeDays: 730 })
            .describe("The cost estimate (`--cost`): currency conversion and the budget check."),
        review: z
            .strictObject({
                retentionFloorHours: z
                    .number()
                    .int()
                    .min(1)
                    .max(24 * 365 * 10)
                    .default(24)
                    .describe("Lowering a Kafka topic's retention below this many hours drops messages the platform promises to keep."),
            })
            .default({ retentionFloorHours: 24 })
            .describe("What the plan diff (`--base`) treats as destructive."),
    })
    .superRefine((cfg, ctx) => {
        const report: Report = (path, value, message) => ctx.addIssue({ code: "custom", path, message, input: value });
        platformRules(cfg, report);
        networkRules(cfg.cloud, cfg.network, report);
        vaultEgressRules(cfg.network, cfg.vault.egressCidrs, report);
        clusterRules(cfg.cloud, cfg.environment, cfg.cluster, report);
        kafkaRules(cfg.environment, cfg.kafka, report);
        dataRules(cfg.cloud, cfg.environment, cfg.lake, cfg.warehouse, cfg.budget, report);
        processingRules(
            cfg.environment,
            cfg.spark,
            cfg.autoscaling,
            cfg.airflow,
            cfg.kafka,
            cfg.lake.buckets.map((b) => b.name),
            cfg.warehouse.datasets.map((d) => d.name),
            cfg.warehouse.schemaDir,
            report,
        );
        servicesRules(
            cfg.environment,
            cfg.vault,
            cfg.monitoring,
            Math.min(cfg.kafka.certificates.clusterCaRenewalDays, cfg.kafka.certificates.clientsCaRenewalDays),
            report,
        );
        if (cfg.budget.currency !== "USD" && cfg.cost.usdRate === undefined) {
            report(
                ["cost", "usdRate"],
                undefined,
                `is required when budget.currency is ${cfg.budget.currency}: ${cfg.budget.currency} per USD, to convert the price table's USD list prices`,
            );
        }
        if (cfg.budget.currency === "USD" && cfg.cost.usdRate !== undefined && cfg.cost.usdRate !== 1)
            report(["cost", "usdRate"], cfg.cost.usdRate, "must be 1 (or unset) when budget.currency is USD");
        // RDS for PostgreSQL on gp3 allocates at least 20 GiB (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Storage.html).
        if (cfg.cloud === "aws" && cfg.airflow.database.storageGb < 20) {
            report(["airflow", "database", "storageGb"], cfg.airflow.database.storageGb, "must be at least 20 on aws (RDS gp3 storage minimum, GiB)");
        }
        workloadRules(
            cfg.workloads,
            {
                buckets: cfg.lake.buckets.map((b) => b.name),
                datasets: cfg.warehouse.datasets.map((d) => d.name),
                kafkaUsers: cfg.kafka.users,
                systemNamespaces: [
                    cfg.kafka.namespace,
                    cfg.monitoring.namespace,
                    cfg.spark.operatorNamespace,
                    KEDA_NAMESPACE,
                    VSO_NAMESPACE,
                    "kube-system",
                    "default",
                ],
                reservedNames: [...Object.values(VAULT_ROLES), ...cfg.vault.apps.map((a) => a.name)],
                reservedAccounts: Object.values(SERVICE_ACCOUNTS),
            },
            report,
        );
        if (cfg.cloud === "gcp" && cfg.awsIrsa) report(["awsIrsa"], true, "is for aws stacks only");
        if (cfg.cloud === "aws" && cfg.gcpImpersonation) report(["gcpImpersonation"], true, "is for gcp stacks only");
    });

type Parsed = z.output<typeof stackSchema>;
type ResolvedVault = Omit<Parsed["vault"], "kvMount" | "authMount" | "pki"> & {
    readonly kvMount: string;
    readonly authMount: string;
    readonly pki: Parsed["vault"]["pki"] & { readonly mount: string };
};

/** What every stack has, whatever its cloud. */
export type StackBase = Readonly<Omit<Parsed, "charts" | "vaultToken" | "vault" | "cloud" | "gcp" | "aws">> & {
    readonly stack: string;
    /** Vault settings with the stack's mounts resolved (defaults derived from the stack name). */
    readonly vault: ResolvedVault;
    /** Resolved chart versions (defaults from versions.ts, overridden by stack config). */
    readonly charts: Readonly<Record<ChartKey, string>>;
    /** Keys that were set as secrets (`secure:`), without the namespace. */
    readonly secretKeys: readonly string[];
    /** Vault token from config, when set (always a secret). */
    readonly vaultToken?: string;
    /** The GCP project that holds BigQuery and its keys. */
    readonly warehouseProject: string;
    readonly warehouseRegion: string;
    /** Whether the offline plan substituted placeholders for `secure:` values. */
    readonly offline: boolean;
};

type GcpConfig = Readonly<NonNullable<Parsed["gcp"]>>;
export type AwsConfig = Readonly<NonNullable<Parsed["aws"]>>;

/** A validated gcp stack: its `gcp` block and the GKE ranges (pods, services, private control plane) are always there. */
export type GcpStack = Omit<StackBase, "network"> & {
    readonly cloud: "gcp";
    readonly gcp: GcpConfig;
    readonly network: StackBase["network"] & { readonly podsCidr: string; readonly servicesCidr: string; readonly controlPlaneCidr: string };
};
/** A validated aws stack: its `aws` block and the GCP budget of its BigQuery project are always there. */
export type AwsStack = Omit<StackBase, "budget"> & {
    readonly cloud: "aws";
    readonly aws: AwsConfig;
    readonly budget: StackBase["budget"] & { readonly warehouse: NonNullable<StackBase["budget"]["warehouse"]> };
};

/** The validated, frozen config: narrowed on `cloud`, so cloud code never asserts a block exists. */
export type PlatformConfig = GcpStack | AwsStack;
