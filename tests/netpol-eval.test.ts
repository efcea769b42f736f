import { strict as assert } from "assert";
import { evaluate, inCidr, matchesSelector, NetworkPolicy, Pod, policyTypesOf } from "../components/k8s/netpol-eval";

const pod = (namespace: string, labels: Record<string, string>, ip: string, ports: Pod["ports"] = []): { pod: Pod } => ({
    pod: { namespace, labels, ip, ports },
});
const web = pod("shop", { app: "web" }, "10.0.0.2", [
    { name: "http", containerPort: 8080 },
    { name: "dns", containerPort: 53, protocol: "UDP" },
]);
const db = pod("shop", { app: "db", tier: "data" }, "10.0.0.3", [{ name: "pg", containerPort: 5432 }]);
const other = pod("other", { app: "web" }, "10.0.1.2");
const np = (namespace: string, name: string, spec: NetworkPolicy["spec"]): NetworkPolicy => ({ namespace, name, spec });
const denyAll = (ns: string) => np(ns, "deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
const nsLabels = { other: { team: "a" } };

describe("NetworkPolicy evaluator", () => {
    it("selectors: matchLabels and every matchExpressions operator, ANDed; empty selects everything", () => {
        const l = { app: "web", tier: "front" };
        assert.ok(matchesSelector({}, l));
        assert.ok(matchesSelector({ matchLabels: { app: "web" } }, l));
        assert.ok(!matchesSelector({ matchLabels: { app: "web", tier: "back" } }, l));
        assert.ok(matchesSelector({ matchExpressions: [{ key: "tier", operator: "In", values: ["front", "x"] }] }, l));
        assert.ok(!matchesSelector({ matchExpressions: [{ key: "missing", operator: "In", values: ["front"] }] }, l));
        assert.ok(matchesSelector({ matchExpressions: [{ key: "missing", operator: "NotIn", values: ["front"] }] }, l));
        assert.ok(!matchesSelector({ matchExpressions: [{ key: "tier", operator: "NotIn", values: ["front"] }] }, l));
        assert.ok(matchesSelector({ matchExpressions: [{ key: "app", operator: "Exists" }] }, l));
        assert.ok(!matchesSelector({ matchExpressions: [{ key: "app", operator: "DoesNotExist" }] }, l));
        assert.ok(!matchesSelector({ matchLabels: { app: "web" }, matchExpressions: [{ key: "tier", operator: "DoesNotExist" }] }, l));
    });

    it("CIDRs: containment at the prefix boundary", () => {
        assert.ok(inCidr("10.0.255.255", "10.0.0.0/16"));
        assert.ok(!inCidr("10.1.0.0", "10.0.0.0/16"));
        assert.ok(inCidr("203.0.113.9", "0.0.0.0/0"));
        assert.ok(inCidr("172.16.0.15", "172.16.0.0/28") && !inCidr("172.16.0.16", "172.16.0.0/28"));
    });

    it("no policy: everything is allowed; a policy isolates only the pods it selects, only for its directions", () => {
        assert.ok(evaluate([], {}, { from: web, to: db, port: 5432 }).allowed);
        const ingressOnly = np("shop", "db-in", { podSelector: { matchLabels: { app: "db" } }, ingress: [] });
        assert.deepEqual(policyTypesOf(ingressOnly.spec), ["Ingress"]);
        assert.ok(!evaluate([ingressOnly], {}, { from: web, to: db, port: 5432 }).allowed, "db is isolated for ingress");
        assert.ok(evaluate([ingressOnly], {}, { from: db, to: web, port: 8080 }).allowed, "db's egress and web's ingress are not isolated");
    });

    it("implicit policyTypes: Egress only when the policy has egress rules", () => {
        const withEgress = np("shop", "e", {
            podSelector: { matchLabels: { app: "web" } },
            egress: [{ to: [{ podSelector: { matchLabels: { app: "db" } } }] }],
        });
        assert.deepEqual(policyTypesOf(withEgress.spec), ["Ingress", "Egress"]);
        const v = evaluate([withEgress], {}, { from: web, to: other, port: 8080 });
        assert.ok(!v.allowed && v.egress.isolated);
        // The same policy also isolates web for ingress (no ingress rules): nothing may reach it.
        assert.ok(!evaluate([withEgress], {}, { from: db, to: web, port: 8080 }).allowed);
        const explicit = np("shop", "x", { podSelector: { matchLabels: { app: "web" } }, policyTypes: ["Egress"], egress: [] });
        assert.ok(evaluate([explicit], {}, { from: db, to: web, port: 8080 }).allowed, "explicit Egress-only does not isolate ingress");
    });

    it("both directions are needed: egress at the source and ingress at the destination", () => {
        const allowIn = np("shop", "db-in", {
            podSelector: { matchLabels: { app: "db" } },
            policyTypes: ["Ingress"],
            ingress: [{ from: [{ podSelector: { matchLabels: { app: "web" } } }], ports: [{ port: 5432 }] }],
        });
        assert.ok(!evaluate([denyAll("shop"), allowIn], {}, { from: web, to: db, port: 5432 }).allowed, "web's egress is still denied");
        const allowOut = np("shop", "web-out", {
            podSelector: { matchLabels: { app: "web" } },
            policyTypes: ["Egress"],
            egress: [{ to: [{ podSelector: { matchLabels: { app: "db" } } }], ports: [{ port: 5432 }] }],
        });
        const v = evaluate([denyAll("shop"), allowIn, allowOut], {}, { from: web, to: db, port: 5432 });
        assert.ok(v.allowed);
        assert.deepEqual([v.egress.allowedBy, v.ingress.allowedBy], [["shop/web-out"], ["shop/db-in"]]);
        assert.ok(!evaluate([denyAll("shop"), allowIn, allowOut], {}, { from: web, to: db, port: 5433 }).allowed, "other port");
    });

    it("peers: podSelector alone means the policy's namespace; namespaceSelector alone any pod there; both combined", () => {
        const only = (peer: object) => [
            np("shop", "p", { podSelector: { matchLabels: { app: "db" } }, policyTypes: ["Ingress"], ingress: [{ from: [peer] }] }),
        ];
        assert.ok(!evaluate(only({ podSelector: { matchLabels: { app: "web" } } }), nsLabels, { from: other, to: db, port: 5432 }).allowed);
        assert.ok(evaluate(only({ namespaceSelector: { matchLabels: { team: "a" } } }), nsLabels, { from: other, to: db, port: 5432 }).allowed);
        assert.ok(
            evaluate(
                only({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "other" } }, podSelector: { matchLabels: { app: "web" } } }),
                nsLabels,
                { from: other, to: db, port: 5432 },
            ).allowed,
        );
        assert.ok(
            !evaluate(only({ namespaceSelector: { matchLabels: { team: "a" } }, podSelector: { matchLabels: { app: "api" } } }), nsLabels, {
                from: other,
                to: db,
                port: 5432,
            }).allowed,
        );
        assert.ok(evaluate(only({ namespaceSelector: {} }), nsLabels, { from: other, to: db, port: 5432 }).allowed, "empty namespaceSelector: all namespaces");
        assert.ok(
            !evaluate(only({ namespaceSelector: {} }), nsLabels, { from: { ip: "8.8.8.8" }, to: db, port: 5432 }).allowed,
            "selectors never match non-pods",
        );
    });

    it("ipBlock with except; rules without from/ports match everything", () => {
        const p = [
            np("shop", "p", {
                podSelector: { matchLabels: { app: "db" } },
                policyTypes: ["Ingress"],
                ingress: [{ from: [{ ipBlock: { cidr: "192.168.0.0/16", except: ["192.168.1.0/24"] } }] }],
            }),
        ];
        assert.ok(evaluate(p, {}, { from: { ip: "192.168.2.7" }, to: db, port: 1 }).allowed);
        assert.ok(!evaluate(p, {}, { from: { ip: "192.168.1.7" }, to: db, port: 1 }).allowed);
        assert.ok(!evaluate(p, {}, { from: { ip: "10.9.9.9" }, to: db, port: 1 }).allowed);
        const open = [np("shop", "p", { podSelector: {}, policyTypes: ["Ingress"], ingress: [{}] })];
        assert.ok(evaluate(open, {}, { from: { ip: "1.2.3.4" }, to: db, port: 9999, protocol: "UDP" }).allowed);
    });

    it("ports: protocol defaults to TCP, named ports resolve on the destination pod, endPort makes a range", () => {
        const rule = (ports: object[]) => [np("shop", "p", { podSelector: {}, policyTypes: ["Ingress"], ingress: [{ ports: ports as never }] })];
        assert.ok(evaluate(rule([{ port: "pg" }]), {}, { from: web, to: db, port: 5432 }).allowed);
        assert.ok(evaluate(rule([{ port: "pg" }]), {}, { from: web, to: db, port: "pg" }).allowed);
        assert.ok(!evaluate(rule([{ port: "http" }]), {}, { from: db, to: db, port: 8080 }).allowed, "db has no port named http");
        assert.ok(evaluate(rule([{ port: "http" }]), {}, { from: db, to: web, port: 8080 }).allowed);
        assert.ok(!evaluate(rule([{ port: 5432 }]), {}, { from: web, to: db, port: 5432, protocol: "UDP" }).allowed, "TCP by default");
        assert.ok(evaluate(rule([{ port: "dns", protocol: "UDP" }]), {}, { from: db, to: web, port: 53, protocol: "UDP" }).allowed);
        assert.ok(!evaluate(rule([{ port: "dns" }]), {}, { from: db, to: web, port: 53, protocol: "UDP" }).allowed, "named port of another protocol");
        assert.ok(evaluate(rule([{ port: 5000, endPort: 6000 }]), {}, { from: web, to: db, port: 5432 }).allowed);
        assert.ok(!evaluate(rule([{ port: 5000, endPort: 5400 }]), {}, { from: web, to: db, port: 5432 }).allowed);
        assert.ok(evaluate(rule([{ protocol: "TCP" }]), {}, { from: web, to: db, port: 1 }).allowed, "protocol without port: every port");
    });

    it("egress to a non-pod address: named ports cannot match, numbers can; host-network pods are never isolated", () => {
        const out = (port: number | string) => [
            np("shop", "o", { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ port }] }] }),
        ];
        assert.ok(evaluate(out(443), {}, { from: web, to: { ip: "142.250.1.1" }, port: 443 }).allowed);
        assert.ok(!evaluate(out("https"), {}, { from: web, to: { ip: "142.250.1.1" }, port: 443 }).allowed);
        const host = { pod: { namespace: "shop", labels: { app: "web" }, ip: "10.9.0.1", hostNetwork: true } };
        assert.ok(evaluate([denyAll("shop")], {}, { from: host, to: { ip: "1.1.1.1" }, port: 80 }).allowed);
        assert.ok(
            !evaluate(
                [np("shop", "p", { podSelector: {}, policyTypes: ["Ingress"], ingress: [{ from: [{ podSelector: {} }] }] })],
                {},
                { from: host, to: db, port: 1 },
            ).allowed,
            "a host-network source is an address, not a pod",
        );
    });

    it("rules add up across policies and namespaces do not leak", () => {
        const a = np("shop", "a", { podSelector: { matchLabels: { app: "db" } }, policyTypes: ["Ingress"], ingress: [{ ports: [{ port: 1 }] }] });
        const b = np("shop", "b", { podSelector: { matchLabels: { tier: "data" } }, policyTypes: ["Ingress"], ingress: [{ ports: [{ port: 2 }] }] });
        const elsewhere = np("other", "c", { podSelector: {}, policyTypes: ["Ingress"], ingress: [{}] });
        for (const port of [1, 2]) assert.ok(evaluate([a, b, elsewhere], {}, { from: web, to: db, port }).allowed);
        assert.ok(!evaluate([a, b, elsewhere], {}, { from: web, to: db, port: 3 }).allowed);
    });
});
