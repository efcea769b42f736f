import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import type { PlatformConfig } from "../components/config";

// Side-effect free: tests and the offline plan import these; index.ts builds the PolicyPack.
export const packName = "dataplatform-guardrails";

/** Policy config: which environment the stack is (prod rules), as passed with --policy-pack-config. */
export interface GuardrailConfig {
    environment: "staging" | "prod";
}

export function policyConfigFor(cfg: Pick<PlatformConfig, "environment">): GuardrailConfig {
    return { environment: cfg.environment };
}

const STATIC_CREDENTIAL_TYPES = new Set([
    "gcp:serviceaccount/key:Key",
    "aws:iam/accessKey:AccessKey",
    "aws:iam/userLoginProfile:UserLoginProfile",
]);

export const noStaticCredentials: ResourceValidationPolicy = {
    name: "no-static-credentials",
    description: "Workloads reach cloud APIs through workload identity; static keys are not allowed.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (STATIC_CREDENTIAL_TYPES.has(args.type)) report(`${args.type} creates a long-lived credential; bind a workload identity instead.`);
    },
};

export const helmChartPinned: ResourceValidationPolicy = {
    name: "helm-chart-version-pinned",
    description: "Every Helm release pins an exact chart version.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== "kubernetes:helm.sh/v3:Release" && args.type !== "kubernetes:helm.sh/v3:Chart") args.notApplicable();
        const v = args.props.version;
        if (typeof v !== "string" || !/^v?\d+\.\d+\.\d+(-[\w.]+)?$/.test(v)) report(`chart ${args.props.chart} has version ${JSON.stringify(v)}; pin an exact version.`);
    },
};

export const policies: (ResourceValidationPolicy | StackValidationPolicy)[] = [noStaticCredentials, helmChartPinned];
