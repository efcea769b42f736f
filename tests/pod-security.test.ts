import { strict as assert } from "assert";
import { podSecurityViolations, PodTemplate, PodSecurityLevel } from "../components/k8s/pod-security";

/** A pod every level admits: restricted-compliant at pod level, nothing at container level. */
const RESTRICTED_POD = { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } };
const RESTRICTED_CONTAINER = { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } };

function pod(spec: Record<string, any>, annotations?: Record<string, string>): PodTemplate {
    return { metadata: annotations ? { annotations } : undefined, spec };
}
const good = (extra: Record<string, any> = {}, c: Record<string, any> = {}) =>
    pod({ securityContext: RESTRICTED_POD, containers: [{ name: "a", image: "i", securityContext: { ...RESTRICTED_CONTAINER, ...c } }], ...extra });
const controls = (p: PodTemplate, level: PodSecurityLevel) => podSecurityViolations(p, level).map((v) => `${v.level}:${v.control}`);

describe("pod security standards: evaluator", () => {
    it("admits a minimal restricted pod at every level; privileged admits anything", () => {
        for (const l of ["privileged", "baseline", "restricted"] as const) assert.deepEqual(controls(good(), l), []);
        assert.deepEqual(controls(pod({ hostNetwork: true, containers: [{ name: "a", securityContext: { privileged: true } }] }), "privileged"), []);
    });

    it("baseline admits the default (minimally specified) pod; restricted does not", () => {
        const p = pod({ containers: [{ name: "a", image: "i" }] });
        assert.deepEqual(controls(p, "baseline"), []);
        assert.deepEqual(controls(p, "restricted").sort(), [
            "restricted:Capabilities",
            "restricted:Privilege Escalation",
            "restricted:Running as Non-root",
            "restricted:Seccomp",
        ]);
    });

    const baselineCases: [string, PodTemplate, string][] = [
        ["pod hostProcess", good({ securityContext: { ...RESTRICTED_POD, windowsOptions: { hostProcess: true } } }), "HostProcess"],
        ["container hostProcess", good({}, { windowsOptions: { hostProcess: true } }), "HostProcess"],
        ["hostNetwork", good({ hostNetwork: true }), "Host Namespaces"],
        ["hostPID", good({ hostPID: true }), "Host Namespaces"],
        ["hostIPC", good({ hostIPC: true }), "Host Namespaces"],
        ["privileged", good({}, { privileged: true }), "Privileged Containers"],
        ["capability outside the default set", good({}, { capabilities: { drop: ["ALL"], add: ["SYS_ADMIN"] } }), "Capabilities"],
        ["hostPath volume", good({ volumes: [{ name: "h", hostPath: { path: "/" } }] }), "HostPath Volumes"],
        ["host port", good({ containers: [{ name: "a", securityContext: RESTRICTED_CONTAINER, ports: [{ containerPort: 80, hostPort: 80 }] }] }), "Host Ports"],
        ["AppArmor unconfined annotation", pod(good().spec, { "container.apparmor.security.beta.kubernetes.io/a": "unconfined" }), "AppArmor"],
        ["AppArmor unconfined field", good({}, { appArmorProfile: { type: "Unconfined" } }), "AppArmor"],
        ["SELinux custom type", good({}, { seLinuxOptions: { type: "spc_t" } }), "SELinux"],
        ["SELinux user at pod level", good({ securityContext: { ...RESTRICTED_POD, seLinuxOptions: { user: "system_u" } } }), "SELinux"],
        ["procMount Unmasked", good({}, { procMount: "Unmasked" }), "/proc Mount Type"],
        ["seccomp Unconfined on a container", good({}, { seccompProfile: { type: "Unconfined" } }), "Seccomp"],
        ["unsafe sysctl", good({ securityContext: { ...RESTRICTED_POD, sysctls: [{ name: "kernel.msgmax", value: "1" }] } }), "Sysctls"],
    ];
    for (const [what, p, control] of baselineCases) {
        it(`baseline refuses ${what}`, () => {
            assert.ok(controls(p, "baseline").includes(`baseline:${control}`), JSON.stringify(controls(p, "baseline")));
            assert.ok(controls(p, "restricted").length > 0);
        });
    }

    it("baseline allows what it lists: default capabilities, safe sysctls, container SELinux types, AppArmor runtime/localhost, hostPort 0", () => {
        const p = pod(
            {
                securityContext: {
                    sysctls: [{ name: "net.ipv4.ip_unprivileged_port_start", value: "0" }],
                    seLinuxOptions: { type: "container_t", level: "s0:c1" },
                },
                containers: [
                    {
                        name: "a",
                        ports: [{ containerPort: 80, hostPort: 0 }],
                        securityContext: {
                            capabilities: { add: ["CHOWN", "NET_BIND_SERVICE"] },
                            appArmorProfile: { type: "Localhost", localhostProfile: "p" },
                        },
                    },
                ],
                volumes: [{ name: "v", nfs: { server: "s", path: "/" } }],
            },
            { "container.apparmor.security.beta.kubernetes.io/a": "localhost/p" },
        );
        assert.deepEqual(controls(p, "baseline"), []);
        // nfs is a restricted volume type, CHOWN a restricted capability.
        assert.ok(controls(p, "restricted").includes("restricted:Volume Types"));
    });

    it("checks init and ephemeral containers like the others", () => {
        for (const kind of ["initContainers", "ephemeralContainers"]) {
            const p = good({ [kind]: [{ name: "x", securityContext: { privileged: true } }] });
            const v = podSecurityViolations(p, "baseline");
            assert.deepEqual(v.map((x) => x.fields).flat(), [`spec.${kind}[0].securityContext.privileged`]);
            // At restricted the same container also lacks the restricted container settings.
            const r = podSecurityViolations(good({ [kind]: [{ name: "x" }] }), "restricted")
                .map((x) => x.control)
                .sort();
            assert.deepEqual(r, ["Capabilities", "Privilege Escalation"]);
        }
    });

    it("runAsNonRoot: the pod's value is inherited, a container's overrides it", () => {
        assert.deepEqual(controls(good(), "restricted"), []);
        assert.deepEqual(controls(good({}, { runAsNonRoot: false }), "restricted"), ["restricted:Running as Non-root"]);
        // Unset at pod level: every container must set it.
        const noPod = { seccompProfile: { type: "RuntimeDefault" } };
        assert.deepEqual(controls(good({ securityContext: noPod }), "restricted"), ["restricted:Running as Non-root"]);
        assert.deepEqual(controls(good({ securityContext: noPod }, { runAsNonRoot: true }), "restricted"), []);
        // false at pod level is refused even if every container says true.
        assert.deepEqual(controls(good({ securityContext: { ...noPod, runAsNonRoot: false } }, { runAsNonRoot: true }), "restricted"), [
            "restricted:Running as Non-root",
        ]);
    });

    it("runAsUser 0 is refused at pod and container level; any other uid passes", () => {
        assert.deepEqual(controls(good({ securityContext: { ...RESTRICTED_POD, runAsUser: 0 } }), "restricted"), ["restricted:Running as Non-root user"]);
        assert.deepEqual(controls(good({}, { runAsUser: 0 }), "restricted"), ["restricted:Running as Non-root user"]);
        assert.deepEqual(controls(good({}, { runAsUser: 1000 }), "restricted"), []);
        assert.deepEqual(controls(good({}, { runAsUser: 0 }), "baseline"), []);
    });

    it("seccomp: RuntimeDefault or Localhost, set on the pod or on every container", () => {
        const noSeccomp = { runAsNonRoot: true };
        assert.deepEqual(controls(good({ securityContext: noSeccomp }), "restricted"), ["restricted:Seccomp"]);
        assert.deepEqual(
            controls(good({ securityContext: noSeccomp }, { seccompProfile: { type: "Localhost", localhostProfile: "p.json" } }), "restricted"),
            [],
        );
        // A container may not switch the pod's profile off.
        assert.deepEqual(controls(good({}, { seccompProfile: { type: "Unconfined" } }), "restricted").sort(), ["baseline:Seccomp", "restricted:Seccomp"]);
        // Pod-level Unconfined is refused even when every container sets its own profile.
        assert.ok(
            controls(
                good({ securityContext: { runAsNonRoot: true, seccompProfile: { type: "Unconfined" } } }, { seccompProfile: { type: "RuntimeDefault" } }),
                "restricted",
            ).includes("restricted:Seccomp"),
        );
    });

    it("capabilities: restricted needs drop ALL and adds nothing but NET_BIND_SERVICE", () => {
        assert.deepEqual(controls(good({}, { capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] } }), "restricted"), []);
        assert.deepEqual(controls(good({}, { capabilities: { drop: ["NET_RAW"] } }), "restricted"), ["restricted:Capabilities"]);
        assert.deepEqual(controls(good({}, { capabilities: { drop: ["ALL"], add: ["CHOWN"] } }), "restricted"), ["restricted:Capabilities"]);
    });

    it("privilege escalation must be explicitly false on every container", () => {
        assert.deepEqual(controls(good({}, { allowPrivilegeEscalation: undefined }), "restricted"), ["restricted:Privilege Escalation"]);
        assert.deepEqual(controls(good({}, { allowPrivilegeEscalation: true }), "restricted"), ["restricted:Privilege Escalation"]);
    });

    it("restricted volume types: only configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret", () => {
        const ok = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"].map((t) => ({
            name: t,
            [t]: {},
        }));
        assert.deepEqual(controls(good({ volumes: ok }), "restricted"), []);
        for (const t of ["gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "nfs", "iscsi", "cephfs", "azureFile", "image"]) {
            assert.deepEqual(controls(good({ volumes: [{ name: "v", [t]: {} }] }), "restricted"), ["restricted:Volume Types"], t);
        }
    });

    it("Windows pods are exempt from the Linux-only restricted controls", () => {
        const p = pod({ os: { name: "windows" }, securityContext: { runAsNonRoot: true }, containers: [{ name: "a" }] });
        assert.deepEqual(controls(p, "restricted"), []);
    });
});
