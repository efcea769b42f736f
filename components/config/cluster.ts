import { z } from "zod";
import { nonNegInt, posInt, Report } from "./common";
import { IMAGES } from "../versions";

const nodePool = z.strictObject({
    machineType: z.string().min(3).describe("GCP machine type (n2-standard-4) or EC2 instance type (m6i.xlarge)."),
    /** Per zone on GKE, total on EKS. */
    min: nonNegInt.describe("minimum nodes: per zone on GKE (× zones), in total on EKS"),
    max: posInt.describe("maximum nodes: per zone on GKE (× zones), in total on EKS"),
    spot: z.boolean().default(false).describe("Spot/preemptible nodes (never for system and kafka; required for spark in staging)"),
    diskSizeGb: z.number().int().min(20).max(2000).default(100).describe("boot disk size of each node in GiB"),
});
export type NodePoolConfig = z.infer<typeof nodePool>;

export const clusterSchema = z.strictObject({
    version: z
        .string()
        .regex(/^1\.(3[0-9])$/, 'must be a Kubernetes minor version 1.30 or later, such as "1.35"')
        .describe('Kubernetes minor version, e.g. "1.35"; must be in standard support (components/support-windows.ts).'),
    releaseChannel: z.enum(["RAPID", "REGULAR", "STABLE"]).default("REGULAR").describe("GKE release channel; ignored on EKS."),
    regional: z.boolean().describe("Regional (multi-zone) control plane and nodes. Required in prod."),
    nodePools: z
        .strictObject({
            system: nodePool.describe("node pool of system pods (DNS, operators, webhooks): on-demand, at least 1 node"),
            kafka: nodePool.describe("node pool of the Kafka brokers and controllers: on-demand, tainted for Kafka only"),
            spark: nodePool.describe("node pool of Spark drivers and executors: min 0, Spot in staging"),
        })
        .describe("the three node pools: system (operators, DNS), kafka (brokers, tainted), spark (jobs, scales from zero)"),
});
export type ClusterConfig = z.infer<typeof clusterSchema>;

const GCP_MACHINE = /^[a-z][a-z0-9]+-(standard|highmem|highcpu|custom)-\d+$/;
const AWS_INSTANCE = /^[a-z][a-z0-9-]*\.(\d*x?large|medium|small|metal)$/;

export function clusterRules(cloud: "gcp" | "aws", environment: "staging" | "prod", c: ClusterConfig, report: Report): void {
    if (environment === "prod" && !c.regional) {
        report(["cluster", "regional"], c.regional, "must be true in prod (a zonal cluster has a single-zone control plane)");
    }
    for (const [pool, p] of Object.entries(c.nodePools)) {
        const at = (k: string) => ["cluster", "nodePools", pool, k];
        if (p.min > p.max) report(at("min"), p.min, `is larger than cluster.nodePools.${pool}.max (${p.max})`);
        const re = cloud === "gcp" ? GCP_MACHINE : AWS_INSTANCE;
        if (!re.test(p.machineType)) {
            report(
                at("machineType"),
                p.machineType,
                cloud === "gcp" ? "is not a GCE machine type such as n2-standard-4" : "is not an EC2 instance type such as m6i.xlarge",
            );
        }
    }
    // EKS node groups scale through the Cluster Autoscaler, whose minor must match the control plane.
    const caMinor = /:v(\d+\.\d+)\./.exec(IMAGES.clusterAutoscaler)?.[1];
    if (cloud === "aws" && caMinor !== c.version) {
        report(
            ["cluster", "version"],
            c.version,
            `has no matching Cluster Autoscaler image (versions.ts pins ${IMAGES.clusterAutoscaler}); update both together`,
        );
    }
    const { system, kafka, spark } = c.nodePools;
    if (system.spot) report(["cluster", "nodePools", "system", "spot"], true, "must be false: system pods (DNS, operators, webhooks) cannot run on Spot only");
    if (system.min < 1) report(["cluster", "nodePools", "system", "min"], system.min, "must be at least 1: the system pool cannot scale to zero");
    if (kafka.spot) report(["cluster", "nodePools", "kafka", "spot"], true, "must be false: brokers must not be preempted");
    if (!spark.spot && environment === "staging")
        report(["cluster", "nodePools", "spark", "spot"], false, "must be true in staging (Spark executors run on Spot)");
    if (spark.min !== 0) report(["cluster", "nodePools", "spark", "min"], spark.min, "must be 0: the Spark pool scales from zero");
}
