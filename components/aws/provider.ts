import * as pulumi from "@pulumi/pulumi";
import { Provider as AwsProvider } from "@pulumi/aws/provider";
import { GcpProjectProviders, warehouseProviders } from "../gcp/services";
import type { AwsConfig, StackBase } from "../config";

/** Explicit AWS provider: pinned to the configured region and account, so a wrong profile cannot deploy elsewhere. */
export function awsProvider(name: string, aws: Pick<AwsConfig, "region" | "accountId">, opts: pulumi.CustomResourceOptions): AwsProvider {
    return new AwsProvider(name, { region: aws.region, allowedAccountIds: [aws.accountId] }, opts);
}

/** BigQuery lives in GCP for every stack: the warehouse project gets its own explicit provider. */
export function warehouseProvider(
    name: string,
    cfg: Pick<StackBase, "warehouseProject" | "warehouseRegion">,
    opts: pulumi.ComponentResourceOptions,
): GcpProjectProviders {
    return warehouseProviders(name, cfg.warehouseProject, cfg.warehouseRegion, opts);
}
