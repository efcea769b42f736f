import { strict as assert } from "assert";
import { fromConfigMap, parseStackConfig } from "../components/config";
import { cidrContains, cidrsOverlap } from "../components/config/common";
import { readStackYaml, toEngineConfig } from "../plan/stackfile";
import { STACKS } from "./support/plans";
import { configProblems, expectProblem, Raw, stackConfig, stackRaw } from "./support/config";

describe("stack config", () => {
    for (const stack of STACKS) {
        it(`accepts the shipped stack ${stack} and freezes it`, () => {
            const cfg = stackConfig(stack);
            assert.equal(cfg.stack, stack);
            assert.ok(Object.isFrozen(cfg) && Object.isFrozen(cfg.kafka) && Object.isFrozen(cfg.kafka.topics));
            assert.equal(cfg.charts.strimzi, "1.2.0");
            assert.match(cfg.warehouseProject, /^acme-data-/);
        });
    }

    it("narrows to the stack's cloud: only its own block, and the other cloud's block is refused", () => {
        const gcp = stackConfig("staging");
        assert.equal(gcp.cloud, "gcp");
        assert.ok(gcp.cloud === "gcp" && gcp.gcp.project && !("aws" in gcp));
        const aws = stackConfig("aws-staging");
        assert.ok(aws.cloud === "aws" && aws.aws.accountId && aws.budget.warehouse.billingAccount && !("gcp" in aws));
        const awsBlock = stackRaw("aws-staging").raw.aws;
        expectProblem(
            "staging",
            (r) => {
                r.aws = awsBlock;
            },
            "dataplatform:aws",
            /is for aws stacks only/,
        );
        const gcpBlock = stackRaw("staging").raw.gcp;
        expectProblem(
            "aws-staging",
            (r) => {
                r.gcp = gcpBlock;
            },
            "dataplatform:gcp",
            /is for gcp stacks only/,
        );
    });

    it("marks secure values and does not flag them as plaintext", () => {
        const { raw } = stackRaw("prod");
        const cfg = parseStackConfig({ ...raw, vaultToken: "hvs.from-secure-config" }, { stack: "prod", secretKeys: ["vaultToken"] });
        assert.deepEqual(cfg.secretKeys, ["vaultToken"]);
        assert.equal(cfg.vaultToken, "hvs.from-secure-config");
    });

    it("reports every problem at once, each naming its key", () => {
        const problems = configProblems("staging", (r) => {
            r.kafka.replicationFactor = 4;
            r.cluster.nodePools.spark.min = 2;
            r.lake.buckets[0].transitions[1].ageDays = 10;
        });
        assert.ok(problems.length >= 3, problems.join("\n"));
        assert.ok(problems.includes("dataplatform:kafka.replicationFactor: 4 is larger than kafka.brokers (3)"), problems.join("\n"));
        assert.ok(problems.some((p) => p.startsWith("dataplatform:cluster.nodePools.spark.min: 2")));
        assert.ok(problems.some((p) => p.startsWith("dataplatform:lake.buckets[0].transitions[1].ageDays: 10")));
    });

    it("rejects a misspelt config namespace", () => {
        const engine = toEngineConfig(readStackYaml("staging"));
        const { problems } = fromConfigMap({ ...engine.config, "dataplatfrom:kafka": "{}" }, engine.secretKeys);
        assert.deepEqual(problems, ['dataplatfrom:kafka: unknown config namespace "dataplatfrom"; use dataplatform:<key>']);
    });

    // Each case: stack, change, the key the message must name, and a fragment of what it must say.
    const cases: [string, string, (r: Raw) => void, string, RegExp][] = [
        // missing keys
        ["staging", "missing cloud", (r) => delete r.cloud, "dataplatform:cloud", /required/],
        ["staging", "missing environment", (r) => delete r.environment, "dataplatform:environment", /required/],
        ["staging", "missing kafka", (r) => delete r.kafka, "dataplatform:kafka", /required/],
        ["staging", "missing kafka.brokers", (r) => delete r.kafka.brokers, "dataplatform:kafka.brokers", /required; expected number/],
        ["staging", "missing labels.team", (r) => delete r.labels.team, "dataplatform:labels.team", /required/],
        ["staging", "missing gcp block on a gcp stack", (r) => delete r.gcp, "dataplatform:gcp", /required when cloud is gcp/],
        ["aws-staging", "missing aws block on an aws stack", (r) => delete r.aws, "dataplatform:aws", /required when cloud is aws/],
        ["aws-staging", "missing warehouse.project on aws", (r) => delete r.warehouse.project, "dataplatform:warehouse.project", /required on aws/],
        ["staging", "missing network.podsCidr on gcp", (r) => delete r.network.podsCidr, "dataplatform:network.podsCidr", /required when cloud is gcp/],
        ["staging", "missing vault.address", (r) => delete r.vault.address, "dataplatform:vault.address", /required/],
        // wrong types and values
        ["staging", "brokers as a string", (r) => (r.kafka.brokers = "three"), "dataplatform:kafka.brokers", /"three" is not a number/],
        ["staging", "unknown cloud", (r) => (r.cloud = "azure"), "dataplatform:cloud", /expected one of "gcp", "aws"/],
        ["staging", "unknown environment", (r) => (r.environment = "dev"), "dataplatform:environment", /expected one of "staging", "prod"/],
        ["staging", "unknown gcp region", (r) => (r.gcp.region = "europe-west99"), "dataplatform:gcp.region", /"europe-west99" is not allowed/],
        ["aws-staging", "unknown aws region", (r) => (r.aws.region = "eu-moon-1"), "dataplatform:aws.region", /is not allowed/],
        ["staging", "bad CIDR", (r) => (r.network.nodeCidr = "10.10.0.0/33"), "dataplatform:network.nodeCidr", /IPv4 CIDR/],
        ["staging", "unsupported Kafka version", (r) => (r.kafka.version = "3.9.0"), "dataplatform:kafka.version", /expected one of "4.2.0"/],
        ["staging", "even controller count", (r) => (r.kafka.controllers = 2), "dataplatform:kafka.controllers", /is not allowed/],
        ["staging", "chart version range", (r) => (r.charts = { keda: "^2.21.0" }), "dataplatform:charts.keda", /exact version/],
        ["staging", "chart version latest", (r) => (r.charts = { strimzi: "latest" }), "dataplatform:charts.strimzi", /exact version/],
        ["staging", "spark image on latest", (r) => (r.spark.image = "repo/spark-jobs:latest"), "dataplatform:spark.image", /latest/],
        [
            "staging",
            "spark memory as k8s quantity",
            (r) => (r.spark.streaming.driver.memory = "2Gi"),
            "dataplatform:spark.streaming.driver.memory",
            /Spark memory size/,
        ],
        ["staging", "unknown executor", (r) => (r.airflow.executor = "LocalExecutor"), "dataplatform:airflow.executor", /expected one of "KubernetesExecutor"/],
        ["staging", "vault over http", (r) => (r.vault.address = "http://vault:8200"), "dataplatform:vault.address", /https/],
        ["staging", "bad cron", (r) => (r.spark.compaction.schedule = "daily"), "dataplatform:spark.compaction.schedule", /cron/],
        ["staging", "bad budget email", (r) => (r.budget.emails = ["finops"]), "dataplatform:budget.emails[0]", /email/i],
        // unknown keys
        ["staging", "unknown top-level key", (r) => (r.kafak = {}), "dataplatform:kafak", /unknown key; allowed keys: cloud, environment/],
        [
            "staging",
            "misspelt nested key",
            (r) => (r.kafka.replicationFator = 3),
            "dataplatform:kafka.replicationFator",
            /unknown key; allowed keys: .*replicationFactor/,
        ],
        [
            "staging",
            "unknown key in a node pool",
            (r) => (r.cluster.nodePools.kafka.preemptible = true),
            "dataplatform:cluster.nodePools.kafka.preemptible",
            /unknown key; allowed keys: machineType, min, max, spot, diskSizeGb/,
        ],
        ["staging", "unknown key in a topic", (r) => (r.kafka.topics[0].retention = 1), "dataplatform:kafka.topics[0].retention", /unknown key/],
        // cross-field rules
        [
            "staging",
            "RF above broker count",
            (r) => (r.kafka.replicationFactor = 4),
            "dataplatform:kafka.replicationFactor",
            /4 is larger than kafka.brokers \(3\)/,
        ],
        [
            "staging",
            "min ISR equal to RF",
            (r) => (r.kafka.minInsyncReplicas = 3),
            "dataplatform:kafka.minInsyncReplicas",
            /smaller than kafka.replicationFactor \(3\)/,
        ],
        [
            "prod",
            "prod with 2 brokers",
            (r) => {
                r.kafka.brokers = 2;
                r.kafka.replicationFactor = 2;
                r.kafka.minInsyncReplicas = 1;
            },
            "dataplatform:kafka.brokers",
            /at least 3 in prod/,
        ],
        ["prod", "prod with 1 controller", (r) => (r.kafka.controllers = 1), "dataplatform:kafka.controllers", /3 or 5 in prod/],
        [
            "staging",
            "topic replicas above brokers",
            (r) => (r.kafka.topics[0].replicas = 5),
            "dataplatform:kafka.topics[0].replicas",
            /larger than kafka.brokers/,
        ],
        [
            "staging",
            "user on an unknown topic",
            (r) => (r.kafka.users[0].topics = ["nope"]),
            "dataplatform:kafka.users[0].topics[0]",
            /not a topic in kafka.topics/,
        ],
        ["staging", "consumer without group", (r) => delete r.kafka.users[1].group, "dataplatform:kafka.users[1].group", /required for a consumer/],
        [
            "staging",
            "no monitor user",
            (r) => (r.kafka.users = r.kafka.users.filter((u: Raw) => u.role !== "monitor")),
            "dataplatform:kafka.users",
            /role monitor/,
        ],
        [
            "staging",
            "CA renewal not inside validity",
            (r) => (r.kafka.certificates = { clusterCaValidityDays: 30, clusterCaRenewalDays: 30 }),
            "dataplatform:kafka.certificates.clusterCaRenewalDays",
            /smaller than/,
        ],
        [
            "prod",
            "prod without maintenance windows",
            (r) => (r.kafka.maintenanceWindows = []),
            "dataplatform:kafka.maintenanceWindows",
            /at least one window in prod/,
        ],
        ["prod", "zonal cluster in prod", (r) => (r.cluster.regional = false), "dataplatform:cluster.regional", /must be true in prod/],
        ["prod", "prod with one zone", (r) => (r.gcp.zones = ["europe-west1-b"]), "dataplatform:gcp.zones", /at least 3 distinct zones/],
        ["staging", "zone outside the region", (r) => (r.gcp.zones = ["us-east1-b"]), "dataplatform:gcp.zones[0]", /not a zone of gcp.region/],
        [
            "aws-staging",
            "AZ outside the region",
            (r) => (r.aws.availabilityZones[0] = "us-east-1a"),
            "dataplatform:aws.availabilityZones[0]",
            /not an AZ of aws.region/,
        ],
        [
            "staging",
            "pool min above max",
            (r) => (r.cluster.nodePools.system.min = 5),
            "dataplatform:cluster.nodePools.system.min",
            /larger than cluster.nodePools.system.max \(3\)/,
        ],
        [
            "staging",
            "Spot-only system pool",
            (r) => (r.cluster.nodePools.system.spot = true),
            "dataplatform:cluster.nodePools.system.spot",
            /cannot run on Spot only/,
        ],
        ["staging", "Spark pool not from zero", (r) => (r.cluster.nodePools.spark.min = 1), "dataplatform:cluster.nodePools.spark.min", /must be 0/],
        [
            "staging",
            "AWS instance type on GCP",
            (r) => (r.cluster.nodePools.kafka.machineType = "m6i.xlarge"),
            "dataplatform:cluster.nodePools.kafka.machineType",
            /not a GCE machine type/,
        ],
        [
            "staging",
            "overlapping pod and node ranges",
            (r) => (r.network.podsCidr = "10.10.0.0/16"),
            "dataplatform:network.podsCidr",
            /overlaps network.nodeCidr/,
        ],
        [
            "staging",
            "control plane range not /28",
            (r) => (r.network.controlPlaneCidr = "172.16.0.0/24"),
            "dataplatform:network.controlPlaneCidr",
            /must be a \/28/,
        ],
        [
            "staging",
            "API open to the internet",
            (r) => (r.network.controlPlaneAllowedCidrs = ["0.0.0.0/0"]),
            "dataplatform:network.controlPlaneAllowedCidrs[0]",
            /opens the Kubernetes API/,
        ],
        ["staging", "no Vault egress range", (r) => (r.vault.egressCidrs = []), "dataplatform:vault.egressCidrs", /at least 1/],
        [
            "aws-staging",
            "Vault egress open to the internet",
            (r) => (r.vault.egressCidrs = ["0.0.0.0/0"]),
            "dataplatform:vault.egressCidrs[0]",
            /opens the Kubernetes API/,
        ],
        [
            "staging",
            "Vault egress inside the cluster network",
            (r) => (r.vault.egressCidrs = [r.network.nodeCidr]),
            "dataplatform:vault.egressCidrs[0]",
            /inside the cluster network/,
        ],
        ["aws-staging", "GCP-only ranges on AWS", (r) => (r.network.podsCidr = "10.99.0.0/16"), "dataplatform:network.podsCidr", /GCP-only/],
        [
            "staging",
            "lifecycle ages not ascending",
            (r) => (r.lake.buckets[0].transitions[2].ageDays = 60),
            "dataplatform:lake.buckets[0].transitions[2].ageDays",
            /strictly ascending/,
        ],
        [
            "staging",
            "S3 class on a GCS bucket",
            (r) => (r.lake.buckets[0].transitions[0].storageClass = "GLACIER_IR"),
            "dataplatform:lake.buckets[0].transitions[0].storageClass",
            /not a GCS cold class/,
        ],
        [
            "staging",
            "class change without class",
            (r) => delete r.lake.buckets[0].transitions[0].storageClass,
            "dataplatform:lake.buckets[0].transitions[0].storageClass",
            /required/,
        ],
        [
            "staging",
            "logs bucket without retention",
            (r) => delete r.lake.buckets[3].expirationDays,
            "dataplatform:lake.buckets[3].expirationDays",
            /required for a logs bucket/,
        ],
        [
            "staging",
            "no raw bucket",
            (r) => (r.lake.buckets = r.lake.buckets.filter((b: Raw) => b.name !== "raw")),
            "dataplatform:lake.buckets",
            /must include a 'raw' bucket/,
        ],
        [
            "prod",
            "table expiration in prod",
            (r) => (r.warehouse.datasets[0].defaultTableExpirationDays = 30),
            "dataplatform:warehouse.datasets[0].defaultTableExpirationDays",
            /staging only/,
        ],
        [
            "staging",
            "BI dataset not configured",
            (r) => (r.warehouse.biDataset = "marts"),
            "dataplatform:warehouse.biDataset",
            /not a dataset in warehouse.datasets/,
        ],
        ["staging", "budget thresholds descending", (r) => (r.budget.thresholds = [0.9, 0.5]), "dataplatform:budget.thresholds[1]", /ascending/],
        [
            "staging",
            "autoscaling min above max",
            (r) => (r.autoscaling.deployments.minReplicas = 5),
            "dataplatform:autoscaling.deployments.minReplicas",
            /larger than autoscaling.deployments.maxReplicas/,
        ],
        [
            "staging",
            "max replicas above partitions",
            (r) => (r.autoscaling.deployments.maxReplicas = 7),
            "dataplatform:autoscaling.deployments.maxReplicas",
            /larger than the partitions/,
        ],
        [
            "prod",
            "prod consumers scaled to zero",
            (r) => (r.autoscaling.deployments.minReplicas = 0),
            "dataplatform:autoscaling.deployments.minReplicas",
            /at least 1 in prod/,
        ],
        [
            "staging",
            "staging consumers not scaled to zero",
            (r) => (r.autoscaling.deployments.minReplicas = 1),
            "dataplatform:autoscaling.deployments.minReplicas",
            /must be 0 in staging/,
        ],
        [
            "staging",
            "activation above threshold",
            (r) => (r.autoscaling.activationLagThreshold = 10000),
            "dataplatform:autoscaling.activationLagThreshold",
            /smaller than autoscaling.lagThreshold/,
        ],
        [
            "staging",
            "streaming user is a producer",
            (r) => (r.spark.streaming.kafkaUser = "ingestion"),
            "dataplatform:spark.streaming.kafkaUser",
            /must have role consumer/,
        ],
        [
            "prod",
            "prod Airflow DB without HA",
            (r) => (r.airflow.database.highAvailability = false),
            "dataplatform:airflow.database.highAvailability",
            /must be true in prod/,
        ],
        [
            "prod",
            "prod without a paging receiver",
            (r) => (r.monitoring.receivers = [{ name: "chat", type: "slack", vaultKey: "x", severity: "warning" }]),
            "dataplatform:monitoring.receivers",
            /severity critical in prod/,
        ],
        [
            "staging",
            "e-mail receiver (no SMTP relay)",
            (r) => (r.monitoring.receivers[0].type = "email"),
            "dataplatform:monitoring.receivers[0].type",
            /expected one of "slack", "pagerduty"/,
        ],
        [
            "staging",
            "certificate alert outside renewal window",
            (r) => (r.monitoring.alerts.certificateExpiryDays = 45),
            "dataplatform:monitoring.alerts.certificateExpiryDays",
            /shorter than the Kafka CA renewal window/,
        ],
        // secrets
        ["staging", "plaintext Vault token", (r) => (r.vaultToken = "hvs.abcdef"), "dataplatform:vaultToken", /plaintext value is not allowed/],
        [
            "staging",
            "plaintext password nested",
            (r) => (r.airflow.database.password = "hunter2"),
            "dataplatform:airflow.database.password",
            /plaintext value is not allowed/,
        ],
    ];

    for (const [stack, what, mutate, key, message] of cases) {
        it(`rejects ${what} (${stack}) naming ${key}`, () => {
            expectProblem(stack, mutate, key, message);
        });
    }

    describe("CIDR helpers", () => {
        it("detects overlap and containment", () => {
            assert.equal(cidrsOverlap("10.0.0.0/16", "10.0.128.0/20"), true);
            assert.equal(cidrsOverlap("10.0.0.0/16", "10.1.0.0/16"), false);
            assert.equal(cidrContains("10.0.0.0/16", "10.0.4.0/24"), true);
            assert.equal(cidrContains("10.0.4.0/24", "10.0.0.0/16"), false);
        });
    });
});
