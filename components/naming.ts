import * as crypto from "crypto";

/**
 * Names of per-stack cloud and Vault objects. A stack is a name (`staging`, `dev`, `eu-2`); its tier
 * (`dataplatform:environment`: staging or prod) only decides how strict it is. Every identifier that two stacks
 * could share (in one project, account or Vault) carries the stack name, once.
 */

/** `base` qualified by the stack: unchanged when it already ends with the stack (no `acme-data-staging-staging`). */
export function withStack(base: string, stack: string, sep = "-"): string {
    return base === stack || base.endsWith(`${sep}${stack}`) ? base : `${base}${sep}${stack}`;
}

/** Whether `id` carries the stack name as a whole segment (separated by `-`, `_`, `/`, `.` or the ends). */
export function containsStack(id: string, stack: string): boolean {
    const seg = (s: string) => s.replace(/[_/.]/g, "-");
    return `-${seg(id)}-`.includes(`-${seg(stack)}-`);
}

/** Kubernetes cluster (GKE or EKS) of a stack. */
export function clusterName(stack: string): string {
    return `dataplatform-${stack}`;
}

/** Globally unique lake bucket name: `<project|account>[-<stack>]-<name>`. */
export function lakeBucketName(owner: string, stack: string, name: string): string {
    return `${withStack(owner, stack)}-${name}`;
}

/** BigQuery dataset id of a logical dataset: `<name>_<stack>` (a dataset named like the stack is not repeated). */
export function datasetId(name: string, stack: string): string {
    return withStack(name, stack.replace(/-/g, "_"), "_");
}

/** A Google service account id (6-30 chars) carrying the stack; shortened with a hash when too long. */
export function stackAccountId(base: string, stack: string): string {
    const id = `${base}-${stack}`;
    if (id.length <= 30) return id;
    const h = crypto.createHash("sha256").update(id).digest("hex").slice(0, 6);
    return `${id.slice(0, 23).replace(/-+$/, "")}-${h}`;
}

/** Default Vault mounts of a stack (each stack has its own; a policy never reaches another stack's secrets). */
export function vaultMounts(stack: string): { kvMount: string; authMount: string; pkiMount: string } {
    return { kvMount: `kv-dataplatform-${stack}`, authMount: `kubernetes-dataplatform-${stack}`, pkiMount: `pki-dataplatform-${stack}` };
}

/**
 * The stack's image registry: the Artifact Registry repository id (GCP) or the ECR repository prefix
 * (`<name>/<image>`, AWS). Per stack, so two stacks in one project or account never share (or delete) images.
 */
export function registryName(stack: string): string {
    return `dataplatform-${stack}`;
}

/** CloudWatch log group of the VPC flow logs. */
export function flowLogGroupName(stack: string): string {
    return `/dataplatform/${stack}/vpc-flow-logs`;
}
