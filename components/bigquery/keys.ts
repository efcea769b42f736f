import type * as pulumi from "@pulumi/pulumi";
import type { StackBase } from "../config";
import { GcpKeys } from "../gcp/keys";
import type { GcpProjectProviders } from "../gcp/services";

/** BigQuery CMEK keys must live in the KMS location matching the dataset location. */
export function bigqueryKmsLocation(location: string): string {
    const l = location.trim();
    if (l.toUpperCase() === "EU") return "europe";
    if (l.toUpperCase() === "US") return "us";
    return l.toLowerCase();
}

/**
 * The BigQuery CMEK of the warehouse project, on every stack (BigQuery lives in GCP on aws stacks too). Both
 * foundations create it through this function; only the name and parent differ, as the stacks' URNs always had them.
 */
export function warehouseKeys(
    name: string,
    cfg: Pick<StackBase, "stack" | "environment" | "generation" | "warehouseProject"> & { warehouse: { location: string } },
    providers: GcpProjectProviders,
    opts: pulumi.ComponentResourceOptions,
): GcpKeys {
    return new GcpKeys(
        name,
        {
            stack: cfg.stack,
            environment: cfg.environment,
            generation: cfg.generation,
            provider: providers.provider,
            lookupProvider: providers.bootstrap,
            project: cfg.warehouseProject,
            ring: "warehouse",
            location: bigqueryKmsLocation(cfg.warehouse.location),
            purposes: ["bigquery"],
        },
        opts,
    );
}
