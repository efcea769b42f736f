import * as pulumi from "@pulumi/pulumi";
import { Provider } from "@pulumi/gcp/provider";

/** The bootstrap provider of each project provider: lookups go through it. */
const lookups = new WeakMap<Provider, Provider>();

/**
 * An explicit GCP provider pinned to one project and region: every GCP resource names its provider, so an
 * ambient `gcloud config` project can never receive resources by accident. With `bootstrap`, lookups made
 * for this provider (lookupProvider) go through the bootstrap provider instead.
 */
export function gcpProvider(name: string, project: string, region: string, opts: pulumi.ResourceOptions, bootstrap?: Provider): Provider {
    // The Billing Budgets and Cloud Quotas APIs bill requests to a quota project: the stack's own.
    const p = new Provider(name, { project, region, addPulumiAttributionLabel: false, billingProject: project, userProjectOverride: true }, opts);
    if (bootstrap) lookups.set(p, bootstrap);
    return p;
}

/**
 * A provider that needs nothing enabled in `project`: no quota project, so requests are billed to the caller's
 * own project. It enables the project's APIs and runs the lookups, which a preview performs for real before
 * any resource (Service included) exists.
 */
export function gcpBootstrapProvider(name: string, project: string, region: string, opts: pulumi.ResourceOptions): Provider {
    return new Provider(name, { project, region, addPulumiAttributionLabel: false }, opts);
}

/** The provider lookups (invokes) for `provider`'s project go through: its bootstrap provider when it has one. */
export function lookupProvider(provider: Provider): Provider {
    return lookups.get(provider) ?? provider;
}
