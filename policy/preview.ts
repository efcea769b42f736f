/**
 * Mandatory policies that cannot decide on some input in a first `pulumi preview` of a new stack, because the
 * input is computed by a resource the preview has not created. The engine then reports the policy as an advisory
 * "can't run during preview"; it is enforced at `pulumi up`, when the value is known. Every such case is listed
 * here with the reason it cannot be made known; the offline plan prints this table, and a test fails on any
 * undecided mandatory finding not listed (and on any entry no stack uses any more).
 */
export interface UndecidableAtPreview {
    policy: string;
    /** Resource type whose input is unknown. */
    type: string;
    /** Path of the unknown input, as the policy SDK names it (`.policy`, `.stringData`). */
    field: string;
    clouds: readonly ("gcp" | "aws")[];
    reason: string;
}

export const UNDECIDABLE_AT_PREVIEW: readonly UndecidableAtPreview[] = [
    {
        policy: "no-static-credentials",
        type: "kubernetes:core/v1:Secret",
        field: ".stringData",
        clouds: ["gcp", "aws"],
        reason:
            "Airflow's metadata Secret holds the database URL with the generated password and the instance's host, both " +
            "created by the update. The Kubernetes SDK wraps a Secret's whole stringData in one secret Output " +
            "(@pulumi/kubernetes core/v1/secret.js), so one unknown value hides every key; the policy reads known keys " +
            "and values leaf by leaf and treats an unknown value as computed, but here no key is known.",
    },
    {
        policy: "eks-cluster-hardened",
        type: "aws:eks/cluster:Cluster",
        field: ".encryptionConfig.provider.keyArn",
        clouds: ["aws"],
        reason:
            "A KMS key's ARN ends in a random key id assigned at creation. The EKS API takes an alias too " +
            "(https://docs.aws.amazon.com/eks/latest/APIReference/API_Provider.html) but stores and returns the key's ARN " +
            "(kubernetes-sigs/cluster-api-provider-aws#3096), so the provider would show a diff on every preview " +
            "(hashicorp/terraform-provider-aws#43244) and a change here replaces the cluster.",
    },
    {
        policy: "iam-least-privilege",
        type: "aws:iam/rolePolicy:RolePolicy",
        field: ".policy",
        clouds: ["aws"],
        reason: "The document is one JSON string; the EKS secrets, EBS CSI and workload S3 policies name their KMS key by " + "ARN (random key id).",
    },
    {
        policy: "pod-security-admission",
        type: "kubernetes:core/v1:ConfigMap",
        field: ".data.credentials.json",
        clouds: ["aws"],
        reason:
            "The policy reads every ConfigMap value that could be a pod template (Spark's executor template). The " +
            "BigQuery credential configuration names the workload identity pool provider, whose resource name holds the " +
            "warehouse project's number and is returned by its creation.",
    },
];

/** Policy, resource type and field of an undecided finding (stack policies name the resource in the message). */
export function undecidedKey(d: { policyName: string; urn?: string; message: string }): { policy: string; type: string; field: string } {
    const last = d.message.split("\n").pop() ?? "";
    const type = d.urn ? d.urn.split("::")[2].split("$").pop()! : (/: (\S+) "[^"]*": /.exec(last)?.[1] ?? "?");
    const field = /value at (\.\S+) can't be known/.exec(last)?.[1] ?? "?";
    return { policy: d.policyName, type, field };
}

/** The table entry that justifies an undecided finding, if any. */
export function justification(d: { policyName: string; urn?: string; message: string }, cloud: "gcp" | "aws"): UndecidableAtPreview | undefined {
    const k = undecidedKey(d);
    return UNDECIDABLE_AT_PREVIEW.find((e) => e.policy === k.policy && e.type === k.type && e.field === k.field && e.clouds.includes(cloud));
}
