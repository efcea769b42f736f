import { z } from "zod";
import { name, Report } from "./common";

const grant = z.union(
    [
        z.strictObject({
            bucket: name.describe("Lake bucket (lake.buckets[].name)."),
            prefix: z
                .string()
                .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]*\/$/, "must be an object prefix ending in '/', such as team-x/")
                .optional()
                .describe("Object prefix the grant is limited to, ending in '/' (e.g. team-x/)."),
            access: z.enum(["read", "write", "readwrite"]),
        }),
        z.strictObject({
            dataset: z.string().describe("Dataset (warehouse.datasets[].name)."),
            access: z.enum(["read", "edit"]),
        }),
        z.strictObject({
            bigquery: z
                .enum(["jobs", "readSessions"])
                .describe("jobs: run BigQuery queries and loads; readSessions: Storage Read API (Spark connector, BI tools)."),
        }),
    ],
    { error: "must be one of { bucket, prefix?, access: read|write|readwrite }, { dataset, access: read|edit } or { bigquery: jobs|readSessions }" },
);
export type WorkloadGrantConfig = z.infer<typeof grant>;

export const workloadsSchema = z
    .array(
        z.strictObject({
            /** Workload name: names its cloud identity and, with vault, its Vault role and KV path (<kvMount>/<name>/). */
            name: name.describe("workload name: its ServiceAccount and cloud identity"),
            namespace: name.describe("Namespace it runs in; created by the platform if no layer declares it."),
            serviceAccount: name.optional().describe("Kubernetes ServiceAccount created for it (default: the workload name)."),
            grants: z.array(grant).min(1).describe("Exactly what it may do; nothing else is granted."),
            kafkaUser: name.optional().describe("Kafka user (kafka.users) whose credentials it gets in its namespace (the user must list that namespace)."),
            vault: z.boolean().default(false).describe("A Vault role that reads <kvMount>/<name>/* from this ServiceAccount only, and nothing else in Vault."),
        }),
    )
    .default([]);
export type WorkloadConfig = z.infer<typeof workloadsSchema>[number];

/** Namespaces a workload may not use: the platform's operators and system components run there. */
export function workloadRules(
    workloads: readonly WorkloadConfig[],
    ctx: {
        buckets: string[];
        datasets: string[];
        kafkaUsers: readonly { name: string; namespaces: readonly string[] }[];
        systemNamespaces: string[];
        reservedNames: string[];
        reservedAccounts: string[];
    },
    report: Report,
): void {
    const seen = new Set<string>();
    const accounts = new Set<string>();
    workloads.forEach((w, i) => {
        const at = (...p: (string | number)[]) => ["workloads", i, ...p];
        if (seen.has(w.name) || ctx.reservedNames.includes(w.name))
            report(at("name"), w.name, `must be unique and not a built-in application (${ctx.reservedNames.join(", ")})`);
        seen.add(w.name);
        if (ctx.systemNamespaces.includes(w.namespace))
            report(at("namespace"), w.namespace, `is a platform system namespace (${ctx.systemNamespaces.join(", ")}); run workloads in their own`);
        const sa = w.serviceAccount ?? w.name;
        if (ctx.reservedAccounts.includes(sa) || accounts.has(`${w.namespace}/${sa}`))
            report(at("serviceAccount"), sa, `is taken in namespace ${w.namespace} (platform accounts: ${ctx.reservedAccounts.join(", ")})`);
        accounts.add(`${w.namespace}/${sa}`);
        w.grants.forEach((g, j) => {
            if ("bucket" in g && !ctx.buckets.includes(g.bucket))
                report(at("grants", j, "bucket"), g.bucket, `is not a bucket in lake.buckets (${ctx.buckets.join(", ")})`);
            if ("dataset" in g && !ctx.datasets.includes(g.dataset))
                report(at("grants", j, "dataset"), g.dataset, `is not a dataset in warehouse.datasets (${ctx.datasets.join(", ")})`);
        });
        if (w.kafkaUser) {
            const u = ctx.kafkaUsers.find((x) => x.name === w.kafkaUser);
            if (!u) report(at("kafkaUser"), w.kafkaUser, `is not a user in kafka.users (${ctx.kafkaUsers.map((x) => x.name).join(", ")})`);
            else if (!u.namespaces.includes(w.namespace))
                report(
                    at("kafkaUser"),
                    w.kafkaUser,
                    `does not list namespace ${w.namespace} in its kafka.users namespaces (${u.namespaces.join(", ")}): its credentials would not reach the workload`,
                );
        }
    });
}
