import { strict as assert } from "assert";
import { PREVIEW_GROUP } from "../components/aws/foundation";
import { inputsOf, ofType, shippedPlan, STACKS } from "./support/plans";
import { awsStack, expectProblem, gcpStack } from "./support/config";

const WRITE = /^(create|update|patch|delete|deletecollection|escalate|bind|impersonate|\*)$/;

describe("pull-request preview cluster access", () => {
    for (const stack of STACKS) {
        it(`${stack}: the configured preview identity reads the cluster and Helm's release Secrets, and writes nothing`, async () => {
            const plan = await shippedPlan(stack);
            let subject: { kind: string; name: string };
            if (plan.config.cloud === "aws") {
                const arn = awsStack(plan.config).aws.previewRoleArn!;
                assert.ok(arn, "the shipped stack configures a preview role");
                const entries = ofType(plan, "aws:eks/accessEntry:AccessEntry")
                    .map(inputsOf)
                    .filter((e) => e.principalArn === arn);
                assert.deepEqual(
                    entries.map((e) => [e.type, e.kubernetesGroups]),
                    [["STANDARD", [PREVIEW_GROUP]]],
                );
                assert.equal(
                    ofType(plan, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation").filter((a) => inputsOf(a).principalArn === arn).length,
                    0,
                    "no EKS access policy: RBAC decides",
                );
                subject = { kind: "Group", name: PREVIEW_GROUP };
            } else {
                const sa = gcpStack(plan.config).gcp.previewServiceAccount!;
                assert.ok(sa, "the shipped stack configures a preview service account");
                const iam = ofType(plan, "gcp:projects/iAMMember:IAMMember")
                    .map(inputsOf)
                    .filter((m) => m.member === `serviceAccount:${sa}`);
                assert.deepEqual(
                    iam.map((m) => m.role),
                    ["roles/container.clusterViewer"],
                );
                subject = { kind: "User", name: sa };
            }
            const bound = (b: any) => (b.subjects as any[]).some((s) => s.kind === subject.kind && s.name === subject.name);
            const crbs = ofType(plan, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding").map(inputsOf).filter(bound);
            assert.ok(
                crbs.some((b) => b.roleRef.name === "view"),
                "the built-in read-only view role",
            );
            const roles = new Map(
                ofType(plan, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole")
                    .map(inputsOf)
                    .map((r) => [r.metadata.name, r]),
            );
            const rbs = ofType(plan, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding").map(inputsOf).filter(bound);
            for (const b of [...crbs, ...rbs]) {
                const role = roles.get(b.roleRef.name);
                if (!role) {
                    assert.equal(b.roleRef.name, "view");
                    continue;
                }
                for (const rule of role.rules) for (const v of rule.verbs) assert.ok(!WRITE.test(v), `${role.metadata.name}: ${v}`);
                // Secrets only through namespace bindings.
                if (crbs.includes(b))
                    for (const rule of role.rules)
                        assert.ok(!rule.apiGroups.includes("") && !rule.apiGroups.includes("*"), `${role.metadata.name} reads core objects cluster-wide`);
            }
            const secretNamespaces = new Set(
                rbs.filter((b) => roles.get(b.roleRef.name)?.rules.some((r: any) => r.resources.includes("secrets"))).map((b) => b.metadata.namespace),
            );
            const releases = ofType(plan, "kubernetes:helm.sh/v3:Release").map(inputsOf);
            assert.ok(releases.length > 0);
            for (const r of releases) assert.ok(secretNamespaces.has(r.namespace), `release ${r.name} in ${r.namespace}: its Secrets are readable`);
        });
    }

    it("validates the preview identities", () => {
        expectProblem(
            "aws-staging",
            (r) => {
                r.aws.previewRoleArn = "arn:aws:iam::999999999999:role/x";
            },
            "dataplatform:aws.previewRoleArn",
            /is not in aws\.accountId/,
        );
        expectProblem(
            "aws-staging",
            (r) => {
                r.aws.previewRoleArn = r.aws.adminRoleArns[0];
            },
            "dataplatform:aws.previewRoleArn",
            /must not administer/,
        );
        expectProblem(
            "staging",
            (r) => {
                r.gcp.previewServiceAccount = "preview";
            },
            "dataplatform:gcp.previewServiceAccount",
            /service account email/,
        );
    });
});
