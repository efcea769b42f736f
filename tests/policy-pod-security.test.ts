import { strict as assert } from "assert";
import * as YAML from "yaml";
import { podSecurityAdmission } from "../policy/rules/pod-security";
import { checkStack, NA, res } from "./policy-harness";
import { Unknown } from "../plan/capture";
import { runPolicies } from "../plan/policy";

const ns = (name: string, level: string) =>
    res("kubernetes:core/v1:Namespace", { metadata: { name, labels: { "pod-security.kubernetes.io/enforce": level } } }, { name });
const RESTRICTED = {
    securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
    containers: [{ name: "app", securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } }],
};
const deployment = (name: string, namespace: string, spec: object) =>
    res("kubernetes:apps/v1:Deployment", { metadata: { name, namespace }, spec: { selector: {}, template: { spec } } }, { name });

describe("policy pod-security-admission", () => {
    it("checks each workload against the level its namespace enforces", async () => {
        const bare = { containers: [{ name: "app" }] };
        const out = await checkStack(podSecurityAdmission, [
            ns("apps", "restricted"),
            ns("legacy", "baseline"),
            deployment("ok", "apps", RESTRICTED),
            deployment("bare", "apps", bare),
            deployment("bare-legacy", "legacy", bare),
        ]);
        assert.ok(out !== NA);
        assert.equal(out.length, 1);
        assert.match(out[0].message, /Deployment "bare" in namespace apps \(restricted\)/);
        assert.match(out[0].urn!, /::bare$/);
    });

    it("reads ScaledJob, CronJob and Spark application templates and Pod templates in ConfigMaps", async () => {
        const priv = { hostNetwork: true, containers: [{ name: "c" }] };
        const out = await checkStack(podSecurityAdmission, [
            ns("jobs", "baseline"),
            res(
                "kubernetes:keda.sh/v1alpha1:ScaledJob",
                { metadata: { namespace: "jobs" }, spec: { jobTargetRef: { template: { spec: priv } } } },
                { name: "sj" },
            ),
            res(
                "kubernetes:batch/v1:CronJob",
                { metadata: { namespace: "jobs" }, spec: { jobTemplate: { spec: { template: { spec: priv } } } } },
                { name: "cron" },
            ),
            res(
                "kubernetes:sparkoperator.k8s.io/v1beta2:ScheduledSparkApplication",
                { metadata: { namespace: "jobs" }, spec: { template: { driver: { hostNetwork: true }, executor: {} } } },
                { name: "spark" },
            ),
            res(
                "kubernetes:core/v1:ConfigMap",
                {
                    metadata: { namespace: "jobs" },
                    data: { "executor.yaml": YAML.stringify({ apiVersion: "v1", kind: "Pod", spec: priv }), "other.txt": "not: [yaml" },
                },
                { name: "tpl" },
            ),
        ]);
        assert.ok(out !== NA);
        assert.deepEqual(
            out.map((o) => o.urn!.split("::").pop()),
            ["sj", "cron", "spark", "tpl"],
        );
    });

    it("leaves namespaces the stack does not label to the cluster", async () => {
        const out = await checkStack(podSecurityAdmission, [deployment("sys", "kube-system", { hostNetwork: true, containers: [{ name: "c" }] })]);
        assert.deepEqual(out, []);
    });

    it("in a first preview, a template it cannot read does not hide the others: known ones are checked, the policy reports it could not decide", async () => {
        const out = await runPolicies(
            "p",
            [podSecurityAdmission],
            [
                ns("apps", "restricted"),
                res("kubernetes:core/v1:ConfigMap", { metadata: { namespace: "apps" }, data: { "executor.yaml": new Unknown() } }, { name: "tpl" }),
                deployment("bare", "apps", { containers: [{ name: "app" }] }),
            ],
        );
        assert.equal(out.length, 2);
        assert.ok(!out[0].undecided && /Deployment "bare"/.test(out[0].message), "the known Deployment is still checked");
        assert.ok(out[1].undecided && /ConfigMap "tpl": string value at \.data\.executor\.yaml/.test(out[1].message), out[1].message);
    });
});
