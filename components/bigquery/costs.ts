import * as pulumi from "@pulumi/pulumi";
import type { Provider } from "@pulumi/gcp/provider";
import { SQuotaPreference } from "@pulumi/gcp/cloudquota/squotaPreference";
import { Budget } from "@pulumi/gcp/billing/budget";
import { getProjectOutput } from "@pulumi/gcp/organizations/getProject";
import type { WarehouseBudget } from "../foundation/contract";
import { generationSuffix } from "../names";

export interface WarehouseCostsArgs {
    /** The warehouse project. */
    project: string;
    stack: string;
    environment: "staging" | "prod";
    /** Suffix of names GCP never frees (the quota preference). */
    generation?: number;
    /** warehouse.queryUsagePerDayTiB: the daily scan cap. */
    queryUsagePerDayTiB: number;
    /** budget.thresholds and budget.notificationChannels. */
    thresholds: readonly number[];
    notificationChannels: readonly string[];
    /** Provider of the warehouse project that bills requests to it (the Budget and Cloud Quotas APIs require a quota project). */
    quotaProvider: Provider;
    /** Provider of the project-number lookup: one that needs no API enabled in the project. */
    lookupProvider: Provider;
    /** The GCP budget that covers the warehouse project (chosen by the stack's foundation). */
    budget: WarehouseBudget;
}

/** QueryUsagePerDay is expressed in MiB by the Cloud Quotas API, as a string. */
export function queryUsageMiB(tib: number): string {
    return String(Math.round(tib * 1024 * 1024));
}

/** A decimal amount as the Billing API's Money: whole units (string) and nanos. */
export function money(amount: number, currencyCode: string): { currencyCode: string; units: string; nanos?: number } {
    const units = Math.floor(amount);
    const nanos = Math.round((amount - units) * 1e9);
    return { currencyCode, units: String(units), ...(nanos ? { nanos } : {}) };
}

/**
 * Cost guardrails of the warehouse project: a custom per-project BigQuery quota (bytes scanned per day) and a
 * billing budget alerting at the configured fractions.
 */
export class WarehouseCosts extends pulumi.ComponentResource {
    readonly quota: SQuotaPreference;
    readonly budget: Budget;

    constructor(name: string, args: WarehouseCostsArgs, opts?: pulumi.ComponentResourceOptions) {
        // Token kept from when BigQuery lived in components/gcp/: it is part of the URN of every resource below.
        super("dataplatform:gcp:WarehouseCosts", name, {}, opts);
        const { project, stack } = args;
        const provider = args.quotaProvider;

        this.quota = new SQuotaPreference(
            `${name}-query-usage`,
            {
                parent: `projects/${project}`,
                name: `bigquery-query-usage-per-day-${stack}${generationSuffix(args)}`,
                service: "bigquery.googleapis.com",
                quotaId: "QueryUsagePerDay",
                dimensions: {},
                quotaConfig: { preferredValue: queryUsageMiB(args.queryUsagePerDayTiB) },
                justification: `Cap on-demand BigQuery scans of the ${args.environment} data platform (${args.queryUsagePerDayTiB} TiB/day)`,
                // The default is unlimited: any cap is a "decrease" by more than 10 % to the API.
                ignoreSafetyChecks: "QUOTA_DECREASE_PERCENTAGE_TOO_HIGH",
            },
            { parent: this, provider },
        );

        const b = args.budget;
        const projectNumber = getProjectOutput({ projectId: project }, { parent: this, provider: args.lookupProvider }).number;
        this.budget = new Budget(
            `${name}-budget`,
            {
                billingAccount: b.billingAccount,
                displayName: `dataplatform-${stack}`,
                amount: { specifiedAmount: money(b.amount, b.currency) },
                // Whole project: BigQuery query charges carry job labels, not resource labels, so a label filter would miss them.
                budgetFilter: {
                    projects: [pulumi.interpolate`projects/${projectNumber}`],
                    calendarPeriod: "MONTH",
                    creditTypesTreatment: "INCLUDE_ALL_CREDITS",
                },
                thresholdRules: args.thresholds.map((t) => ({ thresholdPercent: t, spendBasis: "CURRENT_SPEND" })),
                allUpdatesRule: {
                    monitoringNotificationChannels: [...args.notificationChannels],
                    disableDefaultIamRecipients: false,
                },
            },
            { parent: this, provider },
        );

        this.registerOutputs({ quota: this.quota.name, budget: this.budget.name });
    }
}
