import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import type { PlatformConfig } from "../components/config";
import { bigqueryPolicies } from "./rules/bigquery";
import { clusterPolicies } from "./rules/clusters";
import { noStaticCredentials } from "./rules/credentials";
import { iamLeastPrivilege } from "./rules/iam";
import { kafkaPolicies } from "./rules/kafka";
import { kubernetesPolicies } from "./rules/kubernetes";
import { podSecurityAdmission } from "./rules/pod-security";
import { requiredLabels } from "./rules/labels";
import { prodStatefulProtected } from "./rules/protection";
import { storagePolicies } from "./rules/storage";
import type { GuardrailConfig } from "./rules/util";

// Side-effect free: tests and the offline plan import these; index.ts builds the PolicyPack.
export const packName = "dataplatform-guardrails";

export type { GuardrailConfig };

/** The policy config of a stack (what `--policy-pack-config policy/config.<env>.json` carries). */
export function policyConfigFor(cfg: Pick<PlatformConfig, "environment">): GuardrailConfig {
    return { environment: cfg.environment };
}

export const policies: (ResourceValidationPolicy | StackValidationPolicy)[] = [
    noStaticCredentials,
    ...storagePolicies,
    ...bigqueryPolicies,
    ...clusterPolicies,
    ...kafkaPolicies,
    ...kubernetesPolicies,
    podSecurityAdmission,
    requiredLabels,
    prodStatefulProtected,
    iamLeastPrivilege,
];
