import * as pulumi from "@pulumi/pulumi";
import type { Provider } from "@pulumi/aws/provider";
import { Budget } from "@pulumi/aws/budgets/budget";
import type * as awsInput from "@pulumi/aws/types/input";

export interface AwsBudgetArgs {
    stack: string;
    /** Monthly limit; AWS Budgets track cost in USD. */
    amount: number;
    currency: string;
    /** Fractions of the amount that notify, and who. */
    thresholds: readonly number[];
    emails: readonly string[];
    provider: Provider;
}

/** One ACTUAL-spend notification per configured fraction, in percent, to the configured e-mails. */
export function budgetNotifications(thresholds: readonly number[], emails: readonly string[]): awsInput.budgets.BudgetNotification[] {
    return thresholds.map((t) => ({
        comparisonOperator: "GREATER_THAN",
        notificationType: "ACTUAL",
        threshold: Math.round(t * 100),
        thresholdType: "PERCENTAGE",
        subscriberEmailAddresses: [...emails],
    }));
}

/** Monthly cost budget of the stack's AWS account (one account per environment). */
export class AwsBudget extends pulumi.ComponentResource {
    readonly budget: Budget;

    constructor(name: string, args: AwsBudgetArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplatform:aws:Budget", name, {}, opts);
        this.budget = new Budget(
            name,
            {
                name: `dataplatform-${args.stack}`,
                budgetType: "COST",
                timeUnit: "MONTHLY",
                limitAmount: String(args.amount),
                limitUnit: args.currency,
                // No tag filter: each environment has its own account, and untagged spend (data transfer, support)
                // is exactly what a tag filter would hide.
                notifications: budgetNotifications(args.thresholds, args.emails),
            },
            { parent: this, provider: args.provider },
        );
        this.registerOutputs({ budget: this.budget.name });
    }
}
