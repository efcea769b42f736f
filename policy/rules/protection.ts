import type { ResourceValidationPolicy } from "@pulumi/policy";
import { describe, ENV_SCHEMA, environmentOf, isStrimzi } from "./util";

/** Types that hold data a `pulumi destroy` or replacement would lose. */
const STATEFUL_TYPES = new Set([
    "gcp:storage/bucket:Bucket",
    "aws:s3/bucket:Bucket",
    "aws:s3/bucketV2:BucketV2",
    "gcp:bigquery/dataset:Dataset",
    "gcp:bigquery/table:Table",
    "gcp:compute/disk:Disk",
    "gcp:compute/regionDisk:RegionDisk",
    "aws:ebs/volume:Volume",
    "gcp:sql/databaseInstance:DatabaseInstance",
    "aws:rds/instance:Instance",
    "aws:rds/cluster:Cluster",
]);

function isStateful(type: string): boolean {
    return STATEFUL_TYPES.has(type) || isStrimzi(type, "KafkaNodePool");
}

export const prodStatefulProtected: ResourceValidationPolicy = {
    name: "prod-stateful-protected",
    description: "In prod, stateful resources (buckets, datasets, tables, disks, databases, Kafka node pools) are protected or have deletion protection.",
    enforcementLevel: "mandatory",
    configSchema: ENV_SCHEMA,
    validateResource: (args, report) => {
        if (environmentOf(args) !== "prod") args.notApplicable("staging stack");
        if (!isStateful(args.type)) args.notApplicable();
        const p = args.props;
        if (args.opts.protect || p.deletionProtection === true || p.deletion_protection === true) return;
        report(`${describe(args)}: set the protect resource option or deletionProtection: true.`);
    },
};
