import * as pulumi from "@pulumi/pulumi";
import type { BucketRef, DatasetRef } from "../../components/interfaces";

/** A GCS bucket reference for pure builders: its name is the logical name, no real resource behind it. */
export const fakeBucket = (logicalName: string): BucketRef => ({
    logicalName,
    name: pulumi.output(logicalName),
    url: pulumi.output(`gs://${logicalName}`),
    resource: {} as pulumi.Resource,
});

/** A BigQuery dataset reference in project "p" for pure builders: its id is the logical name, no real resource behind it. */
export const fakeDataset = (logicalName: string): DatasetRef => ({
    logicalName,
    project: "p",
    datasetId: pulumi.output(logicalName),
    resource: {} as pulumi.Resource,
});
