import * as pulumi from "@pulumi/pulumi";
import type { Provider } from "@pulumi/gcp/provider";
import { Account } from "@pulumi/gcp/serviceaccount/account";
import { IAMMember as ServiceAccountIAMMember } from "@pulumi/gcp/serviceaccount/iammember";
import { DatasetIamMember } from "@pulumi/gcp/bigquery/datasetIamMember";
import { IAMMember as ProjectIAMMember } from "@pulumi/gcp/projects/iammember";
import type { DatasetRef } from "../interfaces";
import { stackAccountId } from "../naming";

export interface BiReaderArgs {
    /** The warehouse project. */
    project: string;
    stack: string;
    /** warehouse.biPrincipals: who may mint the reader's tokens. */
    principals: readonly string[];
    provider: Provider;
    /** The dataset BI tools read (warehouse.biDataset). */
    dataset: DatasetRef;
}

/** The BI identity's data grants: read one dataset, run query jobs, open Storage Read API sessions. */
export const BI_DATASET_ROLE = "roles/bigquery.dataViewer";
export const BI_PROJECT_ROLES = ["roles/bigquery.jobUser", "roles/bigquery.readSessionUser"] as const;

/**
 * Read-only identity for Tableau and QlikSense on the BI dataset. No key is ever created: BI users sign in
 * with OAuth, or a BI server federates (workload/workforce identity federation) and impersonates this account;
 * warehouse.biPrincipals may mint its tokens.
 */
export class BiReader extends pulumi.ComponentResource {
    readonly email: pulumi.Output<string>;
    readonly member: pulumi.Output<string>;
    /** The three data grants (dataset viewer, job user, read session user). */
    readonly grants: pulumi.Resource[];

    constructor(name: string, args: BiReaderArgs, opts?: pulumi.ComponentResourceOptions) {
        // Token kept from when BigQuery lived in components/gcp/: it is part of the URN of every resource below.
        super("dataplatform:gcp:BiReader", name, {}, opts);
        const { project, stack } = args;
        const provider = args.provider;

        const sa = new Account(
            name,
            {
                project,
                accountId: stackAccountId("bi-reader", stack),
                displayName: `BI reader (${stack})`,
                description: `Read-only BigQuery access for Tableau/QlikSense on ${args.dataset.logicalName}; keyless`,
            },
            { parent: this, provider },
        );
        this.email = sa.email;
        this.member = sa.member;

        this.grants = [
            new DatasetIamMember(
                `${name}-data-viewer`,
                {
                    project,
                    datasetId: args.dataset.datasetId,
                    role: BI_DATASET_ROLE,
                    member: sa.member,
                },
                { parent: this, provider },
            ),
            ...BI_PROJECT_ROLES.map(
                (role) =>
                    new ProjectIAMMember(
                        `${name}-${role.split(".")[1].replace(/[A-Z]/g, (c) => "-" + c.toLowerCase())}`,
                        {
                            project,
                            role,
                            member: sa.member,
                        },
                        { parent: this, provider },
                    ),
            ),
        ];

        // Who may act as the reader: on this account only, never project-wide.
        args.principals.forEach((p, i) => {
            new ServiceAccountIAMMember(
                `${name}-impersonator-${i}`,
                {
                    serviceAccountId: sa.name,
                    role: "roles/iam.serviceAccountTokenCreator",
                    member: p,
                },
                { parent: this, provider },
            );
        });

        this.registerOutputs({ email: this.email });
    }
}
