import { z } from "zod";
import { cidr, name, posInt, quantity, Report } from "./common";
import { VAULT_ROLES } from "../k8s/accounts";

export const vaultSchema = z.strictObject({
    address: z.url({ protocol: /^https$/, error: "must be an https:// URL (Vault is reached over TLS)" }).describe("Vault address (https)"),
    namespace: z.string().optional().describe("Vault Enterprise / HCP namespace, if any."),
    kvMount: z
        .string()
        .regex(/^[a-z0-9][a-z0-9-/]*$/, "must be a mount path such as kv-staging")
        .optional()
        .describe("KV v2 mount created for this stack; default kv-dataplatform-<stack>. Must contain the stack name."),
    egressCidrs: z
        .array(cidr)
        .min(1, "must list Vault's egress range(s): its Kubernetes auth calls the cluster's API server")
        .describe(
            "Source ranges of Vault's outbound traffic. Vault's Kubernetes auth calls TokenReview on the cluster's API endpoint, which admits only listed ranges: these join network.controlPlaneAllowedCidrs on the endpoint.",
        ),
    authMount: z
        .string()
        .regex(/^[a-z0-9][a-z0-9-/]*$/, "must be a mount path such as kubernetes-staging")
        .optional()
        .describe("Kubernetes auth mount created for this cluster; default kubernetes-dataplatform-<stack>. Must contain the stack name."),
    tokenTtlSeconds: posInt.max(86400).default(900).describe("Token TTL of the per-application roles, in seconds."),
    audience: z.string().default("vault").describe("audience of the service-account tokens Vault's Kubernetes auth accepts"),
    apps: z
        .array(
            z.strictObject({
                name: name.describe("application name: its Vault role and KV path"),
                namespace: name.describe("namespace of the application"),
                serviceAccount: name.describe("ServiceAccount the Vault role is bound to"),
                deployment: name.optional().describe("Deployment restarted when its Secret changes."),
            }),
        )
        .default([])
        .describe("BI / data-science applications that get a Vault role and a synced app Secret (the platform's own apps are built in)."),
    pki: z
        .strictObject({
            enabled: z.boolean().describe("turn the PKI mount on"),
            mount: z.string().optional().describe("PKI mount; default pki-dataplatform-<stack>. Must contain the stack name."),
            maxTtlSeconds: posInt.default(2592000).describe("longest certificate TTL the mount issues, in seconds"),
            ttlSeconds: posInt.default(604800).describe("default certificate TTL, in seconds"),
            allowedDomains: z.array(z.string()).default([]).describe("domains certificates may be issued for"),
        })
        .default({ enabled: false, maxTtlSeconds: 2592000, ttlSeconds: 604800, allowedDomains: [] })
        .describe("a PKI secrets engine issuing internal TLS certificates (off by default)"),
});
export type VaultConfig = z.infer<typeof vaultSchema>;

/** The repository folder holding one runbook per alert. */
export const RUNBOOK_DIR = "docs/runbooks";

function isRunbookBase(s: string): boolean {
    if (s === RUNBOOK_DIR) return true;
    try {
        const u = new URL(s);
        return u.protocol === "https:" && !u.search && !u.hash && u.pathname.endsWith(`/${RUNBOOK_DIR}`) && s.endsWith(u.pathname);
    } catch {
        return false;
    }
}

const receiver = z.strictObject({
    name: name.describe("receiver name (Alertmanager)"),
    type: z.enum(["slack", "pagerduty"]).describe("E-mail is not offered: it needs an SMTP relay, without which Alertmanager rejects its whole config."),
    vaultKey: z.string().min(1).describe("Key in the monitoring KV path that holds the webhook URL / routing key (synced from Vault)."),
    target: z.string().optional().describe("Slack channel, or e-mail address."),
    severity: z.enum(["critical", "warning"]).default("critical").describe("alerts of this severity and above go to this receiver"),
});

export const monitoringSchema = z.strictObject({
    namespace: name.default("monitoring").describe("namespace of kube-prometheus-stack"),
    retentionDays: posInt.max(365).describe("Prometheus retention in days"),
    storageSizeGi: posInt.max(4096).describe("Prometheus volume size in GiB"),
    receivers: z.array(receiver).min(1).describe("Alertmanager receivers"),
    alerts: z
        .strictObject({
            consumerLagMessages: posInt.describe("consumer lag (messages) that fires the lag alert"),
            consumerLagMinutes: posInt.max(1440).describe("minutes the lag must last before the alert fires"),
            pvcUsagePercent: z.number().int().min(50).max(99).default(85).describe("PVC usage (%) that fires the volume alert"),
            certificateExpiryDays: posInt.default(14).describe("days before certificate expiry that the alert fires"),
            schedulerHeartbeatMinutes: posInt.default(5).describe("minutes without an Airflow scheduler heartbeat before the alert fires"),
        })
        .describe("thresholds of the platform's alert rules"),
    prometheus: z
        .strictObject({ cpu: quantity.describe("CPU request"), memory: quantity.describe("memory request and limit") })
        .default({ cpu: "500m", memory: "2Gi" })
        .describe("Prometheus server resources"),
    runbookBaseUrl: z
        .string()
        .refine(
            isRunbookBase,
            `must be ${RUNBOOK_DIR} or an https:// URL of the repository's ${RUNBOOK_DIR} folder (ending in /${RUNBOOK_DIR}, no trailing slash)`,
        )
        .default(RUNBOOK_DIR)
        .describe(
            "Where alerts' runbook_url points: `<base>/<Alert>.md`. Either the repository-relative folder `docs/runbooks` (the default) or an https URL of that folder in the repository, such as https://github.com/acme/dataplatform/blob/main/docs/runbooks.",
        ),
});
export type MonitoringConfig = z.infer<typeof monitoringSchema>;

export function servicesRules(environment: "staging" | "prod", v: VaultConfig, m: MonitoringConfig, kafkaRenewalDays: number, report: Report): void {
    if (v.pki.enabled && v.pki.ttlSeconds > v.pki.maxTtlSeconds)
        report(["vault", "pki", "ttlSeconds"], v.pki.ttlSeconds, `is larger than vault.pki.maxTtlSeconds (${v.pki.maxTtlSeconds})`);
    if (v.pki.enabled && v.pki.allowedDomains.length === 0)
        report(["vault", "pki", "allowedDomains"], [], "must list at least one domain when vault.pki.enabled");
    // The platform's own Vault roles: an app with one of these names would register a second role with the same URN.
    const builtIn: readonly string[] = Object.values(VAULT_ROLES);
    v.apps.forEach((a, i) => {
        if (builtIn.includes(a.name) || v.apps.findIndex((b) => b.name === a.name) !== i)
            report(["vault", "apps", i, "name"], a.name, "must be unique and not one of the built-in applications (" + builtIn.join(", ") + ")");
    });
    if (v.kvMount && v.kvMount === v.authMount) report(["vault", "authMount"], v.authMount, "must differ from vault.kvMount");
    if (environment === "prod" && !m.receivers.some((r) => r.severity === "critical")) {
        report(
            ["monitoring", "receivers"],
            m.receivers.map((r) => r.name),
            "must include a receiver with severity critical in prod (someone is paged)",
        );
    }
    if (m.alerts.certificateExpiryDays >= kafkaRenewalDays) {
        // Strimzi renews inside the renewal window; the alert is for a renewal that did not happen.
        report(
            ["monitoring", "alerts", "certificateExpiryDays"],
            m.alerts.certificateExpiryDays,
            `must be shorter than the Kafka CA renewal window (${kafkaRenewalDays} days), or it fires on every normal renewal`,
        );
    }
}
