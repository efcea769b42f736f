import * as pulumi from "@pulumi/pulumi";
import { LogGroup } from "@pulumi/aws/cloudwatch/logGroup";
import { DefaultSecurityGroup } from "@pulumi/aws/ec2/defaultSecurityGroup";
import { Eip } from "@pulumi/aws/ec2/eip";
import { FlowLog } from "@pulumi/aws/ec2/flowLog";
import { InternetGateway } from "@pulumi/aws/ec2/internetGateway";
import { NatGateway } from "@pulumi/aws/ec2/natGateway";
import { RouteTable } from "@pulumi/aws/ec2/routeTable";
import { RouteTableAssociation } from "@pulumi/aws/ec2/routeTableAssociation";
import { SecurityGroup } from "@pulumi/aws/ec2/securityGroup";
import { Subnet } from "@pulumi/aws/ec2/subnet";
import { Vpc } from "@pulumi/aws/ec2/vpc";
import { VpcEndpoint } from "@pulumi/aws/ec2/vpcEndpoint";
import { Role } from "@pulumi/aws/iam/role";
import { RolePolicy } from "@pulumi/aws/iam/rolePolicy";
import { logRetentionDays } from "./keys";
import type { Provider } from "@pulumi/aws/provider";
import { flowLogGroupName } from "../naming";

export interface SubnetPlan {
    az: string;
    privateCidr: string;
    publicCidr: string;
}

function toIp(n: number): string {
    return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join(".");
}

/**
 * Splits the VPC range: one private /20 per AZ from the start of the range (nodes and pods, VPC CNI),
 * one public /24 per AZ at offset 240.0 (NAT gateways and internet-facing load balancers only).
 */
export function subnetPlan(vpcCidr: string, azs: readonly string[]): SubnetPlan[] {
    const [ip, bitsStr] = vpcCidr.split("/");
    const bits = Number(bitsStr);
    if (bits > 16) throw new Error(`VPC range ${vpcCidr} must be /16 or larger`);
    if (azs.length > 15) throw new Error("at most 15 AZs fit the private /20 layout");
    const size = 2 ** (32 - bits);
    const base = ip.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
    const start = base - (base % size);
    return azs.map((az, i) => ({
        az,
        privateCidr: `${toIp(start + i * 4096)}/20`,
        publicCidr: `${toIp(start + 240 * 256 + i * 256)}/24`,
    }));
}

/** One NAT gateway in staging (cost), one per AZ in prod (an AZ outage must not cut the others' egress). */
export function natCount(environment: "staging" | "prod", azCount: number): number {
    return environment === "prod" ? azCount : 1;
}

export interface AwsNetworkArgs {
    cidr: string;
    availabilityZones: readonly string[];
    environment: "staging" | "prod";
    /** Stack name: names the flow-log group, which is per account and region. */
    stack: string;
    region: string;
    accountId: string;
    /** CMK of the CloudWatch log groups. */
    logsKeyArn: pulumi.Input<string>;
    provider: Provider;
}

/** VPC across the AZs: private and public subnets, NAT egress, S3 gateway and STS/ECR interface endpoints. */
export class AwsNetwork extends pulumi.ComponentResource {
    readonly vpcId: pulumi.Output<string>;
    readonly privateSubnetIds: pulumi.Output<string>[];
    readonly publicSubnetIds: pulumi.Output<string>[];
    readonly natGatewayCount: number;

    constructor(name: string, args: AwsNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplatform:aws:Network", name, {}, opts);
        const o = { parent: this, provider: args.provider };
        const plan = subnetPlan(args.cidr, args.availabilityZones);

        const vpc = new Vpc(name, { cidrBlock: args.cidr, enableDnsHostnames: true, enableDnsSupport: true }, o);
        const igw = new InternetGateway(name, { vpcId: vpc.id }, o);
        // The default group allows all traffic between its members: leave it empty so nothing relies on it.
        new DefaultSecurityGroup(name, { vpcId: vpc.id, ingress: [], egress: [] }, o);
        this.flowLogs(name, vpc, args, o);

        const publicRt = new RouteTable(`${name}-public`, { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }] }, o);
        const publics = plan.map((p) => {
            const s = new Subnet(
                `${name}-public-${p.az}`,
                {
                    vpcId: vpc.id,
                    availabilityZone: p.az,
                    cidrBlock: p.publicCidr,
                    mapPublicIpOnLaunch: false,
                    tags: { Name: `${name}-public-${p.az}`, "kubernetes.io/role/elb": "1" },
                },
                o,
            );
            new RouteTableAssociation(`${name}-public-${p.az}`, { subnetId: s.id, routeTableId: publicRt.id }, o);
            return s;
        });

        this.natGatewayCount = natCount(args.environment, plan.length);
        const nats = plan.slice(0, this.natGatewayCount).map((p, i) => {
            const eip = new Eip(`${name}-nat-${p.az}`, { domain: "vpc" }, { ...o, dependsOn: [igw] });
            return new NatGateway(`${name}-${p.az}`, { allocationId: eip.id, subnetId: publics[i].id, connectivityType: "public" }, { ...o, dependsOn: [igw] });
        });

        const privateRts: RouteTable[] = [];
        const privates = plan.map((p, i) => {
            const s = new Subnet(
                `${name}-private-${p.az}`,
                {
                    vpcId: vpc.id,
                    availabilityZone: p.az,
                    cidrBlock: p.privateCidr,
                    tags: { Name: `${name}-private-${p.az}`, "kubernetes.io/role/internal-elb": "1" },
                },
                o,
            );
            const rt = new RouteTable(
                `${name}-private-${p.az}`,
                {
                    vpcId: vpc.id,
                    routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nats[Math.min(i, nats.length - 1)].id }],
                },
                o,
            );
            new RouteTableAssociation(`${name}-private-${p.az}`, { subnetId: s.id, routeTableId: rt.id }, o);
            privateRts.push(rt);
            return s;
        });

        // Lake traffic stays on the AWS network and costs no NAT processing.
        new VpcEndpoint(
            `${name}-s3`,
            {
                vpcId: vpc.id,
                serviceName: `com.amazonaws.${args.region}.s3`,
                vpcEndpointType: "Gateway",
                routeTableIds: privateRts.map((rt) => rt.id),
            },
            o,
        );
        const endpointSg = new SecurityGroup(
            `${name}-endpoints`,
            {
                vpcId: vpc.id,
                description: "HTTPS from the VPC to interface endpoints",
                ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: [args.cidr], description: "HTTPS from the VPC" }],
                egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: [args.cidr], description: "Replies within the VPC" }],
            },
            o,
        );
        // Token exchange (Pod Identity/IRSA) and image pulls keep working privately.
        for (const svc of ["sts", "ecr.api", "ecr.dkr"]) {
            new VpcEndpoint(
                `${name}-${svc.replace(".", "-")}`,
                {
                    vpcId: vpc.id,
                    serviceName: `com.amazonaws.${args.region}.${svc}`,
                    vpcEndpointType: "Interface",
                    privateDnsEnabled: true,
                    subnetIds: privates.map((s) => s.id),
                    securityGroupIds: [endpointSg.id],
                },
                o,
            );
        }

        this.vpcId = vpc.id;
        this.privateSubnetIds = privates.map((s) => s.id);
        this.publicSubnetIds = publics.map((s) => s.id);
        this.registerOutputs({ vpcId: this.vpcId, privateSubnetIds: this.privateSubnetIds, publicSubnetIds: this.publicSubnetIds });
    }

    /** VPC flow logs to CloudWatch (accepted and rejected traffic), for incident investigation. */
    private flowLogs(name: string, vpc: Vpc, args: AwsNetworkArgs, o: pulumi.CustomResourceOptions): void {
        const groupArn = `arn:aws:logs:${args.region}:${args.accountId}:log-group:${flowLogGroupName(args.stack)}`;
        const logs = new LogGroup(
            `${name}-flow-logs`,
            {
                name: flowLogGroupName(args.stack),
                retentionInDays: logRetentionDays(args.environment),
                kmsKeyId: args.logsKeyArn,
            },
            o,
        );
        const role = new Role(
            `${name}-flow-logs`,
            {
                description: "VPC flow log delivery",
                assumeRolePolicy: JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Effect: "Allow",
                            Principal: { Service: "vpc-flow-logs.amazonaws.com" },
                            Action: "sts:AssumeRole",
                            Condition: { StringEquals: { "aws:SourceAccount": args.accountId } },
                        },
                    ],
                }),
            },
            o,
        );
        const policy = new RolePolicy(
            `${name}-flow-logs`,
            {
                role: role.name,
                // The group's ARN from its configured name (`arn:aws:logs:<region>:<account>:log-group:<name>`, the form
                // the provider returns without the trailing `:*`: terraform-provider-aws internal/service/logs/group.go),
                // so the document is known in a first preview and iam-least-privilege decides; dependsOn keeps the order.
                policy: JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Effect: "Allow",
                            Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups", "logs:DescribeLogStreams"],
                            Resource: [groupArn, `${groupArn}:*`],
                        },
                    ],
                }),
            },
            { ...o, dependsOn: [logs] },
        );
        new FlowLog(
            name,
            {
                vpcId: vpc.id,
                trafficType: "ALL",
                logDestinationType: "cloud-watch-logs",
                logDestination: logs.arn,
                iamRoleArn: role.arn,
                maxAggregationInterval: 600,
            },
            { ...o, dependsOn: [policy] },
        );
    }
}
