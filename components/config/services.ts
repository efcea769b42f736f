import { z } from "zod";
import { cidr, name, posInt, quantity, Report } from "./common";
import { VAULT_ROLES } from "../k8s/accounts";

export const vaultSchema = z.strictObject({
    address: z.url({ protocol: /^https$/ , error: "must be an https:// URL (Vault is reached over TLS)" }),
    /** Vault Enterprise / HCP namespace, if any. */
    namespace: z.string().optional(),
    /** KV v2 mount created for this stack; default kv-dataplatform-<stack>. Must contain the stack name. */
    kvMount: z.string().regex(/^[a-z0-9][a-z0-9-/]*$/, "must be a mount path such as kv-staging").optional(),
    /**
     * Source ranges of Vault's outbound traffic. Vault's Kubernetes auth calls TokenReview on the cluster's API
     * endpoint, which admits only listed ranges: these join network.controlPlaneAllowedCidrs on the endpoint.
     */
    egressCidrs: z.array(cidr).min(1, "must list Vault's egress range(s): its Kubernetes auth calls the cluster's API server"),
    /** Kubernetes auth mount created for this cluster; default kubernetes-dataplatform-<stack>. Must contain the stack name. */
    authMount: z.string().regex(/^[a-z0-9][a-z0-9-/]*$/, "must be a mount path such as kubernetes-staging").optional(),
    /** Token TTL of the per-application roles, in seconds. */
    tokenTtlSeconds: posInt.max(86400).default(900),
    audience: z.string().default("vault"),
    /** BI / data-science applications that get a Vault role and a synced app Secret (the platform's own apps are built in). */
    apps: z.array(z.strictObject({
        name,
        namespace: name,
        serviceAccount: name,
        /** Deployment restarted when its Secret changes. */
        deployment: name.optional(),
    })).default([]),
    pki: z.strictObject({
        enabled: z.boolean(),
        /** PKI mount; default pki-dataplatform-<stack>. Must contain the stack name. */
        mount: z.string().optional(),
        maxTtlSeconds: posInt.default(2592000),
        ttlSeconds: posInt.default(604800),
        allowedDomains: z.array(z.string()).default([]),
    }).default({ enabled: false, maxTtlSeconds: 2592000, ttlSeconds: 604800, allowedDomains: [] }),
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
    name,
    /** E-mail is not offered: it needs an SMTP relay, without which Alertmanager rejects its whole config. */
    type: z.enum(["slack", "pagerduty"]),
    /** Key in the monitoring KV path that holds the webhook URL / routing key (synced from Vault). */
    vaultKey: z.string().min(1),
    /** Slack channel, or e-mail address. */
    target: z.string().optional(),
    severity: z.enum(["critical", "warning"]).default("critical"),
});

export const monitoringSchema = z.strictObject({
    namespace: name.default("monitoring"),
    retentionDays: posInt.max(365),
    storageSizeGi: posInt.max(4096),
    receivers: z.array(receiver).min(1),
    alerts: z.strictObject({
        consumerLagMessages: posInt,
        consumerLagMinutes: posInt.max(1440),
        pvcUsagePercent: z.number().int().min(50).max(99).default(85),
        certificateExpiryDays: posInt.default(14),
        schedulerHeartbeatMinutes: posInt.default(5),
    }),
    prometheus: z.strictObject({ cpu: quantity, memory: quantity }).default({ cpu: "500m", memory: "2Gi" }),
    /**
     * Where alerts' runbook_url points: `<base>/<Alert>.md`. Either the repository-relative folder `docs/runbooks`
     * (the default) or an https URL of that folder in the repository, such as https://github.com/acme/dataplatform/blob/main/docs/runbooks.
     */
    runbookBaseUrl: z.string().refine(isRunbookBase, `must be ${RUNBOOK_DIR} or an https:// URL of the repository's ${RUNBOOK_DIR} folder (ending in /${RUNBOOK_DIR}, no trailing slash)`).default(RUNBOOK_DIR),
});
export type MonitoringConfig = z.infer<typeof monitoringSchema>;

export function servicesRules(environment: "staging" | "prod", v: VaultConfig, m: MonitoringConfig, kafkaRenewalDays: number, report: Report): void {
    if (v.pki.enabled && v.pki.ttlSeconds > v.pki.maxTtlSeconds) report(["vault", "pki", "ttlSeconds"], v.pki.ttlSeconds, `is larger than vault.pki.maxTtlSeconds (${v.pki.maxTtlSeconds})`);
    if (v.pki.enabled && v.pki.allowedDomains.length === 0) report(["vault", "pki", "allowedDomains"], [], "must list at least one domain when vault.pki.enabled");
    // The platform's own Vault roles: an app with one of these names would register a second role with the same URN.
    const builtIn: readonly string[] = Object.values(VAULT_ROLES);
    v.apps.forEach((a, i) => {
        if (builtIn.includes(a.name) || v.apps.findIndex((b) => b.name === a.name) !== i) report(["vault", "apps", i, "name"], a.name, "must be unique and not one of the built-in applications (" + builtIn.join(", ") + ")");
    });
    if (v.kvMount && v.kvMount === v.authMount) report(["vault", "authMount"], v.authMount, "must differ from vault.kvMount");
    if (environment === "prod" && !m.receivers.some((r) => r.severity === "critical")) {
        report(["monitoring", "receivers"], m.receivers.map((r) => r.name), "must include a receiver with severity critical in prod (someone is paged)");
    }
    if (m.alerts.certificateExpiryDays >= kafkaRenewalDays) {
        // Strimzi renews inside the renewal window; the alert is for a renewal that did not happen.
        report(["monitoring", "alerts", "certificateExpiryDays"], m.alerts.certificateExpiryDays, `must be shorter than the Kafka CA renewal window (${kafkaRenewalDays} days), or it fires on every normal renewal`);
    }
}
