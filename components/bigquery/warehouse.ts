import * as pulumi from "@pulumi/pulumi";
import type { Provider } from "@pulumi/gcp/provider";
import { Dataset } from "@pulumi/gcp/bigquery/dataset";
import { Table } from "@pulumi/gcp/bigquery/table";
import type { StackBase } from "../config";
import type { DatasetRef } from "../interfaces";
import { loadTableSpecs, TableSelection, TableSpec } from "./tables";
import { BiReader } from "./bi";
import { datasetId } from "../naming";

export interface WarehouseArgs {
    /** The warehouse project (warehouseProject). */
    project: string;
    stack: string;
    environment: "staging" | "prod";
    /** warehouse: datasets, location, schema folder, BI dataset and the principals that may act as the BI reader. */
    warehouse: Pick<StackBase["warehouse"], "datasets" | "location" | "schemaDir" | "biDataset" | "biPrincipals">;
    /** GCP provider of the warehouse project. */
    provider: Provider;
    /** CMEK for datasets and tables: a BigQuery key in the KMS location matching warehouse.location. */
    kmsKeyName: pulumi.Input<string>;
    /** The key and its service-agent grant: BigQuery checks key access when a dataset or table is created. */
    keyGrants: pulumi.Resource[];
}

/** The tables each dataset's config lists (datasets without a list get every schema file of their folder). */
export function tableSelection(cfg: { warehouse: Pick<StackBase["warehouse"], "datasets"> }): Record<string, TableSelection | undefined> {
    return Object.fromEntries(
        cfg.warehouse.datasets.map((d, i) => [d.name, d.tables ? { key: `dataplatform:warehouse.datasets[${i}].tables`, ids: d.tables } : undefined]),
    );
}

/**
 * BigQuery datasets from config and tables from the schema files, plus the BI reader. Access is granted only
 * through IAM member resources (never `accesses` blocks: the two overwrite each other).
 */
export class Warehouse extends pulumi.ComponentResource {
    readonly datasets: Readonly<Record<string, DatasetRef>>;
    readonly tables: Readonly<Record<string, Table>>;
    readonly bi: BiReader;

    constructor(name: string, args: WarehouseArgs, opts?: pulumi.ComponentResourceOptions) {
        // Token kept from when BigQuery lived in components/gcp/: it is part of the URN of every resource below.
        super("dataplatform:gcp:Warehouse", name, {}, opts);
        const { stack, project } = args;
        const wh = args.warehouse;
        const prod = args.environment === "prod";
        const provider = args.provider;
        // Stateful: never lost through a config change or a stack destroy in prod.
        const keep: pulumi.CustomResourceOptions = prod ? { protect: true, retainOnDelete: true } : {};

        // Validated before any resource exists: a bad schema file fails the whole preview, naming the file.
        const specs = loadTableSpecs(
            wh.schemaDir,
            wh.datasets.map((d) => d.name),
            { prod, tables: tableSelection(args) },
        );

        const datasets: Record<string, DatasetRef> = {};
        const resources: Record<string, Dataset> = {};
        for (const d of wh.datasets) {
            const ds = new Dataset(
                `${name}-${d.name}`,
                {
                    project,
                    datasetId: datasetId(d.name, stack),
                    friendlyName: `${d.name} (${stack})`,
                    description: d.description,
                    location: wh.location,
                    defaultEncryptionConfiguration: { kmsKeyName: args.kmsKeyName },
                    defaultTableExpirationMs: !prod && d.defaultTableExpirationDays ? d.defaultTableExpirationDays * 86_400_000 : undefined,
                    // Outside prod a destroy removes the tables too (jobs create tables that would block it).
                    deleteContentsOnDestroy: !prod,
                },
                { parent: this, provider, dependsOn: args.keyGrants, ...keep },
            );
            resources[d.name] = ds;
            datasets[d.name] = { logicalName: d.name, project, datasetId: ds.datasetId, resource: ds };
        }
        this.datasets = datasets;

        const tables: Record<string, Table> = {};
        for (const s of specs) {
            tables[`${s.dataset}.${s.tableId}`] = this.table(name, s, resources[s.dataset], args, prod);
        }
        this.tables = tables;

        this.bi = new BiReader(
            `${name}-bi`,
            {
                project,
                stack,
                principals: wh.biPrincipals,
                provider,
                dataset: datasets[wh.biDataset],
            },
            { parent: this },
        );

        this.registerOutputs({
            datasets: Object.fromEntries(Object.entries(datasets).map(([k, v]) => [k, v.datasetId])),
            biReader: this.bi.email,
        });
    }

    private table(name: string, s: TableSpec, ds: Dataset, args: WarehouseArgs, prod: boolean): Table {
        return new Table(
            `${name}-${s.dataset}-${s.tableId.replace(/_/g, "-")}`,
            {
                project: ds.project,
                datasetId: ds.datasetId,
                tableId: s.tableId,
                description: s.description,
                schema: s.schema,
                timePartitioning: s.timePartitioning,
                clusterings: s.clusterings,
                requirePartitionFilter: s.requirePartitionFilter,
                encryptionConfiguration: { kmsKeyName: args.kmsKeyName },
                deletionProtection: prod,
            },
            {
                parent: this,
                provider: args.provider,
                dependsOn: args.keyGrants,
                // A new partitioning or clustering replaces the table; in prod, `protect` turns that replacement
                // into a refused update (and the program refuses it earlier against the layout lock).
                replaceOnChanges: ["timePartitioning", "clusterings"],
                ...(prod ? { protect: true, retainOnDelete: true } : {}),
            },
        );
    }
}
