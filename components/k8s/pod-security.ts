/**
 * The Kubernetes Pod Security Standards (https://kubernetes.io/docs/concepts/security/pod-security-standards/),
 * every baseline and restricted control, evaluated on a plain pod template the way the Pod Security admission
 * controller does (k8s.io/pod-security-admission/policy/check_*.go): container-level settings override the
 * pod-level ones, and init and ephemeral containers are checked like the others.
 *
 * Not modelled: the alpha `UserNamespacesPodSecurityStandards` relaxation (hostUsers: false) and the Windows
 * exemptions beyond `spec.os.name: windows` (the platform runs Linux nodes only).
 */
export type PodSecurityLevel = "privileged" | "baseline" | "restricted";

export interface PodSecurityViolation {
    control: string;
    level: "baseline" | "restricted";
    /** The offending fields, as PSA names them (`spec.containers[0].securityContext.privileged`). */
    fields: string[];
}

type Obj = Record<string, any>;
/** A pod template: what a workload's `spec.template` holds (metadata for the AppArmor annotations). */
export interface PodTemplate {
    metadata?: { annotations?: Record<string, string> };
    spec: Obj;
}

/** Capabilities baseline lets a container add (the container runtime's default set). */
const BASELINE_CAPABILITIES = [
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
] as const;
/** Safe sysctls (baseline), as of Kubernetes 1.32. */
const SAFE_SYSCTLS = [
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
    "net.ipv4.tcp_rmem",
    "net.ipv4.tcp_wmem",
] as const;
/** SELinux types baseline allows (empty or one of these). */
const SELINUX_TYPES = ["container_t", "container_init_t", "container_kvm_t", "container_engine_t"] as const;
/** The only volume types restricted allows. */
const RESTRICTED_VOLUME_TYPES = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"] as const;

const APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/";

interface ContainerRef {
    c: Obj;
    path: string;
}

function containersOf(spec: Obj): ContainerRef[] {
    const out: ContainerRef[] = [];
    for (const kind of ["initContainers", "containers", "ephemeralContainers"]) {
        (spec[kind] ?? []).forEach((c: Obj, i: number) => out.push({ c, path: `spec.${kind}[${i}]` }));
    }
    return out;
}

const sc = (c: Obj): Obj => c.securityContext ?? {};

/** Every violation of the level's controls; empty when the pod is admitted. */
export function podSecurityViolations(pod: PodTemplate, level: PodSecurityLevel): PodSecurityViolation[] {
    if (level === "privileged") return [];
    const spec = pod.spec ?? {};
    const psc: Obj = spec.securityContext ?? {};
    const containers = containersOf(spec);
    const out: PodSecurityViolation[] = [];
    const fail = (control: string, lvl: "baseline" | "restricted", fields: string[]) => {
        if (fields.length) out.push({ control, level: lvl, fields });
    };
    const perContainer = (f: (r: ContainerRef) => string | string[] | undefined): string[] =>
        containers.flatMap((r) => {
            const v = f(r);
            return v === undefined ? [] : Array.isArray(v) ? v : [v];
        });

    // ---- baseline ----
    fail("HostProcess", "baseline", [
        ...(psc.windowsOptions?.hostProcess === true ? ["spec.securityContext.windowsOptions.hostProcess"] : []),
        ...perContainer(({ c, path }) => (sc(c).windowsOptions?.hostProcess === true ? `${path}.securityContext.windowsOptions.hostProcess` : undefined)),
    ]);
    fail(
        "Host Namespaces",
        "baseline",
        ["hostNetwork", "hostPID", "hostIPC"].filter((k) => spec[k] === true).map((k) => `spec.${k}`),
    );
    fail(
        "Privileged Containers",
        "baseline",
        perContainer(({ c, path }) => (sc(c).privileged === true ? `${path}.securityContext.privileged` : undefined)),
    );
    fail(
        "Capabilities",
        "baseline",
        perContainer(({ c, path }) =>
            ((sc(c).capabilities?.add ?? []) as string[])
                .filter((cap) => !(BASELINE_CAPABILITIES as readonly string[]).includes(cap))
                .map((cap) => `${path}.securityContext.capabilities.add=${cap}`),
        ),
    );
    fail(
        "HostPath Volumes",
        "baseline",
        ((spec.volumes ?? []) as Obj[]).flatMap((v, i) => (v.hostPath !== undefined && v.hostPath !== null ? [`spec.volumes[${i}].hostPath`] : [])),
    );
    fail(
        "Host Ports",
        "baseline",
        perContainer(({ c, path }) => ((c.ports ?? []) as Obj[]).flatMap((p, i) => (p.hostPort ? [`${path}.ports[${i}].hostPort`] : []))),
    );
    const apparmorOk = (t: unknown) => t === undefined || t === "RuntimeDefault" || t === "Localhost";
    fail("AppArmor", "baseline", [
        ...Object.entries(pod.metadata?.annotations ?? {})
            .filter(([k, v]) => k.startsWith(APPARMOR_ANNOTATION) && !(v === "runtime/default" || v.startsWith("localhost/")))
            .map(([k]) => `metadata.annotations[${k}]`),
        ...(apparmorOk(psc.appArmorProfile?.type) ? [] : ["spec.securityContext.appArmorProfile.type"]),
        ...perContainer(({ c, path }) => (apparmorOk(sc(c).appArmorProfile?.type) ? undefined : `${path}.securityContext.appArmorProfile.type`)),
    ]);
    const selinux = (o: Obj | undefined, path: string): string[] => {
        if (!o) return [];
        const bad: string[] = [];
        if (o.type && !(SELINUX_TYPES as readonly string[]).includes(o.type)) bad.push(`${path}.seLinuxOptions.type`);
        if (o.user) bad.push(`${path}.seLinuxOptions.user`);
        if (o.role) bad.push(`${path}.seLinuxOptions.role`);
        return bad;
    };
    fail("SELinux", "baseline", [
        ...selinux(psc.seLinuxOptions, "spec.securityContext"),
        ...perContainer(({ c, path }) => selinux(sc(c).seLinuxOptions, `${path}.securityContext`)),
    ]);
    fail(
        "/proc Mount Type",
        "baseline",
        perContainer(({ c, path }) => (sc(c).procMount === undefined || sc(c).procMount === "Default" ? undefined : `${path}.securityContext.procMount`)),
    );
    fail("Seccomp", "baseline", [
        ...(psc.seccompProfile?.type === "Unconfined" ? ["spec.securityContext.seccompProfile.type"] : []),
        ...perContainer(({ c, path }) => (sc(c).seccompProfile?.type === "Unconfined" ? `${path}.securityContext.seccompProfile.type` : undefined)),
    ]);
    fail(
        "Sysctls",
        "baseline",
        ((psc.sysctls ?? []) as Obj[]).flatMap((s, i) =>
            (SAFE_SYSCTLS as readonly string[]).includes(s.name) ? [] : [`spec.securityContext.sysctls[${i}].name=${s.name}`],
        ),
    );
    if (level === "baseline") return out;

    // ---- restricted ----
    fail(
        "Volume Types",
        "restricted",
        ((spec.volumes ?? []) as Obj[]).flatMap((v, i) => {
            const type = Object.keys(v).find((k) => k !== "name");
            return type && (RESTRICTED_VOLUME_TYPES as readonly string[]).includes(type) ? [] : [`spec.volumes[${i}].${type ?? "(no source)"}`];
        }),
    );
    // A container's runAsNonRoot overrides the pod's; one left unset inherits it.
    fail("Running as Non-root", "restricted", [
        ...(psc.runAsNonRoot === false ? ["spec.securityContext.runAsNonRoot"] : []),
        ...perContainer(({ c, path }) => {
            const v = sc(c).runAsNonRoot;
            return v === true || (v === undefined && psc.runAsNonRoot === true) ? undefined : `${path}.securityContext.runAsNonRoot`;
        }),
    ]);
    fail("Running as Non-root user", "restricted", [
        ...(psc.runAsUser === 0 ? ["spec.securityContext.runAsUser"] : []),
        ...perContainer(({ c, path }) => (sc(c).runAsUser === 0 ? `${path}.securityContext.runAsUser` : undefined)),
    ]);
    // Windows pods are exempt from the Linux-only restricted controls below.
    if (spec.os?.name === "windows") return out;
    fail(
        "Privilege Escalation",
        "restricted",
        perContainer(({ c, path }) => (sc(c).allowPrivilegeEscalation === false ? undefined : `${path}.securityContext.allowPrivilegeEscalation`)),
    );
    const seccompOk = (t: unknown) => t === "RuntimeDefault" || t === "Localhost";
    fail("Seccomp", "restricted", [
        ...(psc.seccompProfile?.type !== undefined && !seccompOk(psc.seccompProfile.type) ? ["spec.securityContext.seccompProfile.type"] : []),
        ...perContainer(({ c, path }) => {
            const t = sc(c).seccompProfile?.type;
            if (t === undefined) return seccompOk(psc.seccompProfile?.type) ? undefined : `${path}.securityContext.seccompProfile.type`;
            return seccompOk(t) ? undefined : `${path}.securityContext.seccompProfile.type`;
        }),
    ]);
    fail(
        "Capabilities",
        "restricted",
        perContainer(({ c, path }) => {
            const caps = sc(c).capabilities ?? {};
            return [
                ...(((caps.drop ?? []) as string[]).includes("ALL") ? [] : [`${path}.securityContext.capabilities.drop`]),
                ...((caps.add ?? []) as string[]).filter((cap) => cap !== "NET_BIND_SERVICE").map((cap) => `${path}.securityContext.capabilities.add=${cap}`),
            ];
        }),
    );
    return out;
}

/** One line per violation, for assertion messages. */
export function describeViolations(vs: readonly PodSecurityViolation[]): string {
    return vs.map((v) => `${v.level} ${v.control}: ${v.fields.join(", ")}`).join("; ");
}
