/**
 * Kubernetes NetworkPolicy semantics (networking.k8s.io/v1), evaluated offline over plain policy objects, as
 * documented in https://kubernetes.io/docs/concepts/services-networking/network-policies/ and the API reference
 * (https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/):
 * - a pod is isolated for a direction only if some policy in its namespace selects it and lists that direction
 *   in policyTypes (default: Ingress, plus Egress when the policy has egress rules);
 * - an isolated pod accepts a connection if any rule of any policy selecting it matches peer and port; rules add up;
 * - a connection needs both: egress allowed at the source and ingress allowed at the destination;
 * - named ports resolve against the destination pod's container ports; endPort makes a range;
 * - ipBlock matches addresses (with `except`); pod/namespace selectors match pods only.
 * Host-network pods and addresses outside the cluster are never isolated (no policy applies to them).
 */

export type Protocol = "TCP" | "UDP" | "SCTP";

interface LabelSelectorRequirement {
    key: string;
    operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
    values?: string[];
}

export interface LabelSelector {
    matchLabels?: Record<string, string>;
    matchExpressions?: LabelSelectorRequirement[];
}

export interface PolicyPort {
    protocol?: Protocol;
    port?: number | string;
    endPort?: number;
}

export interface PolicyPeer {
    podSelector?: LabelSelector;
    namespaceSelector?: LabelSelector;
    ipBlock?: { cidr: string; except?: string[] };
}

export interface PolicySpec {
    podSelector: LabelSelector;
    policyTypes?: ("Ingress" | "Egress")[];
    ingress?: { from?: PolicyPeer[]; ports?: PolicyPort[] }[];
    egress?: { to?: PolicyPeer[]; ports?: PolicyPort[] }[];
}

export interface NetworkPolicy {
    namespace: string;
    name: string;
    spec: PolicySpec;
}

export interface ContainerPort {
    name?: string;
    containerPort: number;
    protocol?: Protocol;
}

/** A pod as policies see it. hostNetwork pods share the node's address and are never selected by a policy. */
export interface Pod {
    namespace: string;
    labels: Record<string, string>;
    ip: string;
    ports?: ContainerPort[];
    hostNetwork?: boolean;
}

/** One end of a connection: a pod, or an address that is not a pod (outside the cluster, a node, the control plane). */
export type Endpoint = { pod: Pod } | { ip: string };

export interface Connection {
    from: Endpoint;
    to: Endpoint;
    /** A number, or a container port name of the destination pod. */
    port: number | string;
    protocol?: Protocol;
}

export interface Verdict {
    allowed: boolean;
    egress: { isolated: boolean; allowedBy: string[] };
    ingress: { isolated: boolean; allowedBy: string[] };
}

export function matchesSelector(sel: LabelSelector | undefined, labels: Record<string, string>): boolean {
    if (!sel) return true;
    for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
    for (const r of sel.matchExpressions ?? []) {
        const has = Object.prototype.hasOwnProperty.call(labels, r.key);
        switch (r.operator) {
            case "In":
                if (!has || !(r.values ?? []).includes(labels[r.key])) return false;
                break;
            case "NotIn":
                if (has && (r.values ?? []).includes(labels[r.key])) return false;
                break;
            case "Exists":
                if (!has) return false;
                break;
            case "DoesNotExist":
                if (has) return false;
                break;
            default:
                throw new Error(`unknown selector operator ${(r as LabelSelectorRequirement).operator}`);
        }
    }
    return true;
}

function ipToInt(ip: string): number {
    const parts = ip.split(".").map(Number);
    if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`not an IPv4 address: ${ip}`);
    return parts.reduce((a, p) => a * 256 + p, 0);
}

export function inCidr(ip: string, cidr: string): boolean {
    const [base, bitsText] = cidr.split("/");
    const bits = Number(bitsText);
    const size = 2 ** (32 - bits);
    const start = ipToInt(base) - (ipToInt(base) % size);
    const n = ipToInt(ip);
    return n >= start && n < start + size;
}

/** policyTypes as the API server defaults them. */
export function policyTypesOf(spec: PolicySpec): ("Ingress" | "Egress")[] {
    if (spec.policyTypes && spec.policyTypes.length > 0) return spec.policyTypes;
    return (spec.egress ?? []).length > 0 ? ["Ingress", "Egress"] : ["Ingress"];
}

const ipOf = (e: Endpoint): string => ("pod" in e ? e.pod.ip : e.ip);

/** Does a peer of a policy in `policyNamespace` match the endpoint at the other side? */
function peerMatches(peer: PolicyPeer, policyNamespace: string, other: Endpoint, nsLabels: (ns: string) => Record<string, string>): boolean {
    if (peer.ipBlock) {
        const ip = ipOf(other);
        return inCidr(ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((c) => inCidr(ip, c));
    }
    if (!("pod" in other) || other.pod.hostNetwork) return false;
    const pod = other.pod;
    if (peer.namespaceSelector) {
        if (!matchesSelector(peer.namespaceSelector, nsLabels(pod.namespace))) return false;
    } else if (pod.namespace !== policyNamespace) {
        return false;
    }
    return matchesSelector(peer.podSelector, pod.labels);
}

/** Resolves a policy port against the destination; undefined when a named port is not on the destination. */
function portMatches(p: PolicyPort, c: { port: number | string; protocol: Protocol }, dest: Endpoint): boolean {
    if ((p.protocol ?? "TCP") !== c.protocol) return false;
    if (p.port === undefined) return true;
    const destPorts = "pod" in dest ? (dest.pod.ports ?? []) : [];
    const numberOf = (port: number | string): number | undefined => {
        if (typeof port === "number") return port;
        if (/^\d+$/.test(port)) return Number(port);
        return destPorts.find((cp) => cp.name === port && (cp.protocol ?? "TCP") === c.protocol)?.containerPort;
    };
    const target = numberOf(c.port);
    if (target === undefined) return false;
    if (typeof p.port === "string" && !/^\d+$/.test(p.port)) return numberOf(p.port) === target;
    const start = Number(p.port);
    return target >= start && target <= (p.endPort ?? start);
}

function direction(
    policies: readonly NetworkPolicy[],
    self: Endpoint,
    other: Endpoint,
    dest: Endpoint,
    c: { port: number | string; protocol: Protocol },
    type: "Ingress" | "Egress",
    nsLabels: (ns: string) => Record<string, string>,
): { isolated: boolean; allowedBy: string[] } {
    if (!("pod" in self) || self.pod.hostNetwork) return { isolated: false, allowedBy: [] };
    const pod = self.pod;
    const selecting = policies.filter(
        (p) => p.namespace === pod.namespace && matchesSelector(p.spec.podSelector, pod.labels) && policyTypesOf(p.spec).includes(type),
    );
    const allowedBy = selecting
        .filter((p) => {
            const rules =
                type === "Ingress"
                    ? (p.spec.ingress ?? []).map((r) => ({ peers: r.from, ports: r.ports }))
                    : (p.spec.egress ?? []).map((r) => ({ peers: r.to, ports: r.ports }));
            return rules.some(
                (r) =>
                    (!r.peers || r.peers.length === 0 || r.peers.some((peer) => peerMatches(peer, p.namespace, other, nsLabels))) &&
                    (!r.ports || r.ports.length === 0 || r.ports.some((port) => portMatches(port, c, dest))),
            );
        })
        .map((p) => `${p.namespace}/${p.name}`);
    return { isolated: selecting.length > 0, allowedBy };
}

/**
 * Whether the policies let `from` open a connection to `to` on a port. `namespaceLabels` gives the labels of a
 * namespace; every namespace carries kubernetes.io/metadata.name (set by the API server since 1.22).
 */
export function evaluate(policies: readonly NetworkPolicy[], namespaceLabels: Readonly<Record<string, Record<string, string>>>, conn: Connection): Verdict {
    const nsLabels = (ns: string) => ({ "kubernetes.io/metadata.name": ns, ...(namespaceLabels[ns] ?? {}) });
    const c = { port: conn.port, protocol: conn.protocol ?? "TCP" };
    const egress = direction(policies, conn.from, conn.to, conn.to, c, "Egress", nsLabels);
    const ingress = direction(policies, conn.to, conn.from, conn.to, c, "Ingress", nsLabels);
    const ok = (d: { isolated: boolean; allowedBy: string[] }) => !d.isolated || d.allowedBy.length > 0;
    return { allowed: ok(egress) && ok(ingress), egress, ingress };
}
