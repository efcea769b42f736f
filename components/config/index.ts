import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { CHARTS, ChartKey } from "../versions";
import { evaluationDay, judgeVersions, parseDay, PinnedVersion, pinnedInVersionsTs, SupportFinding } from "../support-windows";
import { AwsStack, GcpStack, PlatformConfig, stackSchema } from "./schema";
import { stackNameProblems, stackRules } from "./stack";
import { vaultMounts } from "../naming";

export { AwsConfig, AwsStack, GcpStack, PlatformConfig, StackBase } from "./schema";
export const NAMESPACE = "dataplatform";
/** What the offline plan puts in place of a `secure:` value it cannot decrypt. */
export const PLACEHOLDER = "offline-placeholder-secret";
/** Namespaces of provider config that may sit beside ours in a stack file. */
const OTHER_NAMESPACES = new Set(["pulumi", "gcp", "aws", "kubernetes", "vault", "random"]);
/** Leaf keys that hold credentials: their top-level key must be a secret. */
const SECRET_KEY = /(password|passwd|token|secret|apikey|api_key|webhookurl|privatekey)$/i;

/** All config problems of a stack, reported at once. */
export class ConfigError extends pulumi.RunError {
    constructor(readonly problems: readonly string[]) {
        super(`invalid stack config (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` + problems.map((p) => `  - ${p}`).join("\n"));
        this.name = "ConfigError";
    }
}

export interface ParseOptions {
    stack: string;
    /** Top-level keys (without namespace) whose values were set with `secure:`. */
    secretKeys?: readonly string[];
    /** True when secure values are placeholders (offline plan). */
    offline?: boolean;
    /** Problems already found outside the namespace, reported with the rest. */
    problems?: readonly string[];
    /** Day (YYYY-MM-DD) versions are judged against; default: the evaluation day (today unless the plan sets one). */
    asOf?: string;
}

function show(v: unknown): string {
    if (v === undefined) return "(missing)";
    const s = JSON.stringify(v);
    return s.length > 80 ? s.slice(0, 77) + "..." : s;
}

function keyOf(path: readonly PropertyKey[]): string {
    return `${NAMESPACE}:` + path.map((p, i) => (typeof p === "number" ? `[${p}]` : (i ? "." : "") + String(p))).join("");
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
    return path.reduce<unknown>((v, k) => (v !== null && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[k] : undefined), raw);
}

/** The object schema at a path, to name the allowed keys when one is unknown. */
function allowedKeysAt(path: readonly PropertyKey[]): string[] {
    let s: z.core.$ZodType | undefined = stackSchema;
    for (const k of [...path, null]) {
        while (s) {
            const def: any = s._zod.def;
            if (def.type === "optional" || def.type === "default" || def.type === "nullable" || def.type === "prefault") s = def.innerType;
            else if (def.type === "pipe") s = def.in;
            else break;
        }
        if (!s) return [];
        const def: any = s._zod.def;
        if (k === null) return def.type === "object" ? Object.keys(def.shape) : [];
        if (def.type === "object") s = def.shape[k as string];
        else if (def.type === "array") s = def.element;
        else return [];
    }
    return [];
}

function describe(issue: z.core.$ZodIssue, raw: unknown): string[] {
    const value = "input" in issue && issue.input !== undefined ? issue.input : valueAt(raw, issue.path);
    const key = keyOf(issue.path);
    switch (issue.code) {
        case "invalid_type":
            return value === undefined ? [`${key}: (missing) is required; expected ${issue.expected}`] : [`${key}: ${show(value)} is not a ${issue.expected}`];
        case "unrecognized_keys": {
            const allowed = allowedKeysAt(issue.path);
            return issue.keys.map((k) => `${keyOf([...issue.path, k])}: unknown key; allowed keys: ${allowed.join(", ")}`);
        }
        case "invalid_value":
            return [
                `${key}: ${show(value)} is ${value === undefined ? "required" : "not allowed"}; expected one of ${issue.values.map((v) => show(v)).join(", ")}`,
            ];
        case "too_small":
            return [
                `${key}: ${show(value)} is too small; ${issue.origin === "array" ? "at least " + issue.minimum + " item(s)" : (issue.inclusive ? "≥ " : "> ") + issue.minimum} required`,
            ];
        case "too_big":
            return [
                `${key}: ${show(value)} is too large; ${issue.origin === "array" ? "at most " + issue.maximum + " item(s)" : (issue.inclusive ? "≤ " : "< ") + issue.maximum} allowed`,
            ];
        case "invalid_union":
            return [`${key}: ${show(value)} is not allowed; ${issue.message}`];
        default:
            return [`${key}: ${show(value)} ${issue.message}`];
    }
}

/**
 * Shapes of credentials, whatever the key is called. Prefixes as their issuers document them: GitHub token
 * formats (github.blog/2021-04-05-behind-githubs-new-authentication-token-formats), Slack tokens and webhooks
 * (api.slack.com/authentication/token-types), Vault service/batch/recovery tokens (developer.hashicorp.com/vault/docs/concepts/tokens),
 * AWS access key ids (docs.aws.amazon.com/IAM/latest/UserGuide/security-creds-programmatic-access.html), Google API keys.
 */
const SECRET_SHAPES: readonly [string, RegExp][] = [
    ["URL with credentials in its user info", /\b[a-z][a-z0-9+.-]*:\/\/[^/\s@:]*:[^/\s@]*@|\bhttps?:\/\/[^/\s@]+@/i],
    ["Slack webhook URL", /hooks\.slack\.com\/(services|workflows)\//i],
    ["Slack token", /\bxox[abposre]-[0-9A-Za-z-]{10,}/],
    ["GitHub token", /\b(gh[pousr]_[0-9A-Za-z]{20,}|github_pat_[0-9A-Za-z_]{20,})/],
    ["Vault token", /\bhv[sbr]\.[0-9A-Za-z_-]{20,}/],
    ["AWS access key id", /\b(AKIA|ASIA)[0-9A-Z]{16}\b/],
    ["Google API key", /\bAIza[0-9A-Za-z_-]{35}/],
    ["PEM private key", /-----BEGIN ([A-Z]+ )*PRIVATE KEY-----/],
    ["JSON Web Token", /\beyJ[0-9A-Za-z_-]{5,}\.eyJ[0-9A-Za-z_-]{5,}\.[0-9A-Za-z_-]{10,}/],
];

/** Credentials must come from `secure:` values or Vault, never plain text in a stack file (checked by key name and by value). */
function plaintextSecrets(raw: Record<string, unknown>, secretKeys: readonly string[]): string[] {
    const out: string[] = [];
    const secure = (path: (string | number)[]) =>
        `set it with \`pulumi config set --secret ${NAMESPACE}:${String(path[0])}\` or keep it in Vault (the receivers' vaultKey, an SSH deploy key for airflow.dags.repo; see components/config/)`;
    const walk = (v: unknown, path: (string | number)[]) => {
        if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
        else if (v !== null && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
        else if (typeof v === "string" && !secretKeys.includes(String(path[0]))) {
            // The value itself is never echoed.
            const shape = SECRET_SHAPES.find(([, re]) => re.test(v));
            if (SECRET_KEY.test(String(path[path.length - 1]))) out.push(`${keyOf(path)}: a plaintext value is not allowed for a credential; ${secure(path)}`);
            else if (shape) out.push(`${keyOf(path)}: looks like a ${shape[0]} in clear text, which is not allowed; ${secure(path)}`);
        }
    };
    walk(raw, []);
    return out;
}

/** Validates raw stack config (keys without namespace) into the frozen PlatformConfig, or throws ConfigError with every problem. */
export function parseStackConfig(raw: Record<string, unknown>, opts: ParseOptions): PlatformConfig {
    const secretKeys = opts.secretKeys ?? [];
    const problems = [...(opts.problems ?? []), ...stackNameProblems(opts.stack), ...plaintextSecrets(raw, secretKeys)];
    const res = stackSchema.safeParse(raw, { reportInput: true });
    if (!res.success) problems.push(...res.error.issues.flatMap((i) => describe(i, raw)));
    else stackRules(res.data, opts.stack, (path, value, message) => problems.push(`${keyOf(path)}: ${show(value)} ${message}`));
    problems.push(
        ...versionSupport(raw, opts.asOf ?? evaluationDay())
            .filter((f) => f.level === "error")
            .map((f) => f.message),
    );
    if (problems.length > 0 || !res.success) throw new ConfigError([...new Set(problems)]);
    const cfg = res.data;
    const mounts = vaultMounts(opts.stack);
    const vault = {
        ...cfg.vault,
        kvMount: cfg.vault.kvMount ?? mounts.kvMount,
        authMount: cfg.vault.authMount ?? mounts.authMount,
        pki: { ...cfg.vault.pki, mount: cfg.vault.pki.mount ?? mounts.pkiMount },
    };
    const charts = Object.fromEntries((Object.keys(CHARTS) as ChartKey[]).map((k) => [k, cfg.charts[k] ?? CHARTS[k].version])) as Record<ChartKey, string>;
    const { gcp, aws, cloud, ...rest } = cfg;
    const common = { ...rest, vault, charts, stack: opts.stack, secretKeys: [...secretKeys], offline: !!opts.offline };
    // The rules above report a missing cloud block, warehouse project/region or warehouse budget, so these hold here.
    const { podsCidr, servicesCidr, controlPlaneCidr } = rest.network;
    if (cloud === "gcp" && gcp && podsCidr && servicesCidr && controlPlaneCidr) {
        const stack: GcpStack = {
            ...common,
            cloud,
            gcp,
            network: { ...rest.network, podsCidr, servicesCidr, controlPlaneCidr },
            warehouseProject: rest.warehouse.project ?? gcp.project,
            warehouseRegion: rest.warehouse.region ?? gcp.region,
        };
        return deepFreeze(stack);
    }
    const { project, region } = rest.warehouse;
    const warehouseBudget = rest.budget.warehouse;
    if (cloud === "aws" && aws && project && region && warehouseBudget) {
        const stack: AwsStack = {
            ...common,
            cloud,
            aws,
            warehouseProject: project,
            warehouseRegion: region,
            budget: { ...rest.budget, warehouse: warehouseBudget },
        };
        return deepFreeze(stack);
    }
    throw new ConfigError([`${NAMESPACE}:cloud: ${show(cloud)} stack lacks its ${cloud} block, network ranges or warehouse settings`]);
}

/** The versions a stack deploys: its Kubernetes minor and Kafka version, chart versions (overrides or versions.ts), pinned images. */
function versionPins(raw: Record<string, unknown>): PinnedVersion[] {
    const r = raw as { cloud?: unknown; cluster?: { version?: unknown }; kafka?: { version?: unknown }; charts?: Record<string, unknown> };
    const pins: PinnedVersion[] = [];
    if ((r.cloud === "gcp" || r.cloud === "aws") && typeof r.cluster?.version === "string") {
        pins.push({ subject: r.cloud === "gcp" ? "gke" : "eks", key: `${NAMESPACE}:cluster.version`, version: r.cluster.version });
    }
    if (typeof r.kafka?.version === "string") pins.push({ subject: "kafka", key: `${NAMESPACE}:kafka.version`, version: r.kafka.version });
    const charts = Object.fromEntries(
        (Object.keys(CHARTS) as ChartKey[]).map((k) => {
            const v = r.charts?.[k];
            return [k, typeof v === "string" ? v : CHARTS[k].version];
        }),
    ) as Record<ChartKey, string>;
    return [...pins, ...pinnedInVersionsTs(charts)];
}

/** Support-window findings for a stack's versions on a day (YYYY-MM-DD): errors past the end, warnings close to it. */
export function versionSupport(raw: Record<string, unknown>, day: string): SupportFinding[] {
    parseDay(day);
    return judgeVersions(versionPins(raw), day);
}

/** Splits `namespace:key` config (values as Pulumi stores them: JSON for objects) into our raw object. */
export function fromConfigMap(
    all: Record<string, string>,
    secretFullKeys: readonly string[],
): { raw: Record<string, unknown>; secretKeys: string[]; problems: string[] } {
    const raw: Record<string, unknown> = {};
    const problems: string[] = [];
    for (const [full, value] of Object.entries(all)) {
        const i = full.indexOf(":");
        if (i < 0) {
            problems.push(`${full}: a config key needs its namespace; write ${NAMESPACE}:${full}`);
            continue;
        }
        const ns = full.slice(0, i);
        const key = full.slice(i + 1);
        if (ns === NAMESPACE) raw[key] = parseValue(value);
        else if (!OTHER_NAMESPACES.has(ns)) problems.push(`${full}: unknown config namespace "${ns}"; use ${NAMESPACE}:<key>`);
    }
    const secretKeys = secretFullKeys.filter((k) => k.startsWith(`${NAMESPACE}:`)).map((k) => k.slice(NAMESPACE.length + 1));
    return { raw, secretKeys, problems };
}

function parseValue(v: string): unknown {
    const t = v.trim();
    if (t.startsWith("{") || t.startsWith("[")) {
        try {
            return JSON.parse(t);
        } catch {
            return v;
        }
    }
    if (t === "true" || t === "false") return t === "true";
    if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
    return v;
}

function deepFreeze<T>(o: T): T {
    if (o && typeof o === "object" && !Object.isFrozen(o)) {
        Object.freeze(o);
        for (const v of Object.values(o)) deepFreeze(v);
    }
    return o;
}

// Internal to the SDK but stable: which config keys the engine passed as secrets.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { isConfigSecret } = require("@pulumi/pulumi/runtime/config") as { isConfigSecret(k: string): boolean };

/** Reads and validates the current stack's config from the Pulumi runtime (the program's entry point). */
export function loadStackConfig(): PlatformConfig {
    const all = pulumi.runtime.allConfig();
    const { raw, secretKeys, problems } = fromConfigMap(all, Object.keys(all).filter(isConfigSecret));
    const offline = secretKeys.some((k) => all[`${NAMESPACE}:${k}`] === PLACEHOLDER);
    return parseStackConfig(raw, { stack: pulumi.getStack(), secretKeys, offline, problems });
}
