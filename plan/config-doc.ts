import { z } from "zod";
import { stackSchema } from "../components/config/schema";
import { writeReadmeSection } from "./readme-section";

/** What each top-level key is for (the rows below it come from the schema itself). */
const ABOUT: Record<string, string> = {
    cloud: "which cloud the stack deploys to",
    environment: "staging or prod; prod turns on protection, HA and stricter rules",
    gcp: "GCP project, region, zones and billing account (gcp stacks)",
    aws: "AWS account, region, AZs and cluster admin roles (aws stacks)",
    labels: "team and cost-center labels put on every taggable resource",
    network: "node, pod, service and control-plane ranges; who may reach the API",
    cluster: "Kubernetes version, release channel, regional, node pools",
    kafka: "Strimzi Kafka: brokers, controllers, storage, RF/ISR, auth, CAs, topics, users",
    lake: "lake buckets and their lifecycle to cold storage",
    warehouse: "BigQuery project, location, datasets, table schema folder, quota, BI access",
    budget: "monthly budget, alert thresholds and recipients",
    spark: "Spark operator namespaces, job image, streaming consumer, daily compaction",
    autoscaling: "KEDA lag thresholds and bounds for the stream consumers",
    airflow: "Airflow executor, DAG repository, datasets and managed metadata database",
    vault: "existing Vault: address, mounts, token TTL, optional PKI",
    vaultToken: "Vault token for the provider (secret; or VAULT_TOKEN in the environment)",
    monitoring: "retention, storage, receivers, alert thresholds and where runbook links point",
    charts: "chart version overrides (exact versions; defaults in components/versions.ts)",
    gcpImpersonation: "bind GKE workloads through impersonated Google service accounts",
    awsIrsa: "use IRSA instead of EKS Pod Identity",
    cost: "cost estimate: budget-currency rate per USD, budget enforcement, price table age",
    review: "what the plan diff (`--base`) flags as destructive: the Kafka retention floor",
};

type Schema = Record<string, any>;

function typeOf(s: Schema): string {
    if (s.enum) return s.enum.length > 6 ? `one of ${s.enum.length} values (e.g. \`${s.enum[0]}\`)` : s.enum.map((v: unknown) => `\`${v}\``).join(" \\| ");
    if (s.anyOf) return s.anyOf.map(typeOf).join(" \\| ");
    if (s.const !== undefined) return `\`${s.const}\``;
    if (s.type === "array") return `list of ${typeOf(s.items ?? {})}`;
    return s.type ?? "any";
}

function bounds(s: Schema): string {
    const out: string[] = [];
    if (s.default !== undefined) out.push("default `" + JSON.stringify(s.default) + "`");
    if (s.minimum !== undefined) out.push(`≥ ${s.minimum}`);
    // Positive numbers: the lower bound a reader needs is the smallest allowed value.
    if (s.exclusiveMinimum !== undefined) out.push(s.type === "integer" ? `≥ ${s.exclusiveMinimum + 1}` : `> ${s.exclusiveMinimum}`);
    if (s.maximum !== undefined && s.maximum < Number.MAX_SAFE_INTEGER) out.push(`≤ ${s.maximum}`);
    if (s.minItems) out.push(`≥ ${s.minItems} item(s)`);
    if (s.maxItems !== undefined) out.push(`≤ ${s.maxItems} item(s)`);
    if (s.minLength) out.push(s.minLength === 1 ? "non-empty" : `≥ ${s.minLength} chars`);
    if (s.maxLength !== undefined) out.push(`≤ ${s.maxLength} chars`);
    return out.join(", ");
}

/** The config reference table (README), generated from the zod schema so it cannot drift. */
export function configReference(): string {
    const rows: string[] = [];
    const walk = (s: Schema, path: string, required: boolean) => {
        const about = (path.includes(".") || path.includes("[") ? undefined : ABOUT[path]) ?? s.description ?? "";
        const obj = s.type === "object" && s.properties ? s : s.type === "array" && s.items?.type === "object" && s.items.properties ? s.items : undefined;
        rows.push(
            `| \`${path}\` | ${obj ? (s.type === "array" ? "list of objects" : "object") : typeOf(s)} | ${required ? "yes" : ""} | ${bounds(s)} | ${about} |`,
        );
        if (obj) {
            for (const [k, v] of Object.entries<Schema>(obj.properties)) {
                walk(v, `${path}${s.type === "array" ? "[]" : ""}.${k}`, (obj.required ?? []).includes(k));
            }
        }
    };
    const root = z.toJSONSchema(stackSchema, { io: "input", unrepresentable: "any" }) as Schema;
    for (const [k, v] of Object.entries<Schema>(root.properties)) walk(v, k, (root.required ?? []).includes(k));
    return ["| key (below `dataplatform:`) | type | required | default / bounds | what for |", "|---|---|---|---|---|", ...rows].join("\n");
}

/** `npm run config-doc` rewrites the README's reference between its markers. */
if (require.main === module) writeReadmeSection("config-reference", configReference(), "config reference");
