import * as pulumi from "@pulumi/pulumi";
import * as crypto from "crypto";
import { Secret, Unknown } from "./capture";

type State = Record<string, unknown>;
/** The wire form of an unknown value (computed during an update). */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const FAKE_CA = Buffer.from("-----BEGIN CERTIFICATE-----\nMIIBmockCAforOfflinePlan\n-----END CERTIFICATE-----\n").toString("base64");

/**
 * Values the mocks invent (not derived from config or inputs): filled while a mock answers, read by the plan to
 * mark every value that carries one (`<mock: …>` in the text, `mocked` in the JSON).
 */
let ledger: Set<string> | undefined;

/** Records an invented value (a string the real provider would answer differently). */
function inv<T>(v: T): T {
    if (typeof v === "string") ledger?.add(v);
    return v;
}

/** A stable fake id part; ids of 8+ characters are recorded as invented (shorter ones only seed numbers). */
function hash(s: string, n = 12): string {
    const h = crypto.createHash("sha256").update(s).digest("hex").slice(0, n);
    return n >= 8 ? inv(h) : h;
}

/** The project number every GCP lookup answers with (service agents and pool names carry it). */
export const MOCK_PROJECT_NUMBER = "123456789012";
/** Invented values that are constants of this file. */
const CONSTANTS = [MOCK_PROJECT_NUMBER, FAKE_CA, "10.100.0.3", "198.51.100.10", "mock-token", "AROAMOCK", "arn:aws:iam::{account}:role/deployer"];

/** Account/project the mocks answer with; overwritten per plan from the stack config. */
export interface MockContext {
    awsAccountId: string;
    awsRegion: string;
    gcpProject: string;
    gcpRegion: string;
}

/** A name-derived value: invented when the resource has no explicit name (the provider would autoname it). */
function named(i: State, v: string): string {
    return i.name === undefined ? inv(v) : v;
}

/**
 * Realistic outputs per resource type, so that code downstream of them (kubeconfigs, ARNs in policies,
 * identity pools) runs exactly as in a real deployment. Types not listed echo their inputs plus an id.
 */
const OUTPUTS: Record<string, (name: string, inputs: State, ctx: MockContext) => State> = {
    "gcp:container/cluster:Cluster": (name, i, c) => ({
        endpoint: inv(`10.${parseInt(hash(name, 2), 16) % 200}.0.2`),
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
    "gcp:organizations/project:Project": (name, i) => ({ number: MOCK_PROJECT_NUMBER, projectId: i.projectId ?? name }),
    "gcp:kms/keyRing:KeyRing": (name, i, c) => ({ id: `projects/${i.project ?? c.gcpProject}/locations/${i.location}/keyRings/${i.name ?? name}` }),
    "gcp:kms/cryptoKey:CryptoKey": (name, i) => ({ id: `${i.keyRing}/cryptoKeys/${i.name ?? name}` }),
    "gcp:serviceaccount/account:Account": (name, i, c) => ({
        email: `${i.accountId ?? name}@${i.project ?? c.gcpProject}.iam.gserviceaccount.com`,
        member: `serviceAccount:${i.accountId ?? name}@${i.project ?? c.gcpProject}.iam.gserviceaccount.com`,
        uniqueId: inv(String(parseInt(hash(name, 10), 16))),
    }),
    "gcp:storage/bucket:Bucket": (name, i) => ({ url: `gs://${i.name ?? name}`, selfLink: `https://www.googleapis.com/storage/v1/b/${i.name ?? name}` }),
    "gcp:bigquery/dataset:Dataset": (name, i, c) => ({ datasetId: i.datasetId ?? name, project: i.project ?? c.gcpProject }),
    "gcp:bigquery/table:Table": (name, i, c) => ({
        id: `projects/${i.project ?? c.gcpProject}/datasets/${i.datasetId}/tables/${i.tableId ?? name}`,
        selfLink: `https://bigquery.googleapis.com/bigquery/v2/projects/${i.project ?? c.gcpProject}/datasets/${i.datasetId}/tables/${i.tableId ?? name}`,
    }),
    "gcp:billing/budget:Budget": (name, i) => ({
        name: `billingAccounts/${i.billingAccount}/budgets/${hash(name, 8)}-${hash(name + 1, 4)}-${hash(name + 2, 4)}`,
    }),
    "gcp:cloudquota/sQuotaPreference:SQuotaPreference": (_name, i) => ({
        quotaConfig: { ...(i.quotaConfig as State), grantedValue: (i.quotaConfig as State | undefined)?.preferredValue },
    }),
    "gcp:iam/workloadIdentityPool:WorkloadIdentityPool": (name, i) => ({
        name: `projects/${MOCK_PROJECT_NUMBER}/locations/global/workloadIdentityPools/${i.workloadIdentityPoolId ?? name}`,
    }),
    "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider": (name, i) => ({
        name: `projects/${MOCK_PROJECT_NUMBER}/locations/global/workloadIdentityPools/${i.workloadIdentityPoolId}/providers/${i.workloadIdentityPoolProviderId ?? name}`,
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
    // Without a name the provider autonames (a random suffix): the mock's name is invented.
    "aws:iam/role:Role": (name, i, c) => ({
        arn: named(i, `arn:aws:iam::${c.awsAccountId}:role/${i.name ?? name}`),
        name: named(i, String(i.name ?? name)),
        uniqueId: inv(`AROA${hash(name, 17).toUpperCase()}`),
    }),
    // CloudWatch log groups: the provider's ARN form, without the trailing `:*` (terraform-provider-aws logs/group.go).
    "aws:cloudwatch/logGroup:LogGroup": (name, i, c) => ({ arn: named(i, `arn:aws:logs:${c.awsRegion}:${c.awsAccountId}:log-group:${i.name ?? name}`) }),
    "aws:iam/policy:Policy": (name, i, c) => ({ arn: named(i, `arn:aws:iam::${c.awsAccountId}:policy/${i.name ?? name}`) }),
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": (name, i, c) => ({
        arn: `arn:aws:iam::${c.awsAccountId}:oidc-provider/${String(i.url ?? name).replace(/^https:\/\//, "")}`,
    }),
    "aws:s3/bucket:Bucket": (name, i) => ({
        arn: `arn:aws:s3:::${i.bucket ?? name}`,
        bucket: i.bucket ?? name,
        bucketRegionalDomainName: `${i.bucket ?? name}.s3.amazonaws.com`,
    }),
    "aws:s3/bucketV2:BucketV2": (name, i) => ({ arn: `arn:aws:s3:::${i.bucket ?? name}`, bucket: i.bucket ?? name }),
    "aws:rds/instance:Instance": (name, i, c) => ({
        address: `${i.identifier ?? name}.${hash(name, 12)}.${c.awsRegion}.rds.amazonaws.com`,
        endpoint: `${i.identifier ?? name}.${hash(name, 12)}.${c.awsRegion}.rds.amazonaws.com:5432`,
        port: 5432,
        arn: `arn:aws:rds:${c.awsRegion}:${c.awsAccountId}:db:${i.identifier ?? name}`,
        masterUserSecrets: [
            {
                secretArn: `arn:aws:secretsmanager:${c.awsRegion}:${c.awsAccountId}:secret:rds!db-${hash(name, 8)}`,
                secretStatus: "active",
                kmsKeyId: i.masterUserSecretKmsKeyId,
            },
        ],
    }),
    "aws:ecr/repository:Repository": (name, i, c) => ({ repositoryUrl: `${c.awsAccountId}.dkr.ecr.${c.awsRegion}.amazonaws.com/${i.name ?? name}` }),
    "random:index/randomPassword:RandomPassword": (name) => ({ result: `mock-${hash(name, 24)}` }),
    "random:index/randomBytes:RandomBytes": (name, i) => {
        const bytes = crypto
            .createHash("sha256")
            .update(name)
            .digest()
            .subarray(0, Number(i.length ?? 32));
        return { base64: inv(bytes.toString("base64")), hex: inv(bytes.toString("hex")) };
    },
    "kubernetes:core/v1:Namespace": (name, i) => ({ metadata: { ...(i.metadata as State), name: (i.metadata as State | undefined)?.name ?? name } }),
    "kubernetes:helm.sh/v3:Release": (name, i) => ({ status: { status: "deployed", namespace: i.namespace, name: i.name ?? name, version: i.version } }),
};

/** Invoke (data source) answers. */
const CALLS: Record<string, (inputs: State, ctx: MockContext) => State> = {
    "aws:index/getCallerIdentity:getCallerIdentity": (_i, c) => ({
        accountId: c.awsAccountId,
        arn: `arn:aws:iam::${c.awsAccountId}:role/deployer`,
        userId: "AROAMOCK",
    }),
    "aws:index/getRegion:getRegion": (_i, c) => ({ name: c.awsRegion, region: c.awsRegion, id: c.awsRegion }),
    "aws:index/getPartition:getPartition": () => ({ partition: "aws", dnsSuffix: "amazonaws.com" }),
    "aws:eks/getAddonVersion:getAddonVersion": (i) => ({
        addonName: i.addonName,
        kubernetesVersion: i.kubernetesVersion,
        version: inv(`v1.0.0-eksbuild.${String(i.kubernetesVersion).split(".")[1] ?? "1"}`),
    }),
    "aws:iam/getPolicyDocument:getPolicyDocument": (i) => ({ json: JSON.stringify({ Version: "2012-10-17", Statement: i.statements ?? [] }) }),
    "gcp:organizations/getProject:getProject": (i, c) => ({
        projectId: i.projectId ?? c.gcpProject,
        number: MOCK_PROJECT_NUMBER,
        name: i.projectId ?? c.gcpProject,
    }),
    "gcp:storage/getProjectServiceAccount:getProjectServiceAccount": (i, c) => ({
        emailAddress: "service-123456789012@gs-project-accounts.iam.gserviceaccount.com",
        project: i.project ?? c.gcpProject,
    }),
    "gcp:bigquery/getDefaultServiceAccount:getDefaultServiceAccount": () => ({
        email: "bq-123456789012@bigquery-encryption.iam.gserviceaccount.com",
        member: "serviceAccount:bq-123456789012@bigquery-encryption.iam.gserviceaccount.com",
    }),
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
    /** Every value the mocks invented so far (see `mockedPaths`). */
    readonly invented = new Set<string>();

    /**
     * @param preview true to answer as a first `pulumi preview` does: a resource to be created reports its inputs,
     * and every output the provider computes (ids, ARNs, endpoints, generated names) is unknown.
     */
    constructor(
        private readonly ctx: MockContext,
        private readonly preview = false,
    ) {
        for (const c of CONSTANTS) this.invented.add(c.replace("{account}", ctx.awsAccountId));
    }

    /** Runs a mock answer with the ledger pointing at this instance's set. */
    private recording<T>(f: () => T): T {
        ledger = this.invented;
        try {
            return f();
        } finally {
            ledger = undefined;
        }
    }

    newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: State } {
        if (this.preview) return { id: undefined, state: this.previewState(args) };
        return this.recording(() => {
            const extra = OUTPUTS[args.type]?.(args.name, args.inputs, this.ctx) ?? {};
            const id = (extra.id as string | undefined) ?? args.id ?? inv(`${args.name}-id`);
            const state: State = { ...args.inputs, ...extra };
            if (args.type.startsWith("aws:") && !("arn" in state)) {
                const svc = args.type.split(":")[1].split("/")[0];
                state.arn = inv(`arn:aws:${svc}:${this.ctx.awsRegion}:${this.ctx.awsAccountId}:${args.name}`);
            }
            if (args.type.startsWith("gcp:") && !("name" in state)) state.name = args.name;
            return { id, state };
        });
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
        return f ? this.recording(() => f(args.inputs, this.ctx)) : args.inputs;
    }
}

/**
 * Whether a string carries a value the mocks invented: a whole word (not inside a longer id), any case (some ids are
 * upper-cased on the way, such as EKS endpoints).
 */
export function inventedMatcher(invented: Iterable<string>): (s: string) => boolean {
    const atoms = [...invented].filter((a) => a.length >= 4).sort((a, b) => b.length - a.length);
    if (!atoms.length) return () => false;
    const esc = (a: string) => a.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    const re = new RegExp(`(?<![0-9A-Za-z])(?:${atoms.map(esc).join("|")})(?![0-9A-Za-z])`, "i");
    return (s) => re.test(s);
}

/**
 * Paths (`a.b[0].c`, as in the plan diff) of the string leaves that carry an invented value. Secrets are left out:
 * they are printed as `[secret]` whatever they hold.
 */
export function mockedPaths(v: unknown, isMock: (s: string) => boolean, prefix = "", out: string[] = []): string[] {
    if (v instanceof Secret || v instanceof Unknown) return out;
    if (typeof v === "string") {
        if (isMock(v)) out.push(prefix);
    } else if (Array.isArray(v)) v.forEach((x, i) => mockedPaths(x, isMock, `${prefix}[${i}]`, out));
    else if (v !== null && typeof v === "object") for (const [k, x] of Object.entries(v)) mockedPaths(x, isMock, prefix ? `${prefix}.${k}` : k, out);
    return out;
}
