import type { ResourceValidationPolicy } from "@pulumi/policy";
import { asArray, describe, parseDocument } from "./util";

/** Project/folder/organization-level grants: one grant covers every bucket, dataset and key below. */
const GCP_WIDE_MEMBER = /^gcp:(projects|folder|organizations)\/iAM(Member|Binding):IAM(Member|Binding)$/;
const GCP_WIDE_POLICY = /^gcp:(projects|folder|organizations)\/iAMPolicy:IAMPolicy$/;
const FORBIDDEN_WIDE_ROLES = [
    "roles/owner",
    "roles/editor",
    "roles/storage.admin",
    // Data roles granted project-wide reach every bucket/dataset/key: grant them on the resource instead.
    "roles/storage.objectAdmin",
    "roles/storage.objectUser",
    "roles/storage.objectCreator",
    "roles/storage.objectViewer",
    "roles/bigquery.admin",
    "roles/bigquery.dataOwner",
    "roles/bigquery.dataEditor",
    "roles/bigquery.dataViewer",
    "roles/cloudkms.admin",
    "roles/cloudkms.cryptoKeyEncrypterDecrypter",
];

/** AWS managed policies that grant account-wide data (or everything). */
const FORBIDDEN_MANAGED_POLICIES = [
    "AdministratorAccess",
    "PowerUserAccess",
    "IAMFullAccess",
    "AmazonS3FullAccess",
    "AmazonS3ReadOnlyAccess",
    "AWSKeyManagementServicePowerUser",
];
const MANAGED_ATTACHMENTS = new Set([
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:iam/userPolicyAttachment:UserPolicyAttachment",
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
    "aws:iam/policyAttachment:PolicyAttachment",
]);

/** AWS resources carrying identity policy documents (a KMS key policy's "*" means the key itself: not listed). */
const AWS_POLICY_TYPES: Record<string, string> = {
    "aws:iam/policy:Policy": "policy",
    "aws:iam/rolePolicy:RolePolicy": "policy",
    "aws:iam/userPolicy:UserPolicy": "policy",
    "aws:iam/groupPolicy:GroupPolicy": "policy",
    "aws:s3/bucketPolicy:BucketPolicy": "policy",
};
/** Data services: actions on them must name their resources. */
const DATA_ACTION = /^(\*|s3:.*|kms:.*|glue:.*|athena:.*|bigquery:.*)$/i;

/** "*" itself, or an ARN that names every bucket/key ("arn:aws:s3:::*", "arn:aws:kms:*:*:key/*"). */
function everything(resource: string): boolean {
    return resource === "*" || /^arn:aws[\w-]*:s3:::\*$/.test(resource) || /^arn:aws[\w-]*:kms:[^:]*:[^:]*:(key\/)?\*$/.test(resource);
}

/** Allow statements granting data actions on Resource "*" (pure). */
function wildcardDataStatements(doc: unknown): string[] {
    const d = parseDocument(doc);
    return asArray(d?.Statement)
        .filter((s: any) => (s?.Effect ?? "Allow") === "Allow")
        .filter((s: any) => asArray<string>(s?.Resource).some(everything))
        .flatMap((s: any) =>
            asArray<string>(s?.Action)
                .filter((a) => DATA_ACTION.test(a))
                .map((a) => `${s.Sid ? `statement ${s.Sid}: ` : ""}${a} on Resource "*"`),
        );
}

export const iamLeastPrivilege: ResourceValidationPolicy = {
    name: "iam-least-privilege",
    description: 'IAM grants are scoped: no project-wide owner/editor/storage admin, no "*" resources on data services.',
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        const p = args.props;
        if (GCP_WIDE_MEMBER.test(args.type)) {
            if (FORBIDDEN_WIDE_ROLES.includes(p.role))
                report(
                    `${describe(args)}: ${p.role} granted on a whole ${args.type.split(":")[1].split("/")[0]}; grant a narrow role on the resource instead.`,
                );
            return;
        }
        if (GCP_WIDE_POLICY.test(args.type)) {
            const roles = asArray(parseDocument(p.policyData)?.bindings)
                .map((b: any) => b?.role)
                .filter((r: string) => FORBIDDEN_WIDE_ROLES.includes(r));
            if (roles.length) report(`${describe(args)}: policy grants ${roles.join(", ")}.`);
            return;
        }
        if (MANAGED_ATTACHMENTS.has(args.type)) {
            const name =
                String(p.policyArn ?? "")
                    .split("/")
                    .pop() ?? "";
            if (String(p.policyArn ?? "").startsWith("arn:aws:iam::aws:policy/") && FORBIDDEN_MANAGED_POLICIES.includes(name)) {
                report(`${describe(args)}: attaches ${name}, which grants every bucket/key of the account; attach a policy scoped to the resources.`);
            }
            return;
        }
        const field = AWS_POLICY_TYPES[args.type];
        if (!field && args.type !== "aws:iam/role:Role") args.notApplicable();
        const docs = field ? [p[field]] : asArray(p.inlinePolicies).map((i: any) => i?.policy);
        const bad = docs.flatMap(wildcardDataStatements);
        if (bad.length) report(`${describe(args)}: ${bad.join("; ")}; name the buckets/keys.`);
    },
};
