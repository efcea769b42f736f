import type { CapturedResource } from "./capture";
import type { PreviewJson } from "./json";
import { componentOwners } from "./markdown";
import { HOURS_PER_MONTH, PriceRow, PriceTable } from "./prices";
import type { PlatformConfig } from "../components/config";
import type { Diagnostic } from "./policy";

/**
 * A monthly cost estimate from the plan itself: every billable resource is priced from the price table, as a
 * range: baseline (minimum nodes, no Spot node, empty buckets) and ceiling (maximum nodes, Spot pools full).
 * What usage decides (bytes scanned, objects stored, logs ingested, NAT traffic) is listed with its unit price
 * and the value that drives or caps it, not guessed into the totals.
 */
interface CostItem {
    urn: string;
    type: string;
    /** The nearest platform component (dataplatform:*) that owns the resource. */
    component: string;
    what: string;
    priceKey: string;
    /** Quantity in `unit` per month (hours, GiB-months, keys): baseline and ceiling. */
    quantity: { baseline: number; ceiling: number };
    unit: string;
    unitPriceUsd: number;
    /** Monthly cost in USD. */
    baselineUsd: number;
    ceilingUsd: number;
    basis: string;
    source: string;
}

interface UsageItem {
    urn: string;
    type: string;
    component: string;
    what: string;
    priceKey: string;
    unit: string;
    unitPriceUsd: number;
    /** What drives or caps the usage (a config value when there is one). */
    driver: string;
    /** A monthly cap in USD when config bounds the usage (e.g. the BigQuery daily query quota). */
    capUsd?: number;
    source: string;
}

interface Unpriced {
    urn: string;
    type: string;
    reason: string;
}

export interface CostReport {
    currency: string;
    /** Budget-currency units per USD (1 for USD). */
    usdRate: number;
    baseline: number;
    ceiling: number;
    items: CostItem[];
    usage: UsageItem[];
    unpriced: Unpriced[];
    byComponent: Record<string, { baseline: number; ceiling: number }>;
    byType: Record<string, { baseline: number; ceiling: number }>;
    /** Billable resources (not free by the table below) and how many of them are priced (fixed or by usage). */
    coverage: { billable: number; priced: number; ratio: number };
    budget: { amount: number; exceeded: boolean };
    /** Price rows used, for the sources and dates. */
    prices: PriceRow[];
}

export interface CostContext {
    cloud: "gcp" | "aws";
    region: string;
    currency: string;
    usdRate: number;
    budgetAmount: number;
}

/** Resource types that cost nothing by themselves (their cost, if any, is counted where it is billed). */
const FREE: Record<string, string> = {
    "pulumi:pulumi:Stack": "not a cloud resource",
    "kubernetes:*": "Kubernetes objects use node capacity, priced with the nodes (volumes priced with KafkaNodePool and the Prometheus release)",
    "vault:*": "Vault is an existing service, not billed per object",
    "random:*": "generated locally",
    "pulumi:providers:*": "provider configuration",
    "gcp:projects/service:Service": "enabling an API is free",
    "gcp:projects/serviceIdentity:ServiceIdentity": "generating a service agent is free",
    "gcp:projects/iAMMember:IAMMember": "IAM is free",
    "gcp:serviceaccount/account:Account": "IAM is free",
    "gcp:serviceaccount/iAMMember:IAMMember": "IAM is free",
    "gcp:storage/bucketIAMMember:BucketIAMMember": "IAM is free",
    "gcp:bigquery/datasetIamMember:DatasetIamMember": "IAM is free",
    "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember": "IAM is free",
    "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember": "IAM is free",
    "gcp:iam/workloadIdentityPool:WorkloadIdentityPool": "workload identity federation is free",
    "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider": "workload identity federation is free",
    "gcp:kms/keyRing:KeyRing": "key rings are free; their keys are priced",
    "gcp:compute/network:Network": "VPC networks are free",
    "gcp:compute/subnetwork:Subnetwork": "subnets are free",
    "gcp:compute/firewall:Firewall": "firewall rules are free",
    "gcp:compute/router:Router": "Cloud Router without BGP sessions is free; NAT priced on its own",
    "gcp:compute/globalAddress:GlobalAddress": "an internal range for private services access is free",
    "gcp:servicenetworking/connection:Connection": "private services access peering is free",
    "gcp:sql/database:Database": "priced with its instance",
    "gcp:sql/user:User": "priced with its instance",
    "gcp:billing/budget:Budget": "budgets are free",
    "gcp:cloudquota/sQuotaPreference:SQuotaPreference": "quotas are free (it caps the BigQuery query usage item)",
    "aws:iam/role:Role": "IAM is free",
    "aws:iam/rolePolicy:RolePolicy": "IAM is free",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "IAM is free",
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": "IAM is free",
    "aws:kms/alias:Alias": "aliases are free; keys are priced",
    "aws:ec2/vpc:Vpc": "VPCs are free",
    "aws:ec2/subnet:Subnet": "subnets are free",
    "aws:ec2/routeTable:RouteTable": "route tables are free",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "route tables are free",
    "aws:ec2/internetGateway:InternetGateway": "internet gateways are free (data transfer is usage)",
    "aws:ec2/securityGroup:SecurityGroup": "security groups are free",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "security groups are free",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "security groups are free",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "security groups are free",
    "aws:ec2/launchTemplate:LaunchTemplate": "priced through its node group (instances and root volumes)",
    "aws:ec2/flowLog:FlowLog": "delivery is priced as log ingestion on its log group",
    "aws:eks/accessEntry:AccessEntry": "EKS access management is free",
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": "EKS access management is free",
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": "EKS Pod Identity is free",
    "aws:eks/addon:Addon": "EKS add-ons are free (their pods use node capacity)",
    "aws:rds/subnetGroup:SubnetGroup": "priced with the instance",
    "aws:rds/parameterGroup:ParameterGroup": "priced with the instance",
    "aws:budgets/budget:Budget": "budgets without actions are free",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": "configuration of a priced bucket",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": "configuration of a priced bucket",
    "aws:s3/bucketPolicy:BucketPolicy": "configuration of a priced bucket",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "configuration of a priced bucket",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": "configuration of a priced bucket",
    "aws:s3/bucketVersioning:BucketVersioning": "configuration of a priced bucket (noncurrent versions are storage usage)",
    "aws:s3/bucketLogging:BucketLogging": "configuration of a priced bucket (log objects are storage usage)",
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": "configuration of a priced repository",
};

function freeReason(type: string): string | undefined {
    if (type.startsWith("dataplatform:")) return "a component (its children are priced)";
    if (type === "kubernetes:kafka.strimzi.io/v1:KafkaNodePool" || type === "kubernetes:helm.sh/v3:Release") return undefined;
    return FREE[type] ?? FREE[`${type.split(":")[0]}:*`] ?? (type.startsWith("pulumi:providers:") ? FREE["pulumi:providers:*"] : undefined);
}

type Step = PreviewJson["steps"][number];
type Inputs = Record<string, any>;

const GIB: Record<string, number> = { Ki: 1 / (1024 * 1024), Mi: 1 / 1024, Gi: 1, Ti: 1024 };
/** A Kubernetes quantity in GiB (`100Gi`, `1Ti`). */
function gib(q: unknown): number {
    const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti)?$/.exec(String(q ?? ""));
    return m ? Number(m[1]) * (GIB[m[2] ?? "Gi"] ?? 1) : NaN;
}

interface Builder {
    table: PriceTable;
    ctx: CostContext;
    step: Step;
    component: string;
    /** Disk type of a StorageClass by its name (pd-balanced, gp3). */
    diskOf: (storageClass: string) => string | undefined;
    /** Inputs of another resource of the plan by type and logical name. */
    named: (type: string, name: string) => Inputs | undefined;
    fixed(what: string, key: string, qty: { baseline: number; ceiling: number }, basis: string, region?: string): boolean;
    usage(what: string, key: string, driver: string, capUsd?: number, region?: string): boolean;
}

/** Node counts a pool or group can have, for Cloud NAT's per-VM charge. */
interface Nodes {
    baseline: number;
    ceiling: number;
}

/** Prices one resource; returns false when it is billable but the table lacks a needed price. */
type Pricer = (b: Builder, i: Inputs, nodes: Nodes) => boolean;

const hours = (n: number) => ({ baseline: n * HOURS_PER_MONTH, ceiling: n * HOURS_PER_MONTH });
const zonesOf = (i: Inputs) => (Array.isArray(i.nodeLocations) && i.nodeLocations.length ? i.nodeLocations.length : /-[a-z]$/.test(String(i.location)) ? 1 : 3);

const PRICERS: Record<string, Pricer> = {
    "gcp:container/cluster:Cluster": (b) =>
        b.fixed(
            "cluster management fee",
            "gke:cluster",
            hours(1),
            "one cluster, 730 h (the free-tier credit for one zonal cluster per billing account is not deducted)",
        ) && b.usage("GKE system and workload logs", "logging:ingest", "log volume (Cloud Logging bills ingestion above 50 GiB per project per month)"),
    "gcp:container/nodePool:NodePool": (b, i) => {
        const zones = zonesOf(i);
        const spot = !!i.nodeConfig?.spot;
        const n = { baseline: spot ? 0 : i.autoscaling.minNodeCount * zones, ceiling: i.autoscaling.maxNodeCount * zones };
        const basis = `${i.autoscaling.minNodeCount}–${i.autoscaling.maxNodeCount} nodes per zone × ${zones} zone(s)${spot ? ", Spot (none at baseline)" : ""}`;
        return (
            b.fixed(
                `${i.name} nodes (${i.nodeConfig.machineType})`,
                `${spot ? "gce-spot" : "gce"}:${i.nodeConfig.machineType}`,
                { baseline: n.baseline * HOURS_PER_MONTH, ceiling: n.ceiling * HOURS_PER_MONTH },
                basis,
            ) &&
            b.fixed(
                `${i.name} boot disks (${i.nodeConfig.diskSizeGb} GiB ${i.nodeConfig.diskType})`,
                `pd:${i.nodeConfig.diskType}`,
                { baseline: n.baseline * i.nodeConfig.diskSizeGb, ceiling: n.ceiling * i.nodeConfig.diskSizeGb },
                basis,
            )
        );
    },
    "gcp:compute/routerNat:RouterNat": (b, _i, nodes) =>
        b.fixed(
            "Cloud NAT (per VM using it, up to 32)",
            "nat:vm",
            { baseline: Math.min(nodes.baseline, 32) * HOURS_PER_MONTH, ceiling: Math.min(nodes.ceiling, 32) * HOURS_PER_MONTH },
            "every node of the cluster uses the gateway",
        ) && b.usage("Cloud NAT data processed", "nat:data", "egress through NAT (image pulls, cloud APIs without private access)"),
    "gcp:sql/databaseInstance:DatabaseInstance": (b, i) => {
        const m = /^db-custom-(\d+)-(\d+)$/.exec(i.settings?.tier ?? "");
        if (!m) return false;
        const ha = i.settings.availabilityType === "REGIONAL" ? 2 : 1;
        const basis = `${i.settings.tier}${ha === 2 ? ", regional HA (primary + standby: ×2)" : ""}`;
        return (
            b.fixed(`${m[1]} vCPU`, "sql:vcpu", hours(Number(m[1]) * ha), basis) &&
            b.fixed(`${Number(m[2]) / 1024} GiB memory`, "sql:memory-gib", hours((Number(m[2]) / 1024) * ha), basis) &&
            b.fixed(
                `${i.settings.diskSize} GiB SSD`,
                "sql:ssd",
                { baseline: i.settings.diskSize * ha, ceiling: i.settings.diskSize * ha },
                `${basis}; grows with diskAutoresize`,
            )
        );
    },
    "gcp:kms/cryptoKey:CryptoKey": (b, i) => {
        const hsm = i.versionTemplate?.protectionLevel === "HSM";
        const location = /\/locations\/([^/]+)\//.exec(String(i.keyRing))?.[1] ?? b.ctx.region;
        return b.fixed(
            `${i.name} key (${hsm ? "HSM" : "software"}, ${location})`,
            hsm ? "kms:hsm-key-version" : "kms:software-key-version",
            { baseline: 1, ceiling: 1 },
            "one active key version; each rotation adds one (old versions are billed until destroyed)",
            location,
        );
    },
    "gcp:storage/bucket:Bucket": (b, i) => {
        const classes = new Set<string>([
            i.storageClass ?? "STANDARD",
            ...((i.lifecycleRules ?? []) as Inputs[]).filter((r) => r.action?.type === "SetStorageClass").map((r) => r.action.storageClass),
        ]);
        return [...classes].every((c) => b.usage(`${i.name}: ${c} storage`, `gcs:${c}`, "objects stored; the lifecycle moves them down the classes"));
    },
    "gcp:artifactregistry/repository:Repository": (b) => b.usage("container images", "ar:storage", "image storage (0.5 GiB free)"),
    "gcp:bigquery/dataset:Dataset": (b, i) =>
        b.usage(
            `${i.datasetId}: table storage`,
            "bq:active-logical-storage",
            "logical bytes stored (long-term rate after 90 days unmodified)",
            undefined,
            "EU",
        ),
    "gcp:bigquery/table:Table": (b, i) => b.usage(`${i.datasetId}.${i.tableId}: storage`, "bq:active-logical-storage", "logical bytes stored", undefined, "EU"),
    "aws:eks/cluster:Cluster": (b) => b.fixed("EKS cluster fee (standard support)", "eks:cluster", hours(1), "one cluster, 730 h (extended support costs 6×)"),
    "aws:eks/nodeGroup:NodeGroup": (b, i) => {
        const spot = i.capacityType === "SPOT";
        const type = i.instanceTypes[0];
        const n = { baseline: spot ? 0 : i.scalingConfig.minSize, ceiling: i.scalingConfig.maxSize };
        // Root volumes come from the node group's launch template (same logical name).
        const ebs = b.named("aws:ec2/launchTemplate:LaunchTemplate", b.step.urn.split("::").pop()!)?.blockDeviceMappings?.[0]?.ebs;
        if (!ebs) return false;
        return (
            b.fixed(
                `${i.labels?.["dataplatform.io/pool"] ?? "node"} root volumes (${ebs.volumeSize} GiB ${ebs.volumeType})`,
                `ebs:${ebs.volumeType}`,
                { baseline: n.baseline * ebs.volumeSize, ceiling: n.ceiling * ebs.volumeSize },
                `${ebs.volumeSize} GiB per node`,
            ) &&
            b.fixed(
                `${i.labels?.["dataplatform.io/pool"] ?? "node"} nodes (${type})`,
                `${spot ? "ec2-spot" : "ec2"}:${type}`,
                { baseline: n.baseline * HOURS_PER_MONTH, ceiling: n.ceiling * HOURS_PER_MONTH },
                `${i.scalingConfig.minSize}–${i.scalingConfig.maxSize} nodes${spot ? ", Spot (none at baseline; priced at the first instance type)" : ""}`,
            )
        );
    },
    "aws:ec2/natGateway:NatGateway": (b) =>
        b.fixed("NAT gateway", "nat:gateway", hours(1), "730 h") && b.usage("NAT data processed", "nat:data", "egress through NAT"),
    "aws:ec2/eip:Eip": (b) => b.fixed("public IPv4 address", "vpc:public-ipv4", hours(1), "730 h"),
    "aws:ec2/vpcEndpoint:VpcEndpoint": (b, i) =>
        i.vpcEndpointType !== "Interface" ||
        b.fixed(
            `interface endpoint ${String(i.serviceName).split(".").slice(3).join(".")}`,
            "vpce:interface-az",
            hours(i.subnetIds.length),
            `one ENI per AZ × ${i.subnetIds.length}`,
        ),
    "aws:rds/instance:Instance": (b, i) => {
        const ha = i.multiAz ? 2 : 1;
        const basis = `${i.instanceClass}${ha === 2 ? ", Multi-AZ (×2)" : ""}`;
        return (
            b.fixed(`${i.instanceClass} instance`, `rds:${i.instanceClass}`, hours(ha), basis) &&
            b.fixed(
                `${i.allocatedStorage} GiB storage`,
                "rds:gp3",
                { baseline: i.allocatedStorage * ha, ceiling: (i.maxAllocatedStorage ?? i.allocatedStorage) * ha },
                `${basis}; autoscaling up to ${i.maxAllocatedStorage ?? i.allocatedStorage} GiB`,
            )
        );
    },
    "aws:kms/key:Key": (b) => b.fixed("customer managed key", "kms:key", { baseline: 1, ceiling: 1 }, "per key per month (rotations included)"),
    "aws:cloudwatch/logGroup:LogGroup": (b, i) =>
        b.usage(`${i.name}: ingestion`, "logs:ingest", "log volume") &&
        b.usage(`${i.name}: storage`, "logs:storage", `retention ${i.retentionInDays ?? "never expires"} days`),
    "aws:s3/bucket:Bucket": (b, i) => b.usage(`${i.bucket}: storage`, "s3:STANDARD", "objects stored; lifecycle transitions move them to colder classes"),
    "aws:ecr/repository:Repository": (b, i) => b.usage(`${i.name}: images`, "ecr:storage", "image storage"),
    "kubernetes:kafka.strimzi.io/v1:KafkaNodePool": (b, i) => {
        const vols = (i.spec?.storage?.volumes ?? []) as Inputs[];
        return vols.every((v) => {
            const disk = b.diskOf(v.class);
            const size = gib(v.size) * i.spec.replicas;
            return (
                !!disk &&
                b.fixed(
                    `${i.metadata.name} volume ${v.id} (${v.size} × ${i.spec.replicas})`,
                    disk,
                    { baseline: size, ceiling: size },
                    `${i.spec.replicas} replicas × ${v.size} on ${v.class}`,
                )
            );
        });
    },
    "kubernetes:helm.sh/v3:Release": (b, i) => {
        if (i.name !== "kps") return true; // no persistent volume in the other releases' values
        const claims: [string, Inputs | undefined, number][] = [
            ["Prometheus", i.values?.prometheus?.prometheusSpec?.storageSpec?.volumeClaimTemplate?.spec, i.values?.prometheus?.prometheusSpec?.replicas ?? 1],
            [
                "Alertmanager",
                i.values?.alertmanager?.alertmanagerSpec?.storage?.volumeClaimTemplate?.spec,
                i.values?.alertmanager?.alertmanagerSpec?.replicas ?? 1,
            ],
        ];
        return claims.every(([what, spec, replicas]) => {
            if (!spec) return true;
            const disk = b.diskOf(spec.storageClassName);
            const size = gib(spec.resources?.requests?.storage) * replicas;
            return (
                !!disk &&
                b.fixed(
                    `${what} volume (${spec.resources.requests.storage} × ${replicas})`,
                    disk,
                    { baseline: size, ceiling: size },
                    `${replicas} replica(s) on ${spec.storageClassName}`,
                )
            );
        });
    },
};

const isPricedType = (type: string) => type in PRICERS;

/** The cost of a plan (this plan's JSON, or a base plan's). */
export function estimateCost(json: PreviewJson, ctx: CostContext, table = new PriceTable()): CostReport {
    const steps = json.steps.filter((s) => s.newState.custom || s.newState.type.startsWith("dataplatform:"));
    const owners = componentOwners(json.steps.map((s) => ({ urn: s.urn, type: s.newState.type, parent: s.newState.parent }) as CapturedResource));
    const compName = (urn: string) => {
        const o = owners.get(urn);
        return o ? o.split("::").pop()! : "(stack)";
    };
    const byName = new Map(steps.map((s) => [`${s.newState.type}::${s.urn.split("::").pop()}`, s.newState.inputs as Inputs]));
    const storageClasses = new Map<string, string>();
    for (const s of steps) {
        if (s.newState.type !== "kubernetes:storage.k8s.io/v1:StorageClass") continue;
        const i = s.newState.inputs as Inputs;
        storageClasses.set(i.metadata?.name, ctx.cloud === "gcp" ? `pd:${i.parameters?.type}` : `ebs:${i.parameters?.type}`);
    }
    // Nodes (for Cloud NAT's per-VM charge), summed over pools before the NAT is priced.
    const nodes: Nodes = { baseline: 0, ceiling: 0 };
    for (const s of steps) {
        const i = s.newState.inputs as Inputs;
        if (s.newState.type === "gcp:container/nodePool:NodePool") {
            nodes.baseline += i.nodeConfig?.spot ? 0 : i.autoscaling.minNodeCount * zonesOf(i);
            nodes.ceiling += i.autoscaling.maxNodeCount * zonesOf(i);
        }
    }
    const report: CostReport = {
        currency: ctx.currency,
        usdRate: ctx.usdRate,
        baseline: 0,
        ceiling: 0,
        items: [],
        usage: [],
        unpriced: [],
        byComponent: {},
        byType: {},
        coverage: { billable: 0, priced: 0, ratio: 1 },
        budget: { amount: ctx.budgetAmount, exceeded: false },
        prices: [],
    };
    const used = new Set<PriceRow>();
    // The BigQuery daily query quota caps on-demand query spend.
    const quota = steps.find(
        (s) => s.newState.type === "gcp:cloudquota/sQuotaPreference:SQuotaPreference" && (s.newState.inputs as Inputs).quotaId === "QueryUsagePerDay",
    );

    // Which cloud bills a resource: the warehouse (BigQuery and its keys) is on GCP for AWS stacks too.
    const cloudOf = (t: string): "gcp" | "aws" => (t.startsWith("gcp:") ? "gcp" : t.startsWith("aws:") ? "aws" : ctx.cloud);
    for (const s of steps) {
        const type = s.newState.type;
        if (!s.newState.custom || (freeReason(type) !== undefined && !isPricedType(type))) continue;
        report.coverage.billable++;
        const pricer = PRICERS[type];
        if (!pricer) {
            report.unpriced.push({ urn: s.urn, type, reason: "no price rule for this type" });
            continue;
        }
        const component = compName(s.urn);
        let missing = "";
        const priceRow = (key: string, region: string): PriceRow | undefined => {
            const row = table.find(cloudOf(type), region, key);
            if (row) used.add(row);
            else missing ||= key;
            return row;
        };
        const b: Builder = {
            table,
            ctx,
            step: s,
            component,
            diskOf: (sc) => storageClasses.get(sc),
            named: (t, n) => byName.get(`${t}::${n}`),
            fixed(what, key, qty, basis, region = ctx.region) {
                const row = priceRow(key, region);
                if (row)
                    report.items.push({
                        urn: s.urn,
                        type,
                        component,
                        what,
                        priceKey: key,
                        quantity: qty,
                        unit: row.unit,
                        unitPriceUsd: row.usd,
                        baselineUsd: qty.baseline * row.usd,
                        ceilingUsd: qty.ceiling * row.usd,
                        basis,
                        source: row.source,
                    });
                return !!row;
            },
            usage(what, key, driver, capUsd, region = ctx.region) {
                const row = priceRow(key, region);
                if (row)
                    report.usage.push({
                        urn: s.urn,
                        type,
                        component,
                        what,
                        priceKey: key,
                        unit: row.unit,
                        unitPriceUsd: row.usd,
                        driver,
                        ...(capUsd !== undefined ? { capUsd } : {}),
                        source: row.source,
                    });
                return !!row;
            },
        };
        if (pricer(b, s.newState.inputs as Inputs, nodes)) report.coverage.priced++;
        else report.unpriced.push({ urn: s.urn, type, reason: `no price in the table for ${missing || "this resource's shape"} in ${ctx.region}` });
    }
    if (quota) {
        const row = table.find("gcp", "EU", "bq:on-demand-query");
        const tibPerDay = Number((quota.newState.inputs as Inputs).quotaConfig?.preferredValue) / (1024 * 1024);
        if (row) {
            used.add(row);
            report.usage.push({
                urn: quota.urn,
                type: quota.newState.type,
                component: compName(quota.urn),
                what: "BigQuery on-demand queries",
                priceKey: row.key,
                unit: row.unit,
                unitPriceUsd: row.usd,
                driver: `bytes scanned, capped by warehouse.queryUsagePerDayTiB = ${tibPerDay} TiB/day`,
                capUsd: tibPerDay * (365 / 12) * row.usd,
                source: row.source,
            });
        }
    }
    for (const it of report.items) {
        for (const [map, k] of [
            [report.byComponent, it.component],
            [report.byType, it.type],
        ] as const) {
            const e = (map[k] ??= { baseline: 0, ceiling: 0 });
            e.baseline += it.baselineUsd * ctx.usdRate;
            e.ceiling += it.ceilingUsd * ctx.usdRate;
        }
        report.baseline += it.baselineUsd * ctx.usdRate;
        report.ceiling += it.ceilingUsd * ctx.usdRate;
    }
    report.coverage.ratio = report.coverage.billable ? report.coverage.priced / report.coverage.billable : 1;
    report.budget.exceeded = report.baseline > ctx.budgetAmount;
    report.prices = [...used];
    return report;
}

const money = (v: number, cur: string) => `${v.toLocaleString("en-US", { maximumFractionDigits: 0 })} ${cur}`;

/** Per-component delta between a base estimate and this one (budget currency). */
export function costDelta(base: CostReport, head: CostReport): { component: string; baseline: number; ceiling: number }[] {
    const names = new Set([...Object.keys(base.byComponent), ...Object.keys(head.byComponent)]);
    return [...names]
        .map((component) => ({
            component,
            baseline: (head.byComponent[component]?.baseline ?? 0) - (base.byComponent[component]?.baseline ?? 0),
            ceiling: (head.byComponent[component]?.ceiling ?? 0) - (base.byComponent[component]?.ceiling ?? 0),
        }))
        .filter((d) => Math.abs(d.baseline) >= 0.005 || Math.abs(d.ceiling) >= 0.005)
        .sort((a, b) => a.component.localeCompare(b.component));
}

export function renderCost(r: CostReport, delta?: ReturnType<typeof costDelta>): string[] {
    const cur = r.currency;
    const out = [
        `Monthly cost estimate: ${money(r.baseline, cur)} baseline – ${money(r.ceiling, cur)} ceiling (list prices in USD × ${r.usdRate} ${cur}/USD), budget ${money(r.budget.amount, cur)}${r.budget.exceeded ? " — BASELINE EXCEEDS THE BUDGET" : ""}`,
    ];
    out.push(`  coverage: ${r.coverage.priced}/${r.coverage.billable} billable resources priced (${(r.coverage.ratio * 100).toFixed(1)} %)`);
    out.push("  per component:");
    for (const [k, v] of Object.entries(r.byComponent).sort((a, b) => b[1].ceiling - a[1].ceiling))
        out.push(`    ${k.padEnd(34)} ${money(v.baseline, cur).padStart(12)} – ${money(v.ceiling, cur)}`);
    out.push("  per resource type:");
    for (const [k, v] of Object.entries(r.byType).sort((a, b) => b[1].ceiling - a[1].ceiling))
        out.push(`    ${k.padEnd(50)} ${money(v.baseline, cur).padStart(12)} – ${money(v.ceiling, cur)}`);
    out.push("  usage-priced (not in the totals):");
    for (const u of r.usage)
        out.push(
            `    ${u.what}: ${u.unitPriceUsd} USD/${u.unit} — ${u.driver}${u.capUsd !== undefined ? ` (at most ${money(u.capUsd * r.usdRate, cur)}/month)` : ""}`,
        );
    if (r.unpriced.length) {
        out.push("  unpriced:");
        for (const u of r.unpriced) out.push(`    ${u.type} ${u.urn.split("::").pop()}: ${u.reason}`);
    }
    if (delta) {
        out.push("  change against the base (per component):");
        if (!delta.length) out.push("    none");
        for (const d of delta)
            out.push(
                `    ${d.component.padEnd(34)} ${d.baseline >= 0 ? "+" : ""}${money(d.baseline, cur)} baseline, ${d.ceiling >= 0 ? "+" : ""}${money(d.ceiling, cur)} ceiling`,
            );
    }
    return out;
}

export function costMarkdown(r: CostReport, delta?: ReturnType<typeof costDelta>): string {
    const cur = r.currency;
    const out = [
        "### Cost estimate (monthly, list prices)",
        "",
        `**${money(r.baseline, cur)}** baseline – **${money(r.ceiling, cur)}** ceiling · budget ${money(r.budget.amount, cur)}${r.budget.exceeded ? " · ⚠️ baseline exceeds the budget" : ""} · ${(r.coverage.ratio * 100).toFixed(1)} % of billable resources priced`,
    ];
    if (delta?.length) {
        out.push("", "| Component | Δ baseline | Δ ceiling |", "|---|---|---|");
        for (const d of delta)
            out.push(`| ${d.component} | ${d.baseline >= 0 ? "+" : ""}${money(d.baseline, cur)} | ${d.ceiling >= 0 ? "+" : ""}${money(d.ceiling, cur)} |`);
    }
    out.push("", "<details><summary>Per component</summary>", "", "| Component | Baseline | Ceiling |", "|---|---|---|");
    for (const [k, v] of Object.entries(r.byComponent).sort((a, b) => b[1].ceiling - a[1].ceiling))
        out.push(`| ${k} | ${money(v.baseline, cur)} | ${money(v.ceiling, cur)} |`);
    out.push("", "</details>");
    return out.join("\n");
}

/** The estimate's context from the validated stack config. */
export function costContext(cfg: PlatformConfig): CostContext {
    const region = cfg.cloud === "gcp" ? cfg.gcp.region : cfg.aws.region;
    return { cloud: cfg.cloud, region, currency: cfg.budget.currency, usdRate: cfg.cost.usdRate ?? 1, budgetAmount: cfg.budget.amount };
}

/** "Baseline above the budget" as a finding: advisory, or mandatory when the stack opts in (cost.enforceBudget). */
export function budgetFinding(r: CostReport, enforce: boolean): Diagnostic | undefined {
    if (!r.budget.exceeded) return undefined;
    return {
        policyName: "cost-within-budget",
        policyPackName: "dataplatform-cost",
        enforcementLevel: enforce ? "mandatory" : "advisory",
        message: `the estimated baseline of ${money(r.baseline, r.currency)}/month exceeds budget.amount ${money(r.budget.amount, r.currency)} (ceiling ${money(r.ceiling, r.currency)})`,
    };
}
