import type { ResourceValidationPolicy } from "@pulumi/policy";
import { asArray, at, describe } from "./util";

const DATASET = "gcp:bigquery/dataset:Dataset";
const TABLE = "gcp:bigquery/table:Table";

/** Views, materialized views and external tables hold no storage of their own: partitioning does not apply. */
function isStoredTable(props: Record<string, any>): boolean {
    return !props.view && !props.materializedView && !props.externalDataConfiguration;
}

export const datasetCmek: ResourceValidationPolicy = {
    name: "bigquery-dataset-cmek",
    description: "BigQuery datasets encrypt new tables with a customer-managed key by default.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== DATASET) args.notApplicable();
        if (!at(args.props, "defaultEncryptionConfiguration.kmsKeyName")) report(`${describe(args)}: defaultEncryptionConfiguration.kmsKeyName is not set.`);
    },
};

export const tablePartitioned: ResourceValidationPolicy = {
    name: "bigquery-table-partitioned",
    description: "BigQuery tables are time-partitioned and require a partition filter, so queries cannot scan whole tables.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== TABLE || !isStoredTable(args.props)) args.notApplicable();
        const problems: string[] = [];
        if (!at(args.props, "timePartitioning.type")) problems.push("timePartitioning.type is not set");
        // Top-level since provider v5; the nested field is the older spelling.
        if (args.props.requirePartitionFilter !== true && at(args.props, "timePartitioning.requirePartitionFilter") !== true)
            problems.push("requirePartitionFilter is not true");
        if (problems.length) report(`${describe(args)}: ${problems.join("; ")}.`);
    },
};

export const tableClustered: ResourceValidationPolicy = {
    name: "bigquery-table-clustered",
    description: "BigQuery tables declare clustering columns (cheaper filtered queries).",
    enforcementLevel: "advisory",
    validateResource: (args, report) => {
        if (args.type !== TABLE || !isStoredTable(args.props)) args.notApplicable();
        if (asArray(args.props.clusterings).length === 0) report(`${describe(args)}: clusterings is empty.`);
    },
};

export const bigqueryPolicies = [datasetCmek, tablePartitioned, tableClustered];
