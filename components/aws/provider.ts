import * as pulumi from "@pulumi/pulumi";
import { Provider as AwsProvider } from "@pulumi/aws/provider";
import { GcpProjectProviders, warehouseProviders } from "../gcp/services";
import type { AwsStack, PlatformConfig } from "../config";

/** Explicit AWS provider: pinned to the configured region and account, so a wrong profile cannot deploy elsewhere. */
export function awsProvider(name: string, cfg: AwsStack, opts: pulumi.CustomResourceOptions): AwsProvider {
    const aws = cfg.aws;
    return new AwsProvider(name, { region: aws.region, allowedAccountIds: [aws.accountId] }, opts);
}

/** BigQuery lives in GCP for every stack: the warehouse project gets its own explicit provider. */
export function warehouseProvider(name: string, cfg: PlatformConfig, opts: pulumi.ComponentResourceOptions): GcpProjectProviders {
    return warehouseProviders(name, cfg.warehouseProject, cfg.warehouseRegion, opts);
}
