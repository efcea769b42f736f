/**
 * List prices (USD, before discounts, taxes and free tiers) for what the platform creates, per cloud and region
 * the shipped stacks use. Each row names the public pricing page it comes from and `asOf`, the date of the
 * published price it records; `npm test` fails when a row is older than `cost.priceMaxAgeDays`, so the table is
 * refreshed. Spot prices move daily: their rows record a representative price on that date, and the estimate
 * shows them as a ceiling, never a promise.
 */
type PriceUnit = "hour" | "month" | "GiB-month" | "GiB" | "TiB";

export interface PriceRow {
    cloud: "gcp" | "aws";
    /** Region, or a multi-region such as EU for BigQuery. */
    region: string;
    /** What is priced: `<service>:<item>`, e.g. `gce:n2-standard-8`, `gce-spot:n2-standard-8`, `pd:pd-balanced`. */
    key: string;
    unit: PriceUnit;
    usd: number;
    source: string;
    /** Date of the published price recorded here (YYYY-MM-DD). */
    asOf: string;
}

const GCE = "https://cloud.google.com/compute/vm-instance-pricing";
const GCE_SPOT = "https://cloud.google.com/spot-vms/pricing";
const PD = "https://cloud.google.com/compute/disks-image-pricing";
const GKE = "https://cloud.google.com/kubernetes-engine/pricing";
const NAT = "https://cloud.google.com/nat/pricing";
const SQL = "https://cloud.google.com/sql/pricing";
const KMS = "https://cloud.google.com/kms/pricing";
const GCS = "https://cloud.google.com/storage/pricing";
const BQ = "https://cloud.google.com/bigquery/pricing";
const LOGGING = "https://cloud.google.com/stackdriver/pricing";
const AR = "https://cloud.google.com/artifact-registry/pricing";
const EC2 = "https://aws.amazon.com/ec2/pricing/on-demand/";
const EC2_SPOT = "https://aws.amazon.com/ec2/spot/pricing/";
const EBS = "https://aws.amazon.com/ebs/pricing/";
const EKS = "https://aws.amazon.com/eks/pricing/";
const VPC = "https://aws.amazon.com/vpc/pricing/";
const PRIVATELINK = "https://aws.amazon.com/privatelink/pricing/";
const RDS = "https://aws.amazon.com/rds/postgresql/pricing/";
const AWS_KMS = "https://aws.amazon.com/kms/pricing/";
const CW = "https://aws.amazon.com/cloudwatch/pricing/";
const S3 = "https://aws.amazon.com/s3/pricing/";
const ECR = "https://aws.amazon.com/ecr/pricing/";

const AS_OF = "2025-06-01";
const g = (region: string, key: string, unit: PriceUnit, usd: number, source: string): PriceRow => ({
    cloud: "gcp",
    region,
    key,
    unit,
    usd,
    source,
    asOf: AS_OF,
});
const a = (region: string, key: string, unit: PriceUnit, usd: number, source: string): PriceRow => ({
    cloud: "aws",
    region,
    key,
    unit,
    usd,
    source,
    asOf: AS_OF,
});
const EW1 = "europe-west1";
const IE = "eu-west-1";

export const PRICES: PriceRow[] = [
    // GCP europe-west1 (Belgium)
    g(EW1, "gke:cluster", "hour", 0.1, GKE),
    g(EW1, "gce:e2-standard-4", "hour", 0.147411, GCE),
    g(EW1, "gce:n2-standard-4", "hour", 0.213658, GCE),
    g(EW1, "gce:n2-standard-8", "hour", 0.427316, GCE),
    g(EW1, "gce:n2-highmem-4", "hour", 0.288232, GCE),
    g(EW1, "gce:n2-highmem-8", "hour", 0.576464, GCE),
    g(EW1, "gce-spot:e2-standard-4", "hour", 0.044223, GCE_SPOT),
    g(EW1, "gce-spot:n2-standard-4", "hour", 0.051278, GCE_SPOT),
    g(EW1, "gce-spot:n2-standard-8", "hour", 0.102556, GCE_SPOT),
    g(EW1, "gce-spot:n2-highmem-4", "hour", 0.069176, GCE_SPOT),
    g(EW1, "gce-spot:n2-highmem-8", "hour", 0.138352, GCE_SPOT),
    g(EW1, "pd:pd-standard", "GiB-month", 0.044, PD),
    g(EW1, "pd:pd-balanced", "GiB-month", 0.11, PD),
    g(EW1, "pd:pd-ssd", "GiB-month", 0.187, PD),
    g(EW1, "nat:vm", "hour", 0.0014, NAT),
    g(EW1, "nat:data", "GiB", 0.045, NAT),
    g(EW1, "sql:vcpu", "hour", 0.0454, SQL),
    g(EW1, "sql:memory-gib", "hour", 0.0077, SQL),
    g(EW1, "sql:ssd", "GiB-month", 0.187, SQL),
    g(EW1, "kms:software-key-version", "month", 0.06, KMS),
    g(EW1, "kms:hsm-key-version", "month", 1.0, KMS),
    g(EW1, "gcs:STANDARD", "GiB-month", 0.02, GCS),
    g(EW1, "gcs:NEARLINE", "GiB-month", 0.01, GCS),
    g(EW1, "gcs:COLDLINE", "GiB-month", 0.004, GCS),
    g(EW1, "gcs:ARCHIVE", "GiB-month", 0.0012, GCS),
    g(EW1, "logging:ingest", "GiB", 0.5, LOGGING),
    g(EW1, "ar:storage", "GiB-month", 0.1, AR),
    // The warehouse's keys, in the `europe` multi-region location beside BigQuery's EU datasets
    g("europe", "kms:software-key-version", "month", 0.06, KMS),
    g("europe", "kms:hsm-key-version", "month", 1.0, KMS),
    // BigQuery, EU multi-region (the warehouse of every stack)
    g("EU", "bq:on-demand-query", "TiB", 6.25, BQ),
    g("EU", "bq:active-logical-storage", "GiB-month", 0.02, BQ),
    g("EU", "bq:long-term-logical-storage", "GiB-month", 0.01, BQ),
    // AWS eu-west-1 (Ireland)
    a(IE, "eks:cluster", "hour", 0.1, EKS),
    a(IE, "ec2:m6i.xlarge", "hour", 0.214, EC2),
    a(IE, "ec2:r6i.xlarge", "hour", 0.282, EC2),
    a(IE, "ec2:r6i.2xlarge", "hour", 0.564, EC2),
    a(IE, "ec2-spot:m6i.xlarge", "hour", 0.0781, EC2_SPOT),
    a(IE, "ec2-spot:r6i.xlarge", "hour", 0.0918, EC2_SPOT),
    a(IE, "ec2-spot:r6i.2xlarge", "hour", 0.1836, EC2_SPOT),
    a(IE, "ebs:gp3", "GiB-month", 0.088, EBS),
    a(IE, "nat:gateway", "hour", 0.048, VPC),
    a(IE, "nat:data", "GiB", 0.048, VPC),
    a(IE, "vpc:public-ipv4", "hour", 0.005, VPC),
    a(IE, "vpce:interface-az", "hour", 0.011, PRIVATELINK),
    a(IE, "rds:db.t4g.medium", "hour", 0.072, RDS),
    a(IE, "rds:db.m6g.large", "hour", 0.168, RDS),
    a(IE, "rds:gp3", "GiB-month", 0.127, RDS),
    a(IE, "kms:key", "month", 1.0, AWS_KMS),
    a(IE, "logs:ingest", "GiB", 0.57, CW),
    a(IE, "logs:storage", "GiB-month", 0.03, CW),
    a(IE, "s3:STANDARD", "GiB-month", 0.023, S3),
    a(IE, "s3:STANDARD_IA", "GiB-month", 0.0125, S3),
    a(IE, "s3:INTELLIGENT_TIERING", "GiB-month", 0.023, S3),
    a(IE, "s3:ONEZONE_IA", "GiB-month", 0.01, S3),
    a(IE, "s3:GLACIER_IR", "GiB-month", 0.004, S3),
    a(IE, "s3:GLACIER", "GiB-month", 0.0036, S3),
    a(IE, "s3:DEEP_ARCHIVE", "GiB-month", 0.00099, S3),
    a(IE, "ecr:storage", "GiB-month", 0.1, ECR),
];

/** Hours in a billing month, as the providers' calculators use. */
export const HOURS_PER_MONTH = 730;

export class PriceTable {
    private readonly rows = new Map<string, PriceRow>();
    constructor(rows: PriceRow[] = PRICES) {
        for (const r of rows) this.rows.set(`${r.cloud}/${r.region}/${r.key}`, r);
    }
    /** The row for a key in a region (or a multi-region), undefined when the table has none. */
    find(cloud: "gcp" | "aws", region: string, key: string): PriceRow | undefined {
        return this.rows.get(`${cloud}/${region}/${key}`);
    }
    /** Rows older than maxAgeDays on `today`. */
    stale(today: Date, maxAgeDays: number): PriceRow[] {
        return [...this.rows.values()].filter((r) => (today.getTime() - Date.parse(r.asOf)) / 86_400_000 > maxAgeDays);
    }
}
