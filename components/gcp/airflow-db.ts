import * as pulumi from "@pulumi/pulumi";
import type { Provider } from "@pulumi/gcp/provider";
import { GlobalAddress } from "@pulumi/gcp/compute/globalAddress";
import { Connection } from "@pulumi/gcp/servicenetworking/connection";
import { DatabaseInstance } from "@pulumi/gcp/sql/databaseInstance";
import { Database } from "@pulumi/gcp/sql/database";
import { User } from "@pulumi/gcp/sql/user";
import { RandomPassword } from "@pulumi/random/randomPassword";
import type { StackBase } from "../config";
import type { ManagedDatabase } from "../interfaces";

export interface GcpAirflowDatabaseArgs {
    project: string;
    region: string;
    stack: string;
    environment: "staging" | "prod";
    /** airflow.database: engine version, tier, storage, backups, high availability. */
    database: StackBase["airflow"]["database"];
    provider: Provider;
    /** VPC the cluster runs in: the instance gets a private IP in it through private service access. */
    networkId: pulumi.Input<string>;
    /**
     * CMEK in the instance's region, and the Cloud SQL service agent's grant on it (the agent is generated first):
     * the key setting can only be chosen at creation (a change replaces the instance), so it is never optional.
     */
    kmsKeyName: pulumi.Input<string>;
    keyGrants: pulumi.Resource[];
}

/** Cloud SQL for PostgreSQL holding Airflow's metadata: private IP only, TLS required, HA + PITR in prod. */
export class GcpAirflowDatabase extends pulumi.ComponentResource implements ManagedDatabase {
    readonly host: pulumi.Output<string>;
    readonly port = 5432;
    readonly database = "airflow";
    readonly username = "airflow";
    readonly password: pulumi.Output<string>;
    readonly resource: DatabaseInstance;

    constructor(name: string, args: GcpAirflowDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplatform:gcp:AirflowDatabase", name, {}, opts);
        const db = args.database;
        const prod = args.environment === "prod";
        const project = args.project;
        const gcp = { parent: this, provider: args.provider };

        // Private service access: a reserved range peered with Google's service producer network.
        const range = new GlobalAddress(
            `${name}-psa-range`,
            {
                project,
                name: `dataplatform-${args.stack}-psa`,
                purpose: "VPC_PEERING",
                addressType: "INTERNAL",
                prefixLength: 20,
                network: args.networkId,
            },
            gcp,
        );
        const peering = new Connection(
            `${name}-psa`,
            {
                network: args.networkId,
                service: "servicenetworking.googleapis.com",
                reservedPeeringRanges: [range.name],
                // Other producers (Memorystore, …) may share the peering; never tear it down under them.
                deletionPolicy: "ABANDON",
            },
            gcp,
        );

        this.resource = new DatabaseInstance(
            `${name}-instance`,
            {
                project,
                region: args.region,
                name: `dataplatform-${args.stack}-airflow`,
                databaseVersion: `POSTGRES_${db.postgresVersion}`,
                encryptionKeyName: args.kmsKeyName,
                deletionProtection: prod,
                settings: {
                    tier: db.instanceClass,
                    edition: "ENTERPRISE",
                    availabilityType: db.highAvailability ? "REGIONAL" : "ZONAL",
                    diskType: "PD_SSD",
                    diskSize: db.storageGb,
                    diskAutoresize: true,
                    deletionProtectionEnabled: prod,
                    ipConfiguration: { ipv4Enabled: false, privateNetwork: args.networkId, sslMode: "ENCRYPTED_ONLY" },
                    backupConfiguration: {
                        enabled: true,
                        startTime: "02:00",
                        pointInTimeRecoveryEnabled: true,
                        transactionLogRetentionDays: Math.min(7, db.backupRetentionDays),
                        backupRetentionSettings: { retainedBackups: db.backupRetentionDays, retentionUnit: "COUNT" },
                    },
                    maintenanceWindow: { day: 7, hour: 3, updateTrack: prod ? "stable" : "canary" },
                    insightsConfig: { queryInsightsEnabled: true },
                    databaseFlags: [
                        { name: "log_min_duration_statement", value: "1000" },
                        // KubernetesExecutor: every task pod opens its own connections.
                        { name: "max_connections", value: prod ? "400" : "200" },
                    ],
                },
            },
            { ...gcp, dependsOn: [peering, ...args.keyGrants], protect: prod },
        );

        const password = new RandomPassword(`${name}-password`, { length: 32, special: false }, { parent: this });
        this.password = pulumi.secret(password.result);
        new Database(`${name}-db`, { project, instance: this.resource.name, name: this.database }, gcp);
        new User(`${name}-user`, { project, instance: this.resource.name, name: this.username, password: this.password }, gcp);
        this.host = this.resource.privateIpAddress;
        this.registerOutputs({ host: this.host, connectionName: this.resource.connectionName });
    }
}
