import * as pulumi from "@pulumi/pulumi";
import type { Provider } from "@pulumi/gcp/provider";
import { Service } from "@pulumi/gcp/projects/service";
import { gcpBootstrapProvider, gcpProvider } from "./provider";

/** APIs the platform uses in its GCP project: cluster, network, keys, identity, lake, warehouse, Airflow DB. */
export const PLATFORM_SERVICES = [
    "compute.googleapis.com",
    "container.googleapis.com",
    "cloudkms.googleapis.com",
    "iam.googleapis.com",
    "iamcredentials.googleapis.com",
    "sts.googleapis.com",
    "cloudresourcemanager.googleapis.com",
    "logging.googleapis.com",
    "monitoring.googleapis.com",
    "artifactregistry.googleapis.com",
    "storage.googleapis.com",
    "bigquery.googleapis.com",
    "bigquerystorage.googleapis.com",
    "sqladmin.googleapis.com",
    "servicenetworking.googleapis.com",
    "cloudquotas.googleapis.com",
    "billingbudgets.googleapis.com",
] as const;

/** APIs of a BigQuery-only project (AWS stacks): keys, the federation pool, BigQuery, quota and budget. */
export const WAREHOUSE_SERVICES = [
    "cloudkms.googleapis.com",
    "iam.googleapis.com",
    "iamcredentials.googleapis.com",
    "sts.googleapis.com",
    "cloudresourcemanager.googleapis.com",
    "bigquery.googleapis.com",
    "bigquerystorage.googleapis.com",
    "cloudquotas.googleapis.com",
    "billingbudgets.googleapis.com",
] as const;

export interface GcpProjectServicesArgs {
    provider: Provider;
    project: string;
    services: readonly string[];
}

/**
 * Enables the project's APIs. Never disabled on destroy: other stacks and people share the project, and
 * disabling container/compute would take down whatever still runs there.
 */
export class GcpProjectServices extends pulumi.ComponentResource {
    constructor(name: string, args: GcpProjectServicesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplatform:gcp:ProjectServices", name, {}, opts);
        for (const service of [...new Set(args.services)]) {
            new Service(`${name}-${service.split(".")[0]}`, {
                project: args.project,
                service,
                disableOnDestroy: false,
                disableDependentServices: false,
            }, { parent: this, provider: args.provider });
        }
        this.registerOutputs({});
    }
}

/**
 * A provider for a BigQuery-only project (the warehouse of an AWS stack, or one apart from the cluster's
 * project): its APIs are enabled first through a bootstrap provider, and everything on the returned provider
 * waits for them.
 */
export function warehouseProviderWithServices(name: string, project: string, region: string, opts: pulumi.ComponentResourceOptions): Provider {
    const bootstrap = gcpBootstrapProvider(`${name}-bootstrap`, project, region, opts);
    const services = new GcpProjectServices(`${name}-services`, { provider: bootstrap, project, services: WAREHOUSE_SERVICES }, opts);
    return gcpProvider(name, project, region, { ...opts, dependsOn: [services] }, bootstrap);
}
