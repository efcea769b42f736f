import * as pulumi from "@pulumi/pulumi";
import type { Provider } from "@pulumi/gcp/provider";
import { Service } from "@pulumi/gcp/projects/service";
import { gcpProvider } from "./provider";

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
const WAREHOUSE_SERVICES = [
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

interface GcpProjectServicesArgs {
    provider: Provider;
    project: string;
    services: readonly string[];
}

/**
 * Enables the project's APIs. Never disabled on destroy: other stacks and people share the project, and
 * disabling container/compute would take down whatever still runs there.
 */
class GcpProjectServices extends pulumi.ComponentResource {
    constructor(name: string, args: GcpProjectServicesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplatform:gcp:ProjectServices", name, {}, opts);
        for (const service of [...new Set(args.services)]) {
            new Service(
                `${name}-${service.split(".")[0]}`,
                {
                    project: args.project,
                    service,
                    disableOnDestroy: false,
                    disableDependentServices: false,
                },
                { parent: this, provider: args.provider },
            );
        }
        this.registerOutputs({});
    }
}

/** The providers of one GCP project, each for what it can do on a brand-new project. */
export interface GcpProjectProviders {
    /** Needs no API enabled in the project: enables the APIs and answers every lookup (also during preview). */
    readonly bootstrap: Provider;
    /** Every resource, once the APIs are enabled. */
    readonly provider: Provider;
    /** Billing budgets and quota preferences only: bills requests to the project (after the APIs are enabled). */
    readonly quota: Provider;
}

/**
 * The project's APIs enabled through a bootstrap provider, and the providers that wait for them. Names:
 * `<prefix>-bootstrap`, `<prefix>`, `<prefix>-quota` and the services component `servicesName`.
 */
export function gcpProjectProviders(
    prefix: string,
    servicesName: string,
    project: string,
    region: string,
    services: readonly string[],
    opts: pulumi.ComponentResourceOptions,
): GcpProjectProviders {
    const bootstrap = gcpProvider(`${prefix}-bootstrap`, project, region, opts);
    const enabled = new GcpProjectServices(servicesName, { provider: bootstrap, project, services }, opts);
    return {
        bootstrap,
        provider: gcpProvider(prefix, project, region, { ...opts, dependsOn: [enabled] }),
        quota: gcpProvider(`${prefix}-quota`, project, region, { ...opts, dependsOn: [enabled] }, true),
    };
}

/** The providers of a BigQuery-only project (the warehouse of an AWS stack, or one apart from the cluster's project). */
export function warehouseProviders(name: string, project: string, region: string, opts: pulumi.ComponentResourceOptions): GcpProjectProviders {
    return gcpProjectProviders(name, `${name}-services`, project, region, WAREHOUSE_SERVICES, opts);
}
