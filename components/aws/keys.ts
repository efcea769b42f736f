import * as pulumi from "@pulumi/pulumi";
import { Alias } from "@pulumi/aws/kms/alias";
import { Key } from "@pulumi/aws/kms/key";
import type { Provider } from "@pulumi/aws/provider";

export type AwsKeyPurpose = "eks" | "ebs" | "s3" | "rds" | "ecr" | "logs";
const AWS_KEY_PURPOSES: readonly AwsKeyPurpose[] = ["eks", "ebs", "s3", "rds", "ecr", "logs"];

/** Retention of the platform's CloudWatch log groups (flow logs, EKS control plane, RDS). */
export function logRetentionDays(environment: "staging" | "prod"): number {
    return environment === "prod" ? 365 : 30;
}

export interface AwsKeysArgs {
    accountId: string;
    region: string;
    /** Stack name, used in aliases (alias/dataplatform/<stack>/<purpose>). */
    stack: string;
    environment: "staging" | "prod";
    provider: Provider;
}

export interface PolicyStatement {
    Sid?: string;
    Effect: "Allow" | "Deny";
    Principal?: Record<string, string | string[]> | "*";
    Action: string | string[];
    /** Absent only in trust policies. */
    Resource?: string | string[];
    Condition?: Record<string, Record<string, string | string[] | boolean>>;
}

const USE = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"];

/** Services that use a key on behalf of principals of the account, per purpose (the `kms:ViaService` scope). */
const VIA_SERVICES: Record<AwsKeyPurpose, string[]> = {
    eks: ["eks"],
    ebs: ["ec2"],
    s3: ["s3"],
    rds: ["rds", "secretsmanager"],
    ecr: ["ecr"],
    logs: ["logs"],
};

/**
 * Key policy of one CMK. The account administers the key (and so IAM policies decide who uses it); principals
 * of the account may use it only through the purpose's services; the EBS key also lets the Auto Scaling
 * service-linked role encrypt node volumes and create grants for them (managed node groups launch through it).
 * Principals are matched by condition, not by ARN, so the policy is valid before those roles exist.
 */
export function keyPolicy(purpose: AwsKeyPurpose, accountId: string, region: string): { Version: string; Statement: PolicyStatement[] } {
    const statements: PolicyStatement[] = [
        { Sid: "AccountAdministers", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${accountId}:root` }, Action: "kms:*", Resource: "*" },
        {
            Sid: "UseThroughServices",
            Effect: "Allow",
            Principal: { AWS: "*" },
            Action: [...USE, "kms:CreateGrant", "kms:ListGrants"],
            Resource: "*",
            Condition: {
                StringEquals: { "kms:CallerAccount": accountId, "kms:ViaService": VIA_SERVICES[purpose].map((s) => `${s}.${region}.amazonaws.com`) },
            },
        },
    ];
    if (purpose === "logs") {
        // CloudWatch Logs encrypts as its service principal, scoped to this account's log groups by encryption context
        // (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html).
        statements.push({
            Sid: "CloudWatchLogsUse",
            Effect: "Allow",
            Principal: { Service: `logs.${region}.amazonaws.com` },
            Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
            Resource: "*",
            Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:${region}:${accountId}:log-group:*` } },
        });
    }
    if (purpose === "ebs") {
        const autoscaling = `arn:aws:iam::${accountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`;
        statements.push(
            {
                Sid: "AutoScalingUsesKey",
                Effect: "Allow",
                Principal: { AWS: "*" },
                Action: USE,
                Resource: "*",
                Condition: { ArnEquals: { "aws:PrincipalArn": autoscaling } },
            },
            {
                Sid: "AutoScalingGrantsForVolumes",
                Effect: "Allow",
                Principal: { AWS: "*" },
                Action: "kms:CreateGrant",
                Resource: "*",
                Condition: { ArnEquals: { "aws:PrincipalArn": autoscaling }, Bool: { "kms:GrantIsForAWSResource": true } },
            },
        );
    }
    return { Version: "2012-10-17", Statement: statements };
}

/** Customer-managed KMS keys per purpose, rotated yearly; kept (protected, retained) in prod. */
export class AwsKeys extends pulumi.ComponentResource {
    private readonly keys = {} as Record<AwsKeyPurpose, Key>;

    constructor(name: string, args: AwsKeysArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplatform:aws:Keys", name, {}, opts);
        const prod = args.environment === "prod";
        for (const purpose of AWS_KEY_PURPOSES) {
            const key = new Key(
                `${name}-${purpose}`,
                {
                    description: `dataplatform ${args.stack}: ${purpose} encryption`,
                    enableKeyRotation: true,
                    rotationPeriodInDays: 365,
                    deletionWindowInDays: prod ? 30 : 7,
                    policy: JSON.stringify(keyPolicy(purpose, args.accountId, args.region)),
                },
                { parent: this, provider: args.provider, protect: prod, retainOnDelete: prod },
            );
            new Alias(
                `${name}-${purpose}`,
                { name: `alias/dataplatform/${args.stack}/${purpose}`, targetKeyId: key.keyId },
                { parent: this, provider: args.provider },
            );
            this.keys[purpose] = key;
        }
        this.registerOutputs(Object.fromEntries(AWS_KEY_PURPOSES.map((p) => [p, this.keys[p].arn])));
    }

    arn(purpose: AwsKeyPurpose): pulumi.Output<string> {
        return this.keys[purpose].arn;
    }

    key(purpose: AwsKeyPurpose): Key {
        return this.keys[purpose];
    }
}
