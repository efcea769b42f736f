import { z } from "zod";
import { cidr, cidrContains, cidrRange, cidrsOverlap, Report } from "./common";

export const networkSchema = z.strictObject({
    nodeCidr: cidr.describe("GCP: the subnet's primary range (nodes); AWS: the VPC range, split into /20 private and /24 public subnets."),
    podsCidr: cidr.optional().describe("GCP only: secondary ranges for pods and services."),
    servicesCidr: cidr.optional().describe("Kubernetes service range (GKE secondary range); EKS picks its own when unset"),
    controlPlaneCidr: cidr.optional().describe("GCP only: the /28 peered range of the private control plane."),
    controlPlaneAllowedCidrs: z.array(cidr).default([]).describe("Who may reach the Kubernetes API (CI runners, VPN). Empty: private endpoint only."),
    uiAllowedCidrs: z
        .strictObject({
            airflow: z.array(cidr).default([]).describe("CIDRs allowed to the Airflow web UI"),
            grafana: z.array(cidr).default([]).describe("CIDRs allowed to Grafana"),
        })
        .optional()
        .describe(
            "Who may open the UIs directly (an internal load balancer or ingress in front). Empty: only through `kubectl port-forward`, which enters the pod from the node and is not subject to NetworkPolicy.",
        ),
});
export type NetworkConfig = z.infer<typeof networkSchema>;

/** Every range the Kubernetes API endpoint admits: CI/VPN ranges and Vault's egress (TokenReview calls). */
export function apiAllowedCidrs(cfg: { network: Pick<NetworkConfig, "controlPlaneAllowedCidrs">; vault?: { egressCidrs: readonly string[] } }): string[] {
    return [...new Set([...cfg.network.controlPlaneAllowedCidrs, ...(cfg.vault?.egressCidrs ?? [])])];
}

/** Vault's egress ranges reach the API endpoint: never the whole internet, never the cluster's own network. */
export function vaultEgressRules(n: NetworkConfig, egressCidrs: readonly string[], report: Report): void {
    egressCidrs.forEach((c, i) => {
        const [s, e] = cidrRange(c);
        if (s === 0 && e === 2 ** 32 - 1)
            report(["vault", "egressCidrs", i], c, "opens the Kubernetes API to the internet; list Vault's egress (NAT) addresses instead");
        if (cidrContains(n.nodeCidr, c)) report(["vault", "egressCidrs", i], c, "is inside the cluster network, which reaches the API privately already");
    });
}

export function networkRules(cloud: "gcp" | "aws", n: NetworkConfig, report: Report): void {
    const bits = (c: string) => Number(c.split("/")[1]);
    if (cloud === "gcp") {
        for (const k of ["podsCidr", "servicesCidr", "controlPlaneCidr"] as const) {
            if (!n[k]) report(["network", k], undefined, "is required when cloud is gcp");
        }
        if (n.controlPlaneCidr && bits(n.controlPlaneCidr) !== 28) {
            report(["network", "controlPlaneCidr"], n.controlPlaneCidr, "must be a /28 (GKE private control plane range)");
        }
        const ranges = (["nodeCidr", "podsCidr", "servicesCidr", "controlPlaneCidr"] as const).filter((k) => n[k]);
        for (let i = 0; i < ranges.length; i++) {
            for (let j = i + 1; j < ranges.length; j++) {
                if (cidrsOverlap(n[ranges[i]]!, n[ranges[j]]!)) {
                    report(["network", ranges[j]], n[ranges[j]], `overlaps network.${ranges[i]} (${n[ranges[i]]})`);
                }
            }
        }
        if (n.podsCidr && bits(n.podsCidr) > 21) report(["network", "podsCidr"], n.podsCidr, "is too small for pods: use /21 or larger");
    } else {
        for (const k of ["podsCidr", "servicesCidr", "controlPlaneCidr"] as const) {
            if (n[k]) report(["network", k], n[k], "is GCP-only; remove it on an aws stack (the VPC CNI uses nodeCidr)");
        }
        if (bits(n.nodeCidr) > 16) report(["network", "nodeCidr"], n.nodeCidr, "must be /16 or larger on aws (3 private /20 and 3 public /24 subnets)");
    }
    n.controlPlaneAllowedCidrs.forEach((c, i) => {
        const [s, e] = cidrRange(c);
        if (s === 0 && e === 2 ** 32 - 1)
            report(["network", "controlPlaneAllowedCidrs", i], c, "opens the Kubernetes API to the internet; list the CI/VPN ranges instead");
        if (cidrContains(n.nodeCidr, c))
            report(["network", "controlPlaneAllowedCidrs", i], c, "is inside the cluster network, which reaches the API privately already");
    });
    for (const ui of ["airflow", "grafana"] as const) {
        (n.uiAllowedCidrs?.[ui] ?? []).forEach((c, i) => {
            const [s, e] = cidrRange(c);
            if (s === 0 && e === 2 ** 32 - 1)
                report(["network", "uiAllowedCidrs", ui, i], c, `opens the ${ui} UI to the internet; list the VPN/office ranges instead`);
        });
    }
}
