import { z } from "zod";
import { name, posInt, Report } from "./common";

/** Cold classes, warmest first: lifecycle transitions may only move data to a colder class. */
export const GCS_CLASSES = ["NEARLINE", "COLDLINE", "ARCHIVE"] as const;
/** The S3 lifecycle "waterfall", warmest first. */
const S3_CLASSES = ["STANDARD_IA", "INTELLIGENT_TIERING", "ONEZONE_IA", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"] as const;
/** S3 rejects transitions to these classes before 30 days, and keeps objects there 30 days before the next one. */
const S3_IA_CLASSES: readonly string[] = ["STANDARD_IA", "ONEZONE_IA"];

const transition = z.strictObject({
    ageDays: posInt.describe("age in days after which objects move to storageClass"),
    storageClass: z.string().describe("Target class: GCS NEARLINE/COLDLINE/ARCHIVE or S3 STANDARD_IA/GLACIER_IR/DEEP_ARCHIVE..."),
});

const bucket = z.strictObject({
    /** Logical name; the real bucket is <project|account>-<env>-<name>. */
    name: name.describe("logical name; the real bucket is <project|account>-<stack>-<name>"),
    purpose: z.enum(["data", "logs"]).default("data").describe("data, or logs (exactly one bucket receives the platform's logs)"),
    transitions: z.array(transition).default([]).describe("storage class transitions by age"),
    expirationDays: posInt.optional().describe("Delete objects this many days after creation (logs retention)."),
    noncurrentVersionExpirationDays: posInt.default(30).describe("delete noncurrent object versions after this many days"),
    abortIncompleteUploadDays: posInt.default(7).describe("abort incomplete multipart uploads after this many days"),
});
export type BucketConfig = z.infer<typeof bucket>;

export const lakeSchema = z.strictObject({
    softDeleteDays: z.number().int().min(7).max(90).default(7).describe("GCS soft-delete retention in prod (7-90 days)."),
    buckets: z.array(bucket).min(1).describe("lake buckets"),
});
export type LakeConfig = z.infer<typeof lakeSchema>;

const dataset = z.strictObject({
    name: z
        .string()
        .regex(/^[a-z][a-z0-9_]{0,60}$/, "must be a dataset name of lower-case letters, digits and '_'")
        .describe("Dataset id suffix; the dataset is <name>_<env>."),
    description: z.string().default("").describe("dataset description"),
    defaultTableExpirationDays: posInt.optional().describe("Staging only: tables expire after this many days."),
    tables: z
        .array(z.string().regex(/^[a-z][a-z0-9_]{0,127}$/, "must be a table id (a schema file name without .json)"))
        .optional()
        .describe("Tables this stack creates (schema files <schemaDir>/<name>/<table>.json); default: every file of the folder."),
});

export const warehouseSchema = z.strictObject({
    project: z
        .string()
        .regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, "must be a GCP project id")
        .optional()
        .describe("GCP project that holds BigQuery; defaults to gcp.project on GCP stacks, required on AWS stacks."),
    region: z.string().optional().describe("Region for BigQuery and its KMS key on AWS stacks; defaults to gcp.region."),
    location: z.string().min(2).describe("BigQuery location of the datasets (EU, US or a region)"),
    datasets: z.array(dataset).min(1).describe("BigQuery datasets (ids <name>_<stack>)"),
    schemaDir: z.string().default("schemas/bigquery").describe("Folder of table schema files, one sub-folder per dataset, one JSON file per table."),
    queryUsagePerDayTiB: z.number().positive().max(1000).describe("Custom quota QueryUsagePerDay in TiB for the project."),
    biDataset: z.string().describe("The dataset BI tools read (Tableau, QlikSense)."),
    biPrincipals: z
        .array(z.string().regex(/^(group|user|domain|serviceAccount|principalSet):.+/, "must be an IAM member such as group:bi@example.com"))
        .default([])
        .describe("Who may act as the BI reader (group or domain members that sign in to Tableau/Qlik)."),
});
export type WarehouseConfig = z.infer<typeof warehouseSchema>;

export const budgetSchema = z.strictObject({
    amount: z.number().positive().describe("monthly budget amount in budget.currency"),
    currency: z.enum(["EUR", "USD", "GBP"]).describe("currency of the budget amounts"),
    thresholds: z.array(z.number().positive().max(2)).min(1).default([0.5, 0.9, 1.0]).describe("Fractions of the amount at which to alert, ascending."),
    notificationChannels: z
        .array(z.string())
        .default([])
        .describe("Cloud Monitoring notification channel ids (GCP), e.g. projects/p/notificationChannels/123."),
    emails: z.array(z.email()).default([]).describe("E-mail subscribers (AWS budget)."),
    warehouse: z
        .strictObject({
            billingAccount: z
                .string()
                .regex(/^[0-9A-F]{6}-[0-9A-F]{6}-[0-9A-F]{6}$/, "must be a billing account id such as 01AB23-45CD67-89EF01")
                .describe("billing account of the warehouse project"),
            amount: z.number().positive().describe("monthly budget of the warehouse project"),
            currency: z.enum(["EUR", "USD", "GBP"]).describe("currency of the warehouse budget"),
        })
        .optional()
        .describe(
            "AWS stacks only: the GCP billing budget of the BigQuery project (its spend is billed by Google, not AWS). On GCP stacks the one billing budget covers the whole project with amount/currency above.",
        ),
});
export type BudgetConfig = z.infer<typeof budgetSchema>;

export function dataRules(
    cloud: "gcp" | "aws",
    environment: "staging" | "prod",
    lake: LakeConfig,
    wh: WarehouseConfig,
    budget: BudgetConfig,
    report: Report,
): void {
    const classes: readonly string[] = cloud === "gcp" ? GCS_CLASSES : S3_CLASSES;
    const names = new Set<string>();
    lake.buckets.forEach((b, i) => {
        const at = (...p: (string | number)[]) => ["lake", "buckets", i, ...p];
        if (names.has(b.name)) report(at("name"), b.name, "is a duplicate bucket name");
        names.add(b.name);
        let prev = 0;
        let prevClass = -1;
        b.transitions.forEach((t, j) => {
            if (t.ageDays <= prev)
                report(at("transitions", j, "ageDays"), t.ageDays, `must be larger than the previous transition's age (${prev}): ages are strictly ascending`);
            const rank = classes.indexOf(t.storageClass);
            if (rank < 0)
                report(at("transitions", j, "storageClass"), t.storageClass, `is not a ${cloud === "gcp" ? "GCS" : "S3"} cold class (${classes.join(", ")})`);
            else if (rank <= prevClass)
                report(
                    at("transitions", j, "storageClass"),
                    t.storageClass,
                    `must be colder than the previous transition's class (${classes[prevClass]}); order: ${classes.join(" < ")}`,
                );
            if (cloud === "aws" && S3_IA_CLASSES.includes(t.storageClass) && t.ageDays < 30) {
                report(at("transitions", j, "ageDays"), t.ageDays, `must be at least 30 for ${t.storageClass} (S3 rejects earlier transitions to an IA class)`);
            }
            if (cloud === "aws" && j > 0 && S3_IA_CLASSES.includes(b.transitions[j - 1].storageClass) && t.ageDays - b.transitions[j - 1].ageDays < 30) {
                report(
                    at("transitions", j, "ageDays"),
                    t.ageDays,
                    `must be at least 30 days after the ${b.transitions[j - 1].storageClass} transition (S3 keeps objects 30 days in an IA class)`,
                );
            }
            prev = Math.max(prev, t.ageDays);
            prevClass = Math.max(prevClass, rank);
        });
        if (b.expirationDays !== undefined && b.expirationDays <= prev)
            report(at("expirationDays"), b.expirationDays, `must be after the last transition (${prev} days)`);
        if (b.purpose === "logs" && b.expirationDays === undefined) report(at("expirationDays"), undefined, "is required for a logs bucket (its retention)");
        if (b.purpose === "data" && b.transitions.length === 0) report(at("transitions"), [], "must move data to a cold class (at least one transition)");
    });
    for (const needed of ["raw", "curated", "archive"]) {
        if (!names.has(needed)) report(["lake", "buckets"], [...names], `must include a '${needed}' bucket`);
    }
    if (!lake.buckets.some((b) => b.purpose === "logs"))
        report(["lake", "buckets"], [...names], "must include a bucket with purpose logs (Airflow and Spark logs)");

    if (cloud === "aws" && !wh.project) report(["warehouse", "project"], undefined, "is required on aws stacks (the GCP project that holds BigQuery)");
    if (cloud === "aws" && !wh.region) report(["warehouse", "region"], undefined, "is required on aws stacks (region of the BigQuery KMS key)");
    const ds = new Set(wh.datasets.map((d) => d.name));
    if (!ds.has(wh.biDataset)) report(["warehouse", "biDataset"], wh.biDataset, `is not a dataset in warehouse.datasets (${[...ds].join(", ")})`);
    wh.datasets.forEach((d, i) => {
        if (environment === "prod" && d.defaultTableExpirationDays !== undefined) {
            report(
                ["warehouse", "datasets", i, "defaultTableExpirationDays"],
                d.defaultTableExpirationDays,
                "is for staging only: prod tables must not expire",
            );
        }
    });
    let prev = 0;
    budget.thresholds.forEach((t, i) => {
        if (t <= prev) report(["budget", "thresholds", i], t, "must be larger than the previous threshold (ascending)");
        prev = t;
    });
    if (cloud === "gcp" && budget.notificationChannels.length === 0)
        report(["budget", "notificationChannels"], [], "must list at least one channel on gcp stacks");
    if (cloud === "aws" && budget.emails.length === 0) report(["budget", "emails"], [], "must list at least one subscriber on aws stacks");
    // AWS Budgets measure cost in the account's USD billing data.
    if (cloud === "aws" && budget.currency !== "USD")
        report(["budget", "currency"], budget.currency, "must be USD on aws stacks (AWS Budgets track cost in USD)");
    if (cloud === "aws" && !budget.warehouse)
        report(["budget", "warehouse"], undefined, "is required on aws stacks (billingAccount, amount, currency of the GCP budget for the BigQuery project)");
    if (cloud === "aws" && budget.notificationChannels.length === 0)
        report(["budget", "notificationChannels"], [], "must list at least one channel on aws stacks too (alerts of the BigQuery project's GCP budget)");
    if (cloud === "gcp" && budget.warehouse)
        report(["budget", "warehouse"], budget.warehouse, "is for aws stacks only: on gcp stacks budget.amount covers the whole project, BigQuery included");
}
