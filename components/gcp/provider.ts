import * as pulumi from "@pulumi/pulumi";
import { Provider } from "@pulumi/gcp/provider";

/**
 * An explicit GCP provider pinned to one project and region: every GCP resource names its provider, so an
 * ambient `gcloud config` project can never receive resources by accident.
 *
 * `quotaProject` bills every request to the project itself (`billingProject` + `userProjectOverride`): the
 * API called must then be enabled in that project, so only the providers of the APIs that refuse calls
 * without a quota project (Billing Budgets, Cloud Quotas) set it. Without it, requests are billed to the
 * caller's own project, which works on a project where nothing is enabled yet.
 */
export function gcpProvider(name: string, project: string, region: string, opts: pulumi.ResourceOptions, quotaProject = false): Provider {
    return new Provider(
        name,
        {
            project,
            region,
            addPulumiAttributionLabel: false,
            ...(quotaProject ? { billingProject: project, userProjectOverride: true } : {}),
        },
        opts,
    );
}
