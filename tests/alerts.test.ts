import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { ROOT } from "../plan/run";
import type { PlatformConfig } from "../components/config";
import { RUNBOOK_DIR } from "../components/config/services";
import { alertGroups, AlertRule, RuleGroup } from "../components/monitoring/rules";
import { chatReceiver, NULL_RECEIVER, SECRETS_DIR } from "../components/monitoring/stack";
import { inputsOf, ofType, shippedPlan, STACKS } from "./support/plans";
import { configProblems, stackConfig } from "./support/config";
import { alertCases, promtoolTests, renderAnnotation } from "./support/alert-cases";
import { runTool } from "./support/tools";
import { parsePromql } from "./support/promql";
import { EXPORTERS, METRICS } from "../components/monitoring/exporters";
import { metricsConfigYaml } from "../components/kafka/cluster-specs";

// Chart defaults are read from the shared checkout (88.5.3 here; the program pins a newer chart, whose
// alertmanager.config defaults must be re-checked on upgrade).
const CHART_VALUES = path.resolve(ROOT, "..", "shared", "charts", "kube-prometheus-stack", "values.yaml");

interface Emitted {
    cfg: PlatformConfig;
    groups: RuleGroup[];
    alertmanager: Record<string, any>;
}

/** What a shipped stack's plan emits: the PrometheusRule's groups and the Alertmanager config passed to the chart. */
async function emitted(stack: string): Promise<Emitted> {
    const plan = await shippedPlan(stack);
    const prs = ofType(plan, "kubernetes:monitoring.coreos.com/v1:PrometheusRule").map(inputsOf);
    assert.ok(prs.length >= 1, "a PrometheusRule");
    const [kps] = ofType(plan, "kubernetes:helm.sh/v3:Release")
        .map(inputsOf)
        .filter((r) => r.chart === "kube-prometheus-stack");
    return { cfg: plan.config, groups: prs.flatMap((p) => p.spec.groups), alertmanager: kps.values.alertmanager.config };
}

const created: string[] = [];
after(() => {
    for (const d of created) fs.rmSync(d, { recursive: true, force: true });
});

function tmpDir(prefix: string): string {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    created.push(d);
    return d;
}

/** Helm's value merge: maps merge key by key, anything else (lists included) replaces the chart's value, null deletes. */
function helmMerge(chart: unknown, values: unknown): unknown {
    const isMap = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);
    if (!isMap(chart) || !isMap(values)) return values === undefined ? chart : values;
    const out: Record<string, unknown> = { ...chart };
    for (const [k, v] of Object.entries(values)) {
        if (v === null) delete out[k];
        else out[k] = helmMerge(chart[k], v);
    }
    return out;
}

function chartAlertmanagerConfig(): Record<string, any> {
    assert.ok(fs.existsSync(CHART_VALUES), `kube-prometheus-stack chart defaults not found at ${CHART_VALUES}: check out shared/ beside the repository`);
    return YAML.parse(fs.readFileSync(CHART_VALUES, "utf8")).alertmanager.config;
}

/**
 * The Alertmanager config as deployed (the chart's defaults merged with the program's), written with its receivers'
 * secret files moved to a directory holding test values, as Alertmanager finds them mounted from the synced Secret.
 */
function deployedAlertmanager(am: Record<string, any>): { file: string; config: Record<string, any> } {
    const dir = tmpDir("alertmanager-");
    const merged = helmMerge(chartAlertmanagerConfig(), am) as Record<string, any>;
    const text = JSON.stringify(merged).split(`${SECRETS_DIR}/`).join(`${dir}/secrets/`);
    const config = JSON.parse(text);
    for (const r of config.receivers) {
        for (const c of [...(r.slack_configs ?? []), ...(r.pagerduty_configs ?? [])]) {
            const file = c.api_url_file ?? c.routing_key_file;
            assert.ok(file?.startsWith(`${dir}/secrets/`), `${r.name}: secret read from a mounted file (${file})`);
            fs.mkdirSync(path.dirname(file), { recursive: true });
            fs.writeFileSync(file, c.api_url_file ? "https://hooks.slack.com/services/T000/B000/test\n" : "0123456789abcdef0123456789abcdef\n");
        }
    }
    const file = path.join(dir, "alertmanager.yaml");
    fs.writeFileSync(file, YAML.stringify(config));
    return { file, config };
}

/** The receivers amtool resolves for an alert with the given labels. */
function routesTo(file: string, labels: Record<string, string>): string[] {
    const r = runTool("amtool", ["config", "routes", "test", `--config.file=${file}`, ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)]);
    assert.equal(r.status, 0, r.output);
    const line = r.output.split("\n").find((l) => l.trim() && !l.startsWith("Warning:"));
    assert.ok(line, r.output);
    return line.split(",").map((s) => s.trim());
}

describe("alerts: promtool", () => {
    for (const stack of STACKS) {
        it(`${stack}: promtool check rules accepts every rule group the plan emits`, async () => {
            const { groups } = await emitted(stack);
            const dir = tmpDir("rules-");
            const file = path.join(dir, "rules.yaml");
            fs.writeFileSync(file, YAML.stringify({ groups }));
            const r = runTool("promtool", ["check", "rules", file]);
            assert.equal(r.status, 0, r.output);
            assert.match(r.output, new RegExp(`SUCCESS: ${groups.flatMap((g) => g.rules).length} rules found`), r.output);
        });

        it(`${stack}: promtool test rules, one firing and one healthy scenario per alert at the stack's thresholds`, async () => {
            const { cfg, groups } = await emitted(stack);
            const rules = groups.flatMap((g) => g.rules);
            const cases = alertCases(cfg);
            assert.deepEqual(Object.keys(cases).sort(), rules.map((r) => r.alert).sort(), "scenarios for exactly the alerts the program defines");
            const tests: Record<string, unknown>[] = [];
            for (const rule of rules) {
                const c = cases[rule.alert];
                assert.ok(c.firing.length >= 1 && c.firing.every((s) => s.at.some((t) => t.alerts.length > 0)), `${rule.alert}: a firing scenario`);
                assert.ok(c.healthy.length >= 1 && c.healthy.every((s) => s.at.every((t) => t.alerts.length === 0)), `${rule.alert}: a healthy scenario`);
                for (const s of [...c.firing, ...c.healthy]) tests.push(promtoolTests(rule, s));
            }
            const dir = tmpDir("rules-test-");
            fs.writeFileSync(path.join(dir, "rules.yaml"), YAML.stringify({ groups }));
            fs.writeFileSync(path.join(dir, "tests.yaml"), YAML.stringify({ rule_files: ["rules.yaml"], evaluation_interval: "1m", tests }));
            const r = runTool("promtool", ["test", "rules", "tests.yaml"], dir);
            assert.equal(r.status, 0, r.output);
            assert.match(r.output, /SUCCESS/);
        });
    }

    it("the rendered annotations name only labels the alert has", () => {
        assert.equal(
            renderAnnotation("{{ $labels.type }} of {{ $labels.cluster }}: {{ $value | humanize }}%", { type: "cluster-ca", cluster: "c" }, 85),
            "cluster-ca of c: 85%",
        );
        assert.throws(() => renderAnnotation("{{ $labels.resource }}", { cluster: "c" }, 1), /does not have/);
    });

    it("a missing tool fails the test with the package to install", () => {
        const saved = process.env.PATH;
        process.env.PATH = tmpDir("empty-path-");
        try {
            assert.throws(() => runTool("promtool", ["--version"]), /install the Debian package prometheus/);
            assert.throws(() => runTool("amtool", ["--version"]), /install the Debian package prometheus-alertmanager/);
        } finally {
            process.env.PATH = saved;
        }
    });
});

describe("alerts: Alertmanager (amtool)", () => {
    for (const stack of STACKS) {
        it(`${stack}: amtool check-config accepts the deployed config (chart defaults merged, receivers' secret files mounted)`, async () => {
            const { alertmanager } = await emitted(stack);
            const r = runTool("amtool", ["check-config", deployedAlertmanager(alertmanager).file]);
            assert.equal(r.status, 0, r.output);
            assert.match(r.output, /SUCCESS/);
        });

        it(`${stack}: amtool routes: critical to the critical receivers, warning to chat; info, InfoInhibitor, Watchdog and no severity page no one`, async () => {
            const { cfg, alertmanager } = await emitted(stack);
            const { file } = deployedAlertmanager(alertmanager);
            const receivers = cfg.monitoring.receivers;
            const pagers = receivers.filter((x) => x.type === "pagerduty").map((x) => x.name);
            const critical = receivers.filter((x) => x.severity === "critical").map((x) => x.name);
            const warning = receivers.filter((x) => x.severity === "warning").map((x) => x.name);
            const chat = chatReceiver(cfg);
            assert.ok(!pagers.includes(chat));
            if (stack.endsWith("prod")) assert.ok(pagers.length > 0 && critical.every((x) => pagers.includes(x)), "prod pages on critical");
            const base = { alertname: "SomeAlert", namespace: cfg.kafka.namespace };
            assert.deepEqual(routesTo(file, { ...base, severity: "critical" }).sort(), critical.sort(), "critical goes to the configured critical receivers");
            assert.deepEqual(routesTo(file, { ...base, severity: "warning" }).sort(), (warning.length ? warning : [chat]).sort(), "warning goes to chat");
            for (const labels of [
                { ...base, severity: "info" },
                { ...base, alertname: "InfoInhibitor", severity: "none" },
                { ...base, alertname: "Watchdog", severity: "none" },
                base,
                { ...base, severity: "page-me" },
            ]) {
                const to = routesTo(file, labels);
                assert.ok(!to.some((x) => pagers.includes(x)), `${JSON.stringify(labels)} pages ${to.join(", ")}`);
                if (["Watchdog", "InfoInhibitor"].includes(labels.alertname)) assert.deepEqual(to, [NULL_RECEIVER], `${labels.alertname} is for no one`);
            }
        });

        it(`${stack}: the chart's default inhibit rules are kept`, async () => {
            const { alertmanager } = await emitted(stack);
            const { config } = deployedAlertmanager(alertmanager);
            const chart = chartAlertmanagerConfig().inhibit_rules;
            assert.ok(
                chart.some((i: any) => i.source_matchers?.includes("alertname = InfoInhibitor")),
                "chart defaults read",
            );
            assert.deepEqual(config.inhibit_rules, chart);
        });
    }
});

describe("alerts: runbooks", () => {
    const docs = path.join(ROOT, RUNBOOK_DIR);

    for (const stack of STACKS) {
        it(`${stack}: every alert's runbook_url resolves to its runbook in the repository`, async () => {
            const { cfg, groups } = await emitted(stack);
            for (const r of groups.flatMap((g): AlertRule[] => g.rules)) {
                const url = r.annotations.runbook_url;
                assert.equal(url, `${cfg.monitoring.runbookBaseUrl}/${r.alert}.md`);
                const rel = url.slice(url.lastIndexOf(RUNBOOK_DIR));
                assert.ok(fs.existsSync(path.join(ROOT, rel)), `${r.alert}: ${rel} exists`);
            }
        });
    }

    it("one runbook per alert, each saying what it means, what to check (with commands) and how to resolve", () => {
        const alerts = alertGroups(stackConfig("prod"))
            .flatMap((g) => g.rules)
            .map((r) => r.alert)
            .sort();
        const files = fs
            .readdirSync(docs)
            .filter((f) => f.endsWith(".md"))
            .map((f) => f.replace(/\.md$/, ""))
            .sort();
        assert.deepEqual(files, alerts, "no runbook missing, none for an alert that does not exist");
        for (const a of alerts) {
            const text = fs.readFileSync(path.join(docs, `${a}.md`), "utf8");
            assert.match(text, new RegExp(`^# ${a}\\n`), a);
            for (const h of ["## Meaning", "## First checks", "## Resolve"]) assert.ok(text.includes(`\n${h}\n`), `${a}: ${h}`);
            assert.match(text, /```(sh|bash)\n(kubectl|promtool|amtool|curl|gcloud|aws) /, `${a}: a command to run`);
        }
    });

    it("a configured base URL is used for every alert; a base that is not the repository's runbook folder is rejected", () => {
        const base = "https://github.com/acme/dataplatform/blob/main/docs/runbooks";
        const cfg = stackConfig("prod", (raw) => {
            raw.monitoring.runbookBaseUrl = base;
        });
        for (const r of alertGroups(cfg).flatMap((g) => g.rules)) assert.equal(r.annotations.runbook_url, `${base}/${r.alert}.md`);
        for (const bad of [
            "http://github.com/acme/dataplatform/blob/main/docs/runbooks",
            `${base}/`,
            "https://runbooks.acme.example/dataplatform",
            "../docs/runbooks",
        ]) {
            const p = configProblems("prod", (raw) => {
                raw.monitoring.runbookBaseUrl = bad;
            });
            assert.ok(
                p.some((x) => x.startsWith("dataplatform:monitoring.runbookBaseUrl:") && x.includes("docs/runbooks")),
                p.join("\n"),
            );
        }
    });
});

describe("alerts and dashboards: queries and the metrics they use", () => {
    for (const stack of STACKS) {
        it(`${stack}: every dashboard query and alert expression parses and selects only metrics a deployed exporter exposes`, async () => {
            const plan = await shippedPlan(stack);
            const { groups } = await emitted(stack);
            const boards = ofType(plan, "kubernetes:core/v1:ConfigMap")
                .map(inputsOf)
                .filter((c) => c.metadata.labels?.grafana_dashboard === "1");
            assert.ok(boards.length > 0);
            const queries: [string, string][] = groups.flatMap((g) => g.rules).map((r): [string, string] => [r.alert, r.expr]);
            for (const b of boards) {
                for (const json of Object.values(b.data) as string[]) {
                    const dash = JSON.parse(json);
                    for (const p of dash.panels) for (const t of p.targets) queries.push([`${dash.uid}/${p.title}`, t.expr]);
                }
            }
            const used = new Set<string>();
            for (const [where, expr] of queries) {
                const { problems, metrics } = parsePromql(expr);
                assert.deepEqual(problems, [], `${where}: ${expr}`);
                for (const m of metrics) {
                    assert.ok(METRICS[m], `${where}: ${m} is in no exporter's table (components/monitoring/exporters.ts)`);
                    used.add(m);
                }
            }
            assert.deepEqual(
                Object.keys(METRICS).filter((m) => !used.has(m)),
                [],
                "table entries no query uses",
            );

            // Each exporter in use is deployed and scraped.
            const monitors = new Set(
                [...ofType(plan, "kubernetes:monitoring.coreos.com/v1:PodMonitor"), ...ofType(plan, "kubernetes:monitoring.coreos.com/v1:ServiceMonitor")].map(
                    (r) => inputsOf(r).metadata.name,
                ),
            );
            const [kps] = ofType(plan, "kubernetes:helm.sh/v3:Release")
                .map(inputsOf)
                .filter((r) => r.chart === "kube-prometheus-stack");
            const chart = YAML.parse(fs.readFileSync(CHART_VALUES, "utf8"));
            for (const e of new Set([...used].map((m) => METRICS[m].exporter))) {
                const how = EXPORTERS[e];
                if ("scrapeTarget" in how) assert.ok(monitors.has(how.scrapeTarget), `${e}: scraped by ${how.scrapeTarget}`);
                else
                    assert.equal(
                        kps.values[how.chartComponent]?.enabled ?? chart[how.chartComponent].enabled,
                        true,
                        `${e}: chart component ${how.chartComponent} enabled`,
                    );
            }
        });
    }

    it("the Kafka metrics are the names the brokers' JMX exporter rules give their MBeans", () => {
        const config = YAML.parse(metricsConfigYaml()) as { lowercaseOutputName: boolean; rules: { pattern: string; name: string }[] };
        // The JMX exporter matches each rule as ^.*(?:pattern).*$ against "<mbean attribute>: <value>", first match wins.
        const nameOf = (mbean: string) => {
            for (const r of config.rules) {
                const m = new RegExp(`^.*(?:${r.pattern}).*$`).exec(`${mbean}: 1`);
                if (m) {
                    const n = r.name.replace(/\$(\d+)/g, (_, i: string) => m[Number(i)]);
                    return config.lowercaseOutputName ? n.toLowerCase() : n;
                }
            }
            return undefined;
        };
        const jmx = Object.entries(METRICS).filter(([, s]) => s.exporter === "kafka-jmx");
        assert.ok(jmx.length > 0);
        for (const [metric, s] of jmx) assert.equal(nameOf(s.mbean!), metric, s.mbean);
    });
});
