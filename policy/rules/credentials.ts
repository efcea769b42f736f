import type { ResourceValidationPolicy } from "@pulumi/policy";
import { describe, known } from "./util";

const STATIC_CREDENTIAL_TYPES = new Set(["gcp:serviceaccount/key:Key", "aws:iam/accessKey:AccessKey", "aws:iam/userLoginProfile:UserLoginProfile"]);

const SECRET_TYPE = "kubernetes:core/v1:Secret";
const AWS_SECRET = /aws_secret_access_key/i;

function decodeBase64(v: string): string {
    return /^[A-Za-z0-9+/=\s]+$/.test(v) ? Buffer.from(v, "base64").toString("utf8") : v;
}

/** Why a Secret entry looks like a cloud key, or undefined. */
function cloudKeyIn(key: string, value: unknown): string | undefined {
    if (AWS_SECRET.test(key)) return `key ${key} is an AWS secret access key`;
    if (typeof value !== "string") return undefined;
    if (AWS_SECRET.test(value)) return `value of ${key} holds an AWS secret access key`;
    if (/"private_key"/.test(value) && /"type"\s*:\s*"service_account"/.test(value)) return `value of ${key} is a GCP service account key file`;
    return undefined;
}

export const noStaticCredentials: ResourceValidationPolicy = {
    name: "no-static-credentials",
    description: "Workloads reach cloud APIs through workload identity; static keys are not allowed.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (STATIC_CREDENTIAL_TYPES.has(args.type)) {
            report(`${describe(args)} creates a long-lived credential; bind a workload identity instead.`);
            return;
        }
        if (args.type !== SECRET_TYPE) args.notApplicable();
        // Leaf by leaf: an unknown value is computed from a resource not yet created, so it is no literal (a static
        // credential is one written in the program or its config, known in any preview); known keys and values are
        // still checked. A map unknown as a whole hides its keys: reading it throws, and the policy cannot decide.
        const entries: [string, unknown][] = [];
        for (const field of ["data", "stringData"] as const) {
            const map = args.props[field] as Record<string, unknown> | undefined;
            for (const k of Object.keys(map ?? {})) {
                const v = known(() => map![k]);
                if (v === "unknown") entries.push([k, undefined]);
                else entries.push([k, field === "data" && typeof v.value === "string" ? decodeBase64(v.value) : v.value]);
            }
        }
        for (const [k, v] of entries) {
            const why = cloudKeyIn(k, v);
            if (why) report(`${describe(args)}: ${why}; use workload identity (or Vault) instead of a cloud key in a Secret.`);
        }
    },
};
