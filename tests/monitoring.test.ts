import { strict as assert } from "assert";
import { PlatformConfig } from "../components/config";
import { alertGroups, AlertRule } from "../components/monitoring/rules";
import { promqlProblems } from "./support/promql";
import { scrapeTargets } from "../components/monitoring/podmonitors";
import { dashboards } from "../components/monitoring/dashboards";
import { alertmanagerConfig, secretFile, stackValues } from "../components/monitoring/stack";
import { inputsOf, ofType, shippedPlan, STACKS } from "./support/plans";
import { configProblems, stackConfig } from "./support/config";

type Model = new (data: object) => { validate(): void };
// The models are ESM-only (no require condition): load them with a real dynamic import.
const esmImport = new Function("s", "return import(s)") as (s: string) => Promise<Record<string, Model>>;
let PodMonitor: Model, ServiceMonitor: Model, PrometheusRule: Model;
before(async () => {
    const m = await esmImport("@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1");
    ({ PodMonitor, ServiceMonitor, PrometheusRule } = m);
    assert.ok(PodMonitor && ServiceMonitor && PrometheusRule);
});

const SECRETS = { grafanaAdmin: "grafana-admin", alertmanagerReceivers: "alertmanager-receivers" };

function rulesByName(cfg: PlatformConfig): Record<string, AlertRule> {
    return Object.fromEntries(
        alertGroups(cfg)
            .flatMap((g) => g.rules)
            .map((r) => [r.alert, r]),
    );
}

/** Every alert the platform must have, with the configured thresholds in its expression or duration. */
function expectRules(cfg: PlatformConfig, rules: Record<string, AlertRule>): void {
    const a = cfg.monitoring.alerts;
    const lag = rules.KafkaConsumerGroupLagHigh;
    assert.match(lag.expr, /sum by \(consumergroup, topic\) \(kafka_consumergroup_lag/);
    assert.ok(lag.expr.endsWith(`> ${a.consumerLagMessages}`), lag.expr);
    assert.equal(lag.for, `${a.consumerLagMinutes}m`);
    assert.match(rules.KafkaUnderReplicatedPartitions.expr, /kafka_server_replicamanager_underreplicatedpartitions/);
    assert.match(rules.KafkaOfflinePartitions.expr, /kafka_controller_kafkacontroller_offlinepartitionscount/);
    assert.match(rules.KafkaUnderMinIsrPartitions.expr, /underminisrpartitioncount/);
    assert.ok(rules.KafkaBrokerDown.expr.endsWith(`< ${cfg.kafka.brokers}`));
    assert.ok(rules.StrimziCertificateExpiring.expr.includes("strimzi_certificate_expiration_timestamp_ms"));
    assert.ok(rules.StrimziCertificateExpiring.expr.endsWith(`< ${a.certificateExpiryDays * 86400}`));
    assert.match(rules.KedaScalerErrors.expr, /keda_scaler_detail_errors_total/);
    assert.match(
        rules.SparkApplicationFailed.expr,
        /spark_application_failure_count unless spark_application_failure_count offset 15m/,
        "first failure counted",
    );
    assert.match(rules.SparkApplicationSubmissionFailed.expr, /spark_application_failed_submission_count/);
    assert.ok(
        rules.SparkStreamingRunFailed.expr.includes(`kube_job_failed{namespace="${cfg.spark.jobNamespace}", job_name=~"stream-events-.*", condition="true"}`),
    );
    assert.match(rules.StrimziCertificateExpiring.expr, /^\(min by /, "the soonest expiry counts");
    assert.match(rules.AirflowSchedulerHeartbeatMissing.expr, /airflow_scheduler_heartbeat/);
    assert.equal(rules.AirflowSchedulerHeartbeatMissing.for, `${a.schedulerHeartbeatMinutes}m`);
    assert.match(rules.PersistentVolumeAlmostFull.expr, /kubelet_volume_stats_used_bytes \/ kubelet_volume_stats_capacity_bytes/);
    assert.ok(rules.PersistentVolumeAlmostFull.expr.endsWith(`> ${a.pvcUsagePercent}`));
    for (const r of Object.values(rules)) {
        assert.ok(["critical", "warning"].includes(r.labels.severity), r.alert);
        assert.ok(r.annotations.summary && r.annotations.description, r.alert);
        assert.equal(r.annotations.runbook_url, `${cfg.monitoring.runbookBaseUrl}/${r.alert}.md`);
    }
}

describe("monitoring: builders (pure)", () => {
    for (const stack of STACKS) {
        it(`${stack}: every alert present with the stack's thresholds; rules pass the PrometheusRule model`, () => {
            const cfg = stackConfig(stack);
            const rules = rulesByName(cfg);
            expectRules(cfg, rules);
            for (const r of Object.values(rules)) assert.deepEqual(promqlProblems(r.expr), [], `${r.alert}: ${r.expr}`);
            new PrometheusRule({ metadata: { name: "dataplatform-alerts", namespace: "monitoring" }, spec: { groups: alertGroups(cfg) } }).validate();
        });

        it(`${stack}: scrape targets cover Strimzi, Kafka Exporter, KEDA, Spark operator, Airflow; each passes its model`, () => {
            const cfg = stackConfig(stack);
            const targets = scrapeTargets(cfg);
            const names = targets.map((t) => t.name);
            for (const n of [
                "strimzi-kafka",
                "strimzi-cluster-operator",
                "strimzi-entity-operator",
                "kafka-exporter",
                "keda-operator",
                "spark-operator",
                "airflow-statsd",
            ])
                assert.ok(names.includes(n), n);
            const kafka = targets.find((t) => t.name === "strimzi-kafka")!;
            assert.equal(kafka.spec.selector.matchLabels["strimzi.io/kind"], "Kafka");
            assert.equal(kafka.spec.podMetricsEndpoints[0].port, "tcp-prometheus");
            // Strimzi 1.x names the Topic and User Operator health ports apart (EntityTopicOperator.java,
            // EntityUserOperator.java); a PodMonitor naming a port the pod lacks scrapes nothing.
            const eo = targets.find((t) => t.name === "strimzi-entity-operator")!;
            assert.deepEqual(
                eo.spec.podMetricsEndpoints.map((e: { port: string }) => e.port),
                ["healthcheck-to", "healthcheck-uo"],
            );
            for (const t of targets) {
                const obj = { metadata: { name: t.name, namespace: cfg.monitoring.namespace }, spec: t.spec };
                if (t.kind === "PodMonitor") new PodMonitor(obj).validate();
                else new ServiceMonitor(obj).validate();
            }
        });

        it(`${stack}: Alertmanager on, receivers from config reading their secrets from files; Grafana private, admin from the synced Secret`, () => {
            const cfg = stackConfig(stack);
            const v = stackValues(cfg, "encrypted", cfg.monitoring.namespace, SECRETS);
            assert.equal(v.alertmanager.enabled, true);
            // Written by people, so optional at first deploy: an optional volume, never a required alertmanagerSpec.secrets mount.
            const spec = v.alertmanager.alertmanagerSpec as Record<string, any>;
            assert.equal(spec.secrets, undefined);
            const [vol] = spec.volumes.filter((x: any) => x.secret?.secretName === "alertmanager-receivers");
            assert.deepEqual(vol.secret, { secretName: "alertmanager-receivers", optional: true });
            const [mount] = spec.volumeMounts.filter((m: any) => m.name === vol.name);
            const am = alertmanagerConfig(cfg, "alertmanager-receivers") as any;
            for (const r of cfg.monitoring.receivers) {
                assert.ok(secretFile("alertmanager-receivers", r.vaultKey).startsWith(`${mount.mountPath}/`), "receiver files are in the optional mount");
                const rc = am.receivers.find((x: any) => x.name === r.name);
                if (r.type === "slack") assert.equal(rc.slack_configs[0].api_url_file, secretFile("alertmanager-receivers", r.vaultKey));
                if (r.type === "pagerduty") assert.equal(rc.pagerduty_configs[0].routing_key_file, secretFile("alertmanager-receivers", r.vaultKey));
                assert.ok(am.route.routes.some((x: any) => x.receiver === r.name && x.matchers[0] === `severity="${r.severity}"`));
            }
            assert.ok(!/"(api_url|routing_key|service_key|auth_password)":/.test(JSON.stringify(am)), "no inline secret fields");
            const p = v.prometheus.prometheusSpec;
            assert.equal(p.retention, `${cfg.monitoring.retentionDays}d`);
            assert.equal(p.storageSpec.volumeClaimTemplate.spec.storageClassName, "encrypted");
            assert.equal(p.storageSpec.volumeClaimTemplate.spec.resources.requests.storage, `${cfg.monitoring.storageSizeGi}Gi`);
            assert.equal(p.resources.requests.memory, cfg.monitoring.prometheus.memory);
            for (const k of ["serviceMonitorSelectorNilUsesHelmValues", "podMonitorSelectorNilUsesHelmValues", "ruleSelectorNilUsesHelmValues"] as const)
                assert.equal(p[k], false, k);
            assert.deepEqual(v.grafana.admin, { existingSecret: "grafana-admin", userKey: "admin-user", passwordKey: "admin-password" });
            assert.equal(v.grafana.service.type, "ClusterIP");
            assert.equal(v.grafana.ingress.enabled, false);
            assert.equal(v.grafana.sidecar.dashboards.enabled, true);
            assert.equal(v.kubeStateMetrics.enabled, true);
            assert.equal(v.nodeExporter.enabled, true);
            // Resource requests on every component.
            for (const r of [
                v["kube-state-metrics"],
                v["prometheus-node-exporter"],
                v.prometheusOperator,
                v.prometheusOperator.prometheusConfigReloader,
                v.prometheusOperator.admissionWebhooks.patch,
                p,
                v.alertmanager.alertmanagerSpec,
                v.grafana,
                v.grafana.sidecar,
            ]) {
                assert.ok(r.resources.requests.cpu && r.resources.requests.memory);
            }
        });

        it(`${stack}: dashboards for Kafka brokers, consumer lag and KEDA are valid Grafana JSON with PromQL targets`, () => {
            const cfg = stackConfig(stack);
            const d = dashboards(cfg);
            assert.deepEqual(Object.keys(d).sort(), ["kafka-brokers", "kafka-consumer-lag", "keda-autoscaling"]);
            const uids = new Set<string>();
            for (const [key, json] of Object.entries(d)) {
                const dash = JSON.parse(JSON.stringify(json));
                assert.ok(dash.uid && !uids.has(dash.uid), key);
                uids.add(dash.uid);
                assert.ok(dash.panels.length >= 4, key);
                const ids = dash.panels.map((p: any) => p.id);
                assert.equal(new Set(ids).size, ids.length, `${key}: unique panel ids`);
                for (const p of dash.panels) for (const t of p.targets) assert.deepEqual(promqlProblems(t.expr), [], `${key}/${p.title}: ${t.expr}`);
            }
        });
    }

    it("config: prod pages someone, the expiry alert fires only after a missed renewal, thresholds in range", () => {
        let p = configProblems("prod", (raw) => {
            raw.monitoring.receivers = [{ name: "chat", type: "slack", vaultKey: "slack_webhook_url", severity: "warning" }];
        });
        assert.ok(
            p.some((x) => x.startsWith("dataplatform:monitoring.receivers")),
            p.join("\n"),
        );
        p = configProblems("staging", (raw) => {
            raw.monitoring.alerts.certificateExpiryDays = 60;
        });
        assert.ok(
            p.some((x) => x.startsWith("dataplatform:monitoring.alerts.certificateExpiryDays")),
            p.join("\n"),
        );
        p = configProblems("staging", (raw) => {
            raw.monitoring.alerts.pvcUsagePercent = 100;
        });
        assert.ok(
            p.some((x) => x.startsWith("dataplatform:monitoring.alerts.pvcUsagePercent")),
            p.join("\n"),
        );
        p = configProblems("staging", (raw) => {
            raw.monitoring.receivers[0].type = "webhook";
        });
        assert.ok(
            p.some((x) => x.startsWith("dataplatform:monitoring.receivers[0].type")),
            p.join("\n"),
        );
    });

    it("the PromQL parser catches broken expressions", () => {
        assert.ok(promqlProblems("sum(rate(x[5m])").length > 0);
        assert.ok(promqlProblems('x{a="b}').length > 0);
        assert.ok(promqlProblems("sum(x]").length > 0);
        assert.deepEqual(promqlProblems('sum by (a) (rate(x{a="("}[5m])) > 1'), []);
    });
});

describe("monitoring: plans", () => {
    for (const stack of STACKS) {
        it(`${stack}: kube-prometheus-stack pinned with Alertmanager on; monitors, rules and dashboards registered and valid`, async () => {
            const plan = await shippedPlan(stack);
            const cfg = plan.config;
            const [kps] = ofType(plan, "kubernetes:helm.sh/v3:Release")
                .map(inputsOf)
                .filter((r) => r.chart === "kube-prometheus-stack");
            assert.ok(kps, "kube-prometheus-stack release");
            assert.equal(kps.version, cfg.charts.kubePrometheusStack);
            assert.equal(kps.repositoryOpts.repo, "https://prometheus-community.github.io/helm-charts");
            assert.equal(kps.namespace, cfg.monitoring.namespace);
            assert.equal(kps.values.alertmanager.enabled, true);
            assert.ok(kps.values.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.storageClassName);
            const pms = ofType(plan, "kubernetes:monitoring.coreos.com/v1:PodMonitor").map(inputsOf);
            const sms = ofType(plan, "kubernetes:monitoring.coreos.com/v1:ServiceMonitor").map(inputsOf);
            const prs = ofType(plan, "kubernetes:monitoring.coreos.com/v1:PrometheusRule").map(inputsOf);
            assert.ok(pms.length >= 6 && sms.length >= 1 && prs.length === 1);
            for (const o of pms) new PodMonitor(o).validate();
            for (const o of sms) new ServiceMonitor(o).validate();
            for (const o of prs) new PrometheusRule(o).validate();
            expectRules(cfg, Object.fromEntries(prs[0].spec.groups.flatMap((g: any) => g.rules).map((r: AlertRule) => [r.alert, r])));
            const boards = ofType(plan, "kubernetes:core/v1:ConfigMap")
                .map(inputsOf)
                .filter((c) => c.metadata.labels?.grafana_dashboard === "1");
            assert.equal(boards.length, 3);
            for (const b of boards) assert.equal(b.metadata.namespace, cfg.monitoring.namespace);
            // Grafana and Alertmanager credentials only arrive through VSO-synced Secrets.
            assert.equal(kps.values.grafana.adminPassword, undefined);
            assert.equal(kps.values.grafana.admin.existingSecret, "grafana-admin");
            const mine = plan.resources.filter((r) => /dataplatform:(vault|monitoring):/.test(r.urn));
            assert.ok(!mine.some((r) => r.type === "kubernetes:core/v1:Secret"), "no Secret written by Pulumi");
        });
    }
});
