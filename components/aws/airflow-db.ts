import * as pulumi from "@pulumi/pulumi";
import { LogGroup } from "@pulumi/aws/cloudwatch/logGroup";
import { logRetentionDays } from "./keys";
import type { Provider } from "@pulumi/aws/provider";
import { Instance } from "@pulumi/aws/rds/instance";
import { SubnetGroup } from "@pulumi/aws/rds/subnetGroup";
import { ParameterGroup } from "@pulumi/aws/rds/parameterGroup";
import { SecurityGroup } from "@pulumi/aws/ec2/securityGroup";
import { SecurityGroupIngressRule } from "@pulumi/aws/vpc/securityGroupIngressRule";
import { RandomPassword } from "@pulumi/random/randomPassword";
import type { StackBase } from "../config";
import type { ManagedDatabase } from "../interfaces";

export interface AwsAirflowDatabaseArgs {
    stack: string;
    environment: "staging" | "prod";
    /** airflow.database: engine version, class, storage, backups, Multi-AZ. */
    database: StackBase["airflow"]["database"];
    provider: Provider;
    vpcId: pulumi.Input<string>;
    privateSubnetIds: pulumi.Input<string>[];
    /** Only pods/nodes in the cluster security group may connect. */
    clusterSecurityGroupId: pulumi.Input<string>;
    /** The `rds` CMK. */
    kmsKeyArn: pulumi.Input<string>;
    /** CMK of the instance's CloudWatch log group. */
    logsKeyArn: pulumi.Input<string>;
}

/** RDS PostgreSQL holding Airflow's metadata: private subnets, CMK-encrypted, TLS forced, Multi-AZ in prod. */
export class AwsAirflowDatabase extends pulumi.ComponentResource implements ManagedDatabase {
    readonly host: pulumi.Output<string>;
    readonly port = 5432;
    readonly database = "airflow";
    readonly username = "airflow";
    readonly password: pulumi.Output<string>;
    readonly resource: Instance;

    constructor(name: string, args: AwsAirflowDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplatform:aws:AirflowDatabase", name, {}, opts);
        const db = args.database;
        const prod = args.environment === "prod";
        const aws = { parent: this, provider: args.provider };
        const id = `dataplatform-${args.stack}-airflow`;

        const subnets = new SubnetGroup(`${name}-subnets`, { name: id, subnetIds: args.privateSubnetIds }, aws);
        const sg = new SecurityGroup(
            `${name}-sg`,
            {
                name: id,
                description: "Airflow metadata database: PostgreSQL from the EKS cluster only",
                vpcId: args.vpcId,
            },
            aws,
        );
        new SecurityGroupIngressRule(
            `${name}-from-cluster`,
            {
                securityGroupId: sg.id,
                referencedSecurityGroupId: args.clusterSecurityGroupId,
                ipProtocol: "tcp",
                fromPort: 5432,
                toPort: 5432,
                description: "PostgreSQL from cluster pods and nodes",
            },
            aws,
        );
        const params = new ParameterGroup(
            `${name}-params`,
            {
                name: id,
                family: `postgres${db.postgresVersion}`,
                parameters: [
                    { name: "rds.force_ssl", value: "1" },
                    { name: "log_min_duration_statement", value: "1000" },
                ],
            },
            aws,
        );

        const password = new RandomPassword(`${name}-password`, { length: 32, special: false }, { parent: this });
        this.password = pulumi.secret(password.result);
        // RDS's export group, created first so it is encrypted, has a retention and is destroyed with the stack
        // (RDS would create it unencrypted and without expiry: /aws/rds/instance/<id>/<log>).
        const logs = new LogGroup(
            `${name}-postgresql-logs`,
            {
                name: `/aws/rds/instance/${id}/postgresql`,
                retentionInDays: logRetentionDays(args.environment),
                kmsKeyId: args.logsKeyArn,
            },
            aws,
        );
        this.resource = new Instance(
            `${name}-instance`,
            {
                identifier: id,
                engine: "postgres",
                engineVersion: db.postgresVersion,
                instanceClass: db.instanceClass,
                allocatedStorage: db.storageGb,
                maxAllocatedStorage: db.storageGb * 4,
                storageType: "gp3",
                storageEncrypted: true,
                kmsKeyId: args.kmsKeyArn,
                multiAz: db.highAvailability,
                dbName: this.database,
                username: this.username,
                password: this.password,
                dbSubnetGroupName: subnets.name,
                vpcSecurityGroupIds: [sg.id],
                parameterGroupName: params.name,
                publiclyAccessible: false,
                backupRetentionPeriod: db.backupRetentionDays,
                backupWindow: "02:00-03:00",
                maintenanceWindow: "sun:03:30-sun:04:30",
                copyTagsToSnapshot: true,
                deletionProtection: prod,
                skipFinalSnapshot: !prod,
                finalSnapshotIdentifier: prod ? `${id}-final` : undefined,
                autoMinorVersionUpgrade: true,
                performanceInsightsEnabled: true,
                performanceInsightsKmsKeyId: args.kmsKeyArn,
                enabledCloudwatchLogsExports: ["postgresql"],
            },
            { ...aws, protect: prod, dependsOn: [logs] },
        );
        this.host = this.resource.address;
        this.registerOutputs({ host: this.host, arn: this.resource.arn });
    }
}
