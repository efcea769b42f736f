import * as pulumi from "@pulumi/pulumi";
import { Provider } from "@pulumi/gcp/provider";

/**
 * An explicit GCP provider pinned to one project and region: every GCP resource names its provider, so an
 * ambient `gcloud config` project can never receive resources by accident.
 */
export function gcpProvider(name: string, project: string, region: string, opts: pulumi.ResourceOptions): Provider {
    // The Billing Budgets and Cloud Quotas APIs bill requests to a quota project: the stack's own.
    return new Provider(name, { project, region, addPulumiAttributionLabel: false, billingProject: project, userProjectOverride: true }, opts);
}
