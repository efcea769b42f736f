import { z } from "zod";
import { labelValue, Report } from "./common";

// Regions the platform is validated against: a typo must fail before any resource exists.
const GCP_REGIONS = [
    "europe-west1",
    "europe-west2",
    "europe-west3",
    "europe-west4",
    "europe-west6",
    "europe-west8",
    "europe-west9",
    "europe-north1",
    "europe-central2",
    "europe-southwest1",
    "us-central1",
    "us-east1",
    "us-east4",
    "us-east5",
    "us-west1",
    "us-west2",
    "us-west3",
    "us-west4",
    "us-south1",
    "northamerica-northeast1",
    "southamerica-east1",
    "asia-east1",
    "asia-northeast1",
    "asia-south1",
    "asia-southeast1",
    "australia-southeast1",
] as const;
const AWS_REGIONS = [
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ca-central-1",
    "sa-east-1",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "ap-northeast-2",
] as const;

export const gcpSchema = z.strictObject({
    project: z
        .string()
        .regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, "must be a GCP project id (6-30 lower-case letters, digits, '-')")
        .describe("GCP project id of the platform (cluster, lake, registry, keys)"),
    region: z.enum(GCP_REGIONS).describe("GCP region of the cluster, buckets, registry and key ring"),
    zones: z
        .array(z.string().regex(/^[a-z]+-[a-z]+\d-[a-z]$/, "must be a zone such as europe-west1-b"))
        .min(1)
        .describe("Node zones; staging runs zonal in the first one, prod regional across all."),
    billingAccount: z
        .string()
        .regex(/^[0-9A-F]{6}-[0-9A-F]{6}-[0-9A-F]{6}$/, "must be a billing account id such as 01AB23-45CD67-89EF01")
        .describe("billing account the budget is created on"),
    previewServiceAccount: z
        .string()
        .regex(
            /^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z][a-z0-9-]{4,28}[a-z0-9]\.iam\.gserviceaccount\.com$/,
            "must be a service account email such as preview@project.iam.gserviceaccount.com",
        )
        .optional()
        .describe("Service account of pull-request previews: read-only cluster access, plus Helm's release Secrets."),
});

export const awsSchema = z.strictObject({
    accountId: z
        .string()
        .regex(/^\d{12}$/, "must be a 12-digit AWS account id")
        .describe("12-digit AWS account id the stack deploys into"),
    region: z.enum(AWS_REGIONS).describe("AWS region of the cluster, buckets, registry and keys"),
    availabilityZones: z
        .array(z.string().regex(/^[a-z]{2}-[a-z]+-\d[a-z]$/, "must be an AZ such as eu-west-1a"))
        .min(2)
        .describe("availability zones of the nodes and subnets: 3 distinct AZs of aws.region"),
    adminRoleArns: z
        .array(z.string().regex(/^arn:aws:iam::\d{12}:role\/.+$/, "must be an IAM role ARN"))
        .min(1)
        .describe("IAM principals (role ARNs) that administer the cluster through EKS access entries."),
    previewRoleArn: z
        .string()
        .regex(/^arn:aws:iam::\d{12}:role\/.+$/, "must be an IAM role ARN")
        .optional()
        .describe("IAM role of pull-request previews: read-only cluster access (EKS access entry), plus Helm's release Secrets."),
});

export const labelsSchema = z.strictObject({
    team: labelValue.describe("team label put on every taggable resource"),
    "cost-center": labelValue.describe("cost-center label put on every taggable resource"),
});

export function platformRules(
    cfg: {
        cloud: "gcp" | "aws";
        environment: "staging" | "prod";
        gcp?: z.infer<typeof gcpSchema>;
        aws?: z.infer<typeof awsSchema>;
    },
    report: Report,
): void {
    if (cfg.cloud === "gcp" && !cfg.gcp) report(["gcp"], undefined, "is required when cloud is gcp (project, region, zones, billingAccount)");
    if (cfg.cloud === "aws" && !cfg.aws) report(["aws"], undefined, "is required when cloud is aws (accountId, region, availabilityZones, adminRoleArns)");
    // The validated config carries only its own cloud's block (GcpStack | AwsStack): the other one is refused, not dropped.
    if (cfg.cloud === "gcp" && cfg.aws) report(["aws"], cfg.aws, "is for aws stacks only");
    if (cfg.cloud === "aws" && cfg.gcp) report(["gcp"], cfg.gcp, "is for gcp stacks only");
    const gcp = cfg.gcp;
    if (gcp) {
        gcp.zones.forEach((z, i) => {
            if (!z.startsWith(`${gcp.region}-`)) report(["gcp", "zones", i], z, `is not a zone of gcp.region (${gcp.region})`);
        });
        if (cfg.environment === "prod" && new Set(gcp.zones).size < 3) {
            report(["gcp", "zones"], gcp.zones, "must list at least 3 distinct zones in prod (regional, multi-zone cluster)");
        }
    }
    const aws = cfg.aws;
    if (aws) {
        aws.availabilityZones.forEach((z, i) => {
            if (!z.startsWith(aws.region)) report(["aws", "availabilityZones", i], z, `is not an AZ of aws.region (${aws.region})`);
        });
        if (new Set(aws.availabilityZones).size < 3) {
            report(["aws", "availabilityZones"], aws.availabilityZones, "must list 3 distinct AZs (EKS and Kafka spread over 3 zones)");
        }
        aws.adminRoleArns.forEach((arn, i) => {
            if (!arn.includes(`::${aws.accountId}:`)) report(["aws", "adminRoleArns", i], arn, `is not in aws.accountId (${aws.accountId})`);
        });
        const preview = aws.previewRoleArn;
        if (preview && !preview.includes(`::${aws.accountId}:`)) report(["aws", "previewRoleArn"], preview, `is not in aws.accountId (${aws.accountId})`);
        if (preview && aws.adminRoleArns.includes(preview))
            report(["aws", "previewRoleArn"], preview, "is also in aws.adminRoleArns; previews must not administer the cluster");
    }
}
