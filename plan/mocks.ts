import * as pulumi from "@pulumi/pulumi";
import * as crypto from "crypto";

type State = Record<string, unknown>;
/** The wire form of an unknown value (computed during an update). */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const FAKE_CA = Buffer.from("-----BEGIN CERTIFICATE-----\nMIIBmockCAforOfflinePlan\n-----END CERTIFICATE-----\n").toString("base64");

function hash(s: string, n = 12): string {
    return crypto.createHash("sha256").update(s).digest("hex").slice(0, n);
}

/** Account/project the mocks answer with; overwritten per plan from the stack config. */
export interface MockContext {
    awsAccountId: string;
    awsRegion: string;
    gcpProject: string;
    gcpRegion: string;
}

/**
 * Realistic outputs per resource type, so that code downstream of them (kubeconfigs, ARNs in policies,
 * identity pools) runs exactly as in a real deployment. Types not listed echo their inputs plus an id.
 */
const OUTPUTS: Record<string, (name: string, inputs: State, ctx: MockContext) => State> = {
    "gcp:container/cluster:Cluster": (name, i, c) => ({
        endpoint: `10.${parseInt(hash(name, 2), 16) % 200}.0.2`,
        masterAuth: { clusterCaCertificate: FAKE_CA },
        selfLink: `https://container.googleapis.com/v1/projects/${i.project ?? c.gcpProject}/locations/${i.location}/clusters/${i.name ?? name}`,
        workloadIdentityConfig: i.workloadIdentityConfig ?? { workloadPool: `${c.gcpProject}.svc.id.goog` },
        controlPlaneEndpointsConfig: {
            ...(i.controlPlaneEndpointsConfig as State),
            dnsEndpointConfig: {
                ...((i.controlPlaneEndpointsConfig as State | undefined)?.dnsEndpointConfig as State),
                endpoint: `gke-${hash(name, 32)}-${hash(name + "p", 12)}.${i.location}.gke.goog`,
            },
        },
    }),
    "gcp:container/nodePool:NodePool": (name, i, c) => ({
        id: `projects/${i.project ?? c.gcpProject}/locations/${i.location}/clusters/${i.cluster}/nodePools/${i.name ?? name}`,
        instanceGroupUrls: [],
    }),
    "gcp:organizations/project:Project": (name, i) => ({ number: "123456789012", projectId: i.projectId ?? name }),
    "gcp:kms/keyRing:KeyRing": (name, i, c) => ({ id: `projects/${i.project ?? c.gcpProject}/locations/${i.location}/keyRings/${i.name ?? name}` }),
    "gcp:kms/cryptoKey:CryptoKey": (name, i) => ({ id: `${i.keyRing}/cryptoKeys/${i.name ?? name}` }),
    "gcp:serviceaccount/account:Account": (name, i, c) => ({
        email: `${i.accountId ?? name}@${i.project ?? c.gcpProject}.iam.gserviceaccount.com`,
        member: `serviceAccount:${i.accountId ?? name}@${i.project ?? c.gcpProject}.iam.gserviceaccount.com`,
        uniqueId: String(parseInt(hash(name, 10), 16)),
    }),
    "gcp:storage/bucket:Bucket": (name, i) => ({ url: `gs://${i.name ?? name}`, selfLink: `https://www.googleapis.com/storage/v1/b/${i.name ?? name}` }),
    "gcp:bigquery/dataset:Dataset": (name, i, c) => ({ datasetId: i.datasetId ?? name, project: i.project ?? c.gcpProject }),
    "gcp:bigquery/table:Table": (name, i, c) => ({
        id: `projects/${i.project ?? c.gcpProject}/datasets/${i.datasetId}/tables/${i.tableId ?? name}`,
        selfLink: `https://bigquery.googleapis.com/bigquery/v2/projects/${i.project ?? c.gcpProject}/datasets/${i.datasetId}/tables/${i.tableId ?? name}`,
    }),
    "gcp:billing/budget:Budget": (name, i) => ({ name: `billingAccounts/${i.billingAccount}/budgets/${hash(name, 8)}-${hash(name + 1, 4)}-${hash(name + 2, 4)}` }),
    "gcp:cloudquota/sQuotaPreference:SQuotaPreference": (_name, i) => ({
        quotaConfig: { ...(i.quotaConfig as State), grantedValue: (i.quotaConfig as State | undefined)?.preferredValue },
    }),
    "gcp:iam/workloadIdentityPool:WorkloadIdentityPool": (name, i) => ({ name: `projects/123456789012/locations/global/workloadIdentityPools/${i.workloadIdentityPoolId ?? name}` }),
    "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider": (name, i) => ({
        name: `projects/123456789012/locations/global/workloadIdentityPools/${i.workloadIdentityPoolId}/providers/${i.workloadIdentityPoolProviderId ?? name}`,
    }),
    "gcp:sql/databaseInstance:DatabaseInstance": (name, i, c) => ({
        connectionName: `${i.project ?? c.gcpProject}:${i.region ?? c.gcpRegion}:${i.name ?? name}`,
        privateIpAddress: "10.100.0.3",
        firstIpAddress: "10.100.0.3",
    }),
    "gcp:compute/network:Network": (name, i, c) => ({
        id: `projects/${i.project ?? c.gcpProject}/global/networks/${i.name ?? name}`,
        selfLink: `https://www.googleapis.com/compute/v1/projects/${i.project ?? c.gcpProject}/global/networks/${i.name ?? name}`,
    }),
    "gcp:compute/subnetwork:Subnetwork": (name, i, c) => ({
        id: `projects/${i.project ?? c.gcpProject}/regions/${i.region ?? c.gcpRegion}/subnetworks/${i.name ?? name}`,
        selfLink: `https://www.googleapis.com/compute/v1/projects/${i.project ?? c.gcpProject}/regions/${i.region ?? c.gcpRegion}/subnetworks/${i.name ?? name}`,
    }),
    "gcp:compute/router:Router": (name, i, c) => ({ id: `projects/${i.project ?? c.gcpProject}/regions/${i.region ?? c.gcpRegion}/routers/${i.name ?? name}` }),
    "aws:eks/cluster:Cluster": (name, i, c) => ({
        endpoint: `https://${hash(name, 32).toUpperCase()}.gr7.${c.awsRegion}.eks.amazonaws.com`,
        certificateAuthority: { data: FAKE_CA },
        identities: [{ oidcs: [{ issuer: `https://oidc.eks.${c.awsRegion}.amazonaws.com/id/${hash(name, 32).toUpperCase()}` }] }],
        arn: `arn:aws:eks:${c.awsRegion}:${c.awsAccountId}:cluster/${i.name ?? name}`,
        version: i.version,
        vpcConfig: { ...(i.vpcConfig as State), clusterSecurityGroupId: `sg-${hash(name, 17)}` },
    }),
    "aws:ec2/vpc:Vpc": (name) => ({ id: `vpc-${hash(name, 17)}`, defaultSecurityGroupId: `sg-${hash(name + "d", 17)}` }),
    "aws:ec2/subnet:Subnet": (name) => ({ id: `subnet-${hash(name, 17)}` }),
    "aws:ec2/securityGroup:SecurityGroup": (name) => ({ id: `sg-${hash(name, 17)}` }),
    "aws:ec2/natGateway:NatGateway": (name) => ({ id: `nat-${hash(name, 17)}` }),
    "aws:ec2/internetGateway:InternetGateway": (name) => ({ id: `igw-${hash(name, 17)}` }),
    "aws:ec2/routeTable:RouteTable": (name) => ({ id: `rtb-${hash(name, 17)}` }),
    "aws:ec2/eip:Eip": (name) => ({ id: `eipalloc-${hash(name, 17)}`, publicIp: "198.51.100.10" }),
    "aws:ec2/launchTemplate:LaunchTemplate": (name) => ({ id: `lt-${hash(name, 17)}`, latestVersion: 1, defaultVersion: 1 }),
    "aws:ec2/vpcEndpoint:VpcEndpoint": (name) => ({ id: `vpce-${hash(name, 17)}` }),
    "aws:eks/nodeGroup:NodeGroup": (name, i) => ({ nodeGroupName: i.nodeGroupName ?? `${name}-${hash(name, 8)}`, status: "ACTIVE" }),
    "aws:kms/key:Key": (name, _i, c) => {
        const id = `${hash(name, 8)}-${hash(name + 1, 4)}-${hash(name + 2, 4)}-${hash(name + 3, 4)}-${hash(name + 4, 12)}`;
        return { id, keyId: id, arn: `arn:aws:kms:${c.awsRegion}:${c.awsAccountId}:key/${id}` };
    },
    "aws:iam/role:Role": (name, i, c) => ({ arn: `arn:aws:iam::${c.awsAccountId}:role/${i.name ?? name}`, name: i.name ?? name, uniqueId: `AROA${hash(name, 17).toUpperCase()}` }),
    "aws:iam/policy:Policy": (name, i, c) => ({ arn: `arn:aws:iam::${c.awsAccountId}:policy/${i.name ?? name}` }),
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": (name, i, c) => ({
        arn: `arn:aws:iam::${c.awsAccountId}:oidc-provider/${String(i.url ?? name).replace(/^https:\/\//, "")}`,
    }),
    "aws:s3/bucket:Bucket": (name, i) => ({ arn: `arn:aws:s3:::${i.bucket ?? name}`, bucket: i.bucket ?? name, bucketRegionalDomainName: `${i.bucket ?? name}.s3.amazonaws.com` }),
    "aws:s3/bucketV2:BucketV2": (name, i) => ({ arn: `arn:aws:s3:::${i.bucket ?? name}`, bucket: i.bucket ?? name }),
    "aws:rds/instance:Instance": (name, i, c) => ({
        address: `${i.identifier ?? name}.${hash(name, 12)}.${c.awsRegion}.rds.amazonaws.com`,
        endpoint: `${i.identifier ?? name}.${hash(name, 12)}.${c.awsRegion}.rds.amazonaws.com:5432`,
        port: 5432,
        arn: `arn:aws:rds:${c.awsRegion}:${c.awsAccountId}:db:${i.identifier ?? name}`,
        masterUserSecrets: [{ secretArn: `arn:aws:secretsmanager:${c.awsRegion}:${c.awsAccountId}:secret:rds!db-${hash(name, 8)}`, secretStatus: "active", kmsKeyId: i.masterUserSecretKmsKeyId }],
    }),
    "aws:ecr/repository:Repository": (name, i, c) => ({ repositoryUrl: `${c.awsAccountId}.dkr.ecr.${c.awsRegion}.amazonaws.com/${i.name ?? name}` }),
    "random:index/randomPassword:RandomPassword": (name) => ({ result: `mock-${hash(name, 24)}` }),
    "random:index/randomBytes:RandomBytes": (name, i) => {
        const bytes = crypto.createHash("sha256").update(name).digest().subarray(0, Number(i.length ?? 32));
        return { base64: bytes.toString("base64"), hex: bytes.toString("hex") };
    },
    "kubernetes:core/v1:Namespace": (name, i) => ({ metadata: { ...(i.metadata as State), name: (i.metadata as State | undefined)?.name ?? name } }),
    "kubernetes:helm.sh/v3:Release": (name, i) => ({ status: { status: "deployed", namespace: i.namespace, name: i.name ?? name, version: i.version } }),
};

/** Invoke (data source) answers. */
const CALLS: Record<string, (inputs: State, ctx: MockContext) => State> = {
    "aws:index/getCallerIdentity:getCallerIdentity": (_i, c) => ({ accountId: c.awsAccountId, arn: `arn:aws:iam::${c.awsAccountId}:role/deployer`, userId: "AROAMOCK" }),
    "aws:index/getRegion:getRegion": (_i, c) => ({ name: c.awsRegion, region: c.awsRegion, id: c.awsRegion }),
    "aws:index/getPartition:getPartition": () => ({ partition: "aws", dnsSuffix: "amazonaws.com" }),
    "aws:eks/getAddonVersion:getAddonVersion": (i) => ({ addonName: i.addonName, kubernetesVersion: i.kubernetesVersion, version: `v1.0.0-eksbuild.${String(i.kubernetesVersion).split(".")[1] ?? "1"}` }),
    "aws:iam/getPolicyDocument:getPolicyDocument": (i) => ({ json: JSON.stringify({ Version: "2012-10-17", Statement: i.statements ?? [] }) }),
    "gcp:organizations/getProject:getProject": (i, c) => ({ projectId: i.projectId ?? c.gcpProject, number: "123456789012", name: i.projectId ?? c.gcpProject }),
    "gcp:storage/getProjectServiceAccount:getProjectServiceAccount": (i, c) => ({ emailAddress: "service-123456789012@gs-project-accounts.iam.gserviceaccount.com", project: i.project ?? c.gcpProject }),
    "gcp:bigquery/getDefaultServiceAccount:getDefaultServiceAccount": () => ({ email: "bq-123456789012@bigquery-encryption.iam.gserviceaccount.com", member: "serviceAccount:bq-123456789012@bigquery-encryption.iam.gserviceaccount.com" }),
    "gcp:client/getClientConfig:getClientConfig": (_i, c) => ({ accessToken: "mock-token", project: c.gcpProject, region: c.gcpRegion }),
};

/** One lookup (invoke) as the engine receives it: the function, its arguments and the provider reference `urn::id`. */
export interface CapturedInvoke {
    token: string;
    provider?: string;
    inputs: State;
}

export class PlanMocks implements pulumi.runtime.Mocks {
    /** Every invoke of the program, in order: lookups run for real during a preview. */
    readonly invokes: CapturedInvoke[] = [];

    /**
     * @param preview true to answer as a first `pulumi preview` does: a resource to be created reports its inputs,
     * and every output the provider computes (ids, ARNs, endpoints, generated names) is unknown.
     */
    constructor(private readonly ctx: MockContext, private readonly preview = false) {}

    newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: State } {
        if (this.preview) return { id: undefined, state: this.previewState(args) };
        const extra = OUTPUTS[args.type]?.(args.name, args.inputs, this.ctx) ?? {};
        const id = (extra.id as string | undefined) ?? args.id ?? `${args.name}-id`;
        const state: State = { ...args.inputs, ...extra };
        if (args.type.startsWith("aws:") && !("arn" in state)) {
            const svc = args.type.split(":")[1].split("/")[0];
            state.arn = `arn:aws:${svc}:${this.ctx.awsRegion}:${this.ctx.awsAccountId}:${args.name}`;
        }
        if (args.type.startsWith("gcp:") && !("name" in state)) state.name = args.name;
        return { id, state };
    }

    /** Inputs as given (unknown ones stay unknown), computed outputs unknown; gcp names autonamed as the provider's Check does. */
    private previewState(args: pulumi.runtime.MockResourceArgs): State {
        const extra = OUTPUTS[args.type]?.(args.name, args.inputs, this.ctx) ?? {};
        const state: State = { ...args.inputs };
        for (const k of Object.keys(extra)) if (!(k in state) && k !== "id") state[k] = UNKNOWN;
        if (args.type.startsWith("aws:") && !("arn" in state)) state.arn = UNKNOWN;
        if (args.type.startsWith("gcp:") && !("name" in state)) state.name = args.name;
        return state;
    }

    call(args: pulumi.runtime.MockCallArgs): State {
        this.invokes.push({ token: args.token, provider: args.provider || undefined, inputs: args.inputs });
        const f = CALLS[args.token];
        return f ? f(args.inputs, this.ctx) : args.inputs;
    }
}
