import * as pulumi from "@pulumi/pulumi";
import type { Provider } from "@pulumi/kubernetes/provider";
import { ClusterRole, ClusterRoleBinding, RoleBinding } from "@pulumi/kubernetes/rbac/v1";
import type * as k8sInput from "@pulumi/kubernetes/types/input";

/** API groups of the platform's operators and cluster objects that the built-in `view` role does not cover. */
const PREVIEW_READ_GROUPS = [
    "apiextensions.k8s.io",
    "rbac.authorization.k8s.io",
    "storage.k8s.io",
    "admissionregistration.k8s.io",
    "scheduling.k8s.io",
    "kafka.strimzi.io",
    "core.strimzi.io",
    "access.strimzi.io",
    "sparkoperator.k8s.io",
    "keda.sh",
    "eventing.keda.sh",
    "monitoring.coreos.com",
    "secrets.hashicorp.com",
] as const;

export interface PreviewAccessArgs {
    /** Who previews: the GSA email (GKE maps it to a User) or the access entry's Kubernetes group (EKS). */
    subject: { kind: "User" | "Group"; name: string };
    /** Namespaces that hold Helm releases: Helm keeps each release's state in a Secret there. */
    releaseNamespaces: string[];
    provider: Provider;
}

/**
 * Read-only cluster access of pull-request previews: the built-in `view` role cluster-wide (no Secrets), reads of
 * the platform's custom resources and cluster objects, and reads of Secrets only in the namespaces of Helm
 * releases, which a preview of a Helm release reads (Helm's storage driver `secret`).
 */
export class PreviewAccess extends pulumi.ComponentResource {
    constructor(name: string, args: PreviewAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplatform:k8s:PreviewAccess", name, {}, opts);
        const o = { parent: this, provider: args.provider };
        const subjects: k8sInput.rbac.v1.Subject[] = [{ kind: args.subject.kind, name: args.subject.name, apiGroup: "rbac.authorization.k8s.io" }];
        new ClusterRoleBinding(
            `${name}-view`,
            {
                metadata: { name: "dataplatform-preview-view" },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
                subjects,
            },
            o,
        );
        const platform = new ClusterRole(
            `${name}-platform`,
            {
                metadata: { name: "dataplatform-preview-platform" },
                rules: [{ apiGroups: [...PREVIEW_READ_GROUPS], resources: ["*"], verbs: ["get", "list", "watch"] }],
            },
            o,
        );
        new ClusterRoleBinding(
            `${name}-platform`,
            {
                metadata: { name: "dataplatform-preview-platform" },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: platform.metadata.name },
                subjects,
            },
            o,
        );
        const secrets = new ClusterRole(
            `${name}-release-secrets`,
            {
                metadata: { name: "dataplatform-preview-release-secrets" },
                rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get", "list", "watch"] }],
            },
            o,
        );
        args.releaseNamespaces.forEach((ns) => {
            new RoleBinding(
                `${name}-release-secrets-${ns}`,
                {
                    metadata: { name: "dataplatform-preview-release-secrets", namespace: ns },
                    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: secrets.metadata.name },
                    subjects,
                },
                o,
            );
        });
        this.registerOutputs({});
    }
}
