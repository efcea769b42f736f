import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { name, nonNegInt, posInt, quantity, Report } from "./common";
import { ARCHIVE_BUCKET } from "../contracts/datapath";
import { REPO_ROOT } from "../bigquery/tables";

/** Spark memory is JVM-style (512m, 4g), not a Kubernetes quantity. */
const sparkMemory = z.string().regex(/^\d+[kmgt]$/, "must be a Spark memory size such as 512m or 4g");
const resources = z.strictObject({ cores: posInt.max(32).describe("CPU cores"), memory: sparkMemory.describe("JVM memory (512m, 4g)") });
const executorResources = resources.extend({ instances: posInt.max(100).describe("number of executors") });
/** A platform image with a pinned tag or digest (built by CI). */
const pinnedImage = z
    .string()
    .regex(/^[^\s:]+(:[\w][\w.-]{0,127}|@sha256:[a-f0-9]{64})$/, "must name an image with a pinned tag or digest")
    .refine((s) => !s.endsWith(":latest"), "must not use the 'latest' tag");

export const sparkSchema = z.strictObject({
    operatorNamespace: name.default("spark-operator").describe("namespace of the Spark operator"),
    jobNamespace: name.default("spark-jobs").describe("Namespace where SparkApplications run (watched by the operator)."),
    image: pinnedImage.describe("Application image with a pinned tag or digest (built by CI from docker/spark)."),
    streaming: z
        .strictObject({
            mainClass: z.string().optional().describe("JVM main class (Scala/Java jobs); unset for PySpark"),
            mainApplicationFile: z.string().min(1).describe("application file in the image (local:///…) or in the lake"),
            arguments: z.array(z.string()).default([]).describe("arguments passed to the application"),
            kafkaUser: z.string().describe("The Kafka user (role consumer) whose topic and group the job consumes."),
            driver: resources.describe("driver resources"),
            executor: executorResources.describe("executor resources"),
            maxRunSeconds: posInt
                .min(300)
                .max(86400)
                .default(3600)
                .describe("Upper bound of one backlog-draining run (the Job's activeDeadlineSeconds), in seconds."),
            recordsPerCoreSecond: posInt
                .default(2000)
                .describe(
                    "Records one executor core lands per second (measure it): sizes a run's executors from the backlog and its batches (maxOffsetsPerTrigger) so that one batch takes at most a quarter of maxRunSeconds.",
                ),
        })
        .describe("the streaming job: Kafka topics into the lake (raw), started by KEDA on lag"),
    compaction: z
        .strictObject({
            schedule: z
                .string()
                .regex(/^(\S+\s+){4}\S+$/, 'must be a 5-field cron expression such as "0 3 * * *"')
                .describe("cron schedule (5 fields, UTC)"),
            mainApplicationFile: z.string().min(1).describe("application file in the image (local:///…) or in the lake"),
            sourceBucket: z.string().describe("Lake bucket holding the streaming run's dataset (its only writer) and checkpoint."),
            targetTable: z
                .string()
                .regex(/^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$/, "must be <dataset>.<table>, e.g. raw.events")
                .describe("Schema-managed table (<dataset>.<table>, a file under warehouse.schemaDir) the compaction loads."),
            driver: resources.default({ cores: 1, memory: "2g" }).describe("driver resources"),
            executor: executorResources.default({ instances: 2, cores: 2, memory: "4g" }).describe("executor resources"),
        })
        .describe("the daily compaction job (ScheduledSparkApplication)"),
});
export type SparkConfig = z.infer<typeof sparkSchema>;

export const autoscalingSchema = z.strictObject({
    lagThreshold: posInt.describe("consumer lag (messages) per replica/executor that KEDA scales on"),
    activationLagThreshold: nonNegInt.describe("lag below which the workload stays scaled to zero"),
    pollingIntervalSeconds: posInt.max(3600).default(30).describe("how often KEDA checks the lag, in seconds"),
    cooldownPeriodSeconds: posInt.default(300).describe("seconds without lag before KEDA scales a deployment back down"),
    streaming: z
        .strictObject({ maxExecutors: posInt.max(100).describe("most executors of one run") })
        .describe(
            "Spark stream consumer: a KEDA ScaledJob running one backlog-draining run at a time (one writer per sink path); lag scales the run's executors, up to this many.",
        ),
    deployments: z
        .strictObject({
            minReplicas: nonNegInt.describe("fewest replicas of each consumer deployment (0: scale to zero)"),
            maxReplicas: posInt.describe("most replicas of each consumer deployment (≤ the topic's partitions to be useful)"),
            consumers: z
                .array(
                    z.strictObject({
                        kafkaUser: name.describe("Kafka user (role consumer); its group and topics drive the trigger."),
                        namespace: name.describe("namespace of the consumer (a Kafka user's namespace)"),
                        image: pinnedImage.describe("consumer image with a pinned tag or digest"),
                        args: z.array(z.string()).default([]).describe("container arguments"),
                        cpu: quantity.default("250m").describe("CPU request of the consumer container"),
                        memory: quantity.default("512Mi").describe("memory request and limit of the consumer container"),
                    }),
                )
                .default([])
                .describe("Consumer Deployments scaled on their group's lag (e.g. the curated-sink in the ingestion namespace)."),
        })
        .describe("Deployment consumers (ingestion, sinks): a KEDA ScaledObject; max ≤ the topic's partitions."),
    kafkaUser: name.default("keda-lag-reader").describe("Kafka user (role monitor) whose credentials the KEDA Kafka trigger uses to read lag."),
});
export type AutoscalingConfig = z.infer<typeof autoscalingSchema>;

export const airflowSchema = z.strictObject({
    namespace: name.default("airflow").describe("namespace of Airflow"),
    executor: z.enum(["KubernetesExecutor", "CeleryExecutor", "CeleryKubernetesExecutor"]).default("KubernetesExecutor").describe("Airflow executor"),
    image: pinnedImage.optional().describe("Airflow image built by CI from docker/airflow (pinned); defaults to the upstream image in versions.ts."),
    dbRetentionDays: posInt.min(7).max(3650).default(90).describe("Metadata rows older than this are purged by the chart's database cleanup CronJob."),
    dags: z
        .strictObject({
            repo: z
                .string()
                .regex(/^(https:\/\/|git@|ssh:\/\/)\S+\.git$/, "must be a git URL ending in .git")
                .describe("Clone URL without credentials (a token in it is rejected: it would sit in the chart values and the pods' env)."),
            branch: z.string().min(1).default("main").describe("branch of the DAG repository"),
            subPath: z.string().default("dags").describe("folder of the DAGs in the repository"),
            credential: z
                .enum(["none", "ssh", "token"])
                .default("none")
                .describe(
                    "How git-sync authenticates: none (public repository), ssh (deploy key) or token (HTTPS username + token). The credential itself is written to Vault (<kv>/airflow/k8s/git), never to the stack config.",
                ),
            knownHosts: z
                .string()
                .optional()
                .describe("known_hosts lines of the git server (public data; required with credential ssh, host keys are always checked)."),
        })
        .describe("DAG repository synced by git-sync"),
    auth: z
        .strictObject({
            issuer: z
                .url({ protocol: /^https$/, error: "must be an https:// URL (the OIDC issuer)" })
                .describe("OIDC issuer URL (its /.well-known/openid-configuration is read by the API server)."),
            clientId: z.string().min(1).describe("OIDC client id of the Airflow web UI"),
            groupsClaim: z.string().min(1).default("groups").describe("Claim of the ID token that lists the user's groups."),
            roles: z
                .record(z.string().min(1), z.array(z.enum(["Admin", "Op", "User", "Viewer"])).min(1))
                .describe("Identity-provider group → Airflow roles (FAB auth manager); a user in no listed group gets no access."),
        })
        .describe("Login to the UI/API through the organisation's identity provider (OIDC); there is no local or default user."),
    datasets: z.array(z.string()).default([]).describe("Datasets Airflow tasks write to."),
    database: z
        .strictObject({
            instanceClass: z.string().min(3).describe("Cloud SQL tier (db-custom-2-7680) or RDS class (db.m6g.large)."),
            highAvailability: z.boolean().describe("multi-zone database (Cloud SQL REGIONAL, RDS Multi-AZ); expected in prod"),
            storageGb: z.number().int().min(10).max(4096).default(20).describe("database storage in GB"),
            backupRetentionDays: z.number().int().min(1).max(35).default(7).describe("days automated backups are kept"),
            postgresVersion: z.enum(["15", "16", "17"]).default("16").describe("PostgreSQL major version"),
        })
        .describe("managed metadata database (Cloud SQL / RDS PostgreSQL)"),
});
export type AirflowConfig = z.infer<typeof airflowSchema>;

export function processingRules(
    environment: "staging" | "prod",
    spark: SparkConfig,
    auto: AutoscalingConfig,
    airflow: AirflowConfig,
    kafka: {
        users: { name: string; role: string; topics: string[]; group?: string; namespaces: string[] }[];
        topics: { name: string; partitions: number }[];
        clientNamespaces: string[];
    },
    lakeBuckets: string[],
    datasets: string[],
    schemaDir: string,
    report: Report,
): void {
    const consumer = kafka.users.find((u) => u.name === spark.streaming.kafkaUser);
    if (!consumer)
        report(["spark", "streaming", "kafkaUser"], spark.streaming.kafkaUser, `is not a user in kafka.users (${kafka.users.map((u) => u.name).join(", ")})`);
    else if (consumer.role !== "consumer")
        report(["spark", "streaming", "kafkaUser"], spark.streaming.kafkaUser, `must have role consumer (it has ${consumer.role})`);
    if (!lakeBuckets.includes(spark.compaction.sourceBucket))
        report(["spark", "compaction", "sourceBucket"], spark.compaction.sourceBucket, `is not a bucket in lake.buckets (${lakeBuckets.join(", ")})`);
    const [targetDataset, targetTable] = spark.compaction.targetTable.split(".");
    if (!datasets.includes(targetDataset))
        report(["spark", "compaction", "targetTable"], spark.compaction.targetTable, `is not in a dataset of warehouse.datasets (${datasets.join(", ")})`);
    else if (targetTable && !fs.existsSync(path.resolve(REPO_ROOT, schemaDir, targetDataset, `${targetTable}.json`))) {
        report(
            ["spark", "compaction", "targetTable"],
            spark.compaction.targetTable,
            `has no schema file ${path.join(schemaDir, targetDataset, `${targetTable}.json`)} (tables are schema-managed)`,
        );
    }
    if (spark.streaming.executor.instances > auto.streaming.maxExecutors) {
        report(
            ["spark", "streaming", "executor", "instances"],
            spark.streaming.executor.instances,
            `is the executors of a small run and must not exceed autoscaling.streaming.maxExecutors (${auto.streaming.maxExecutors})`,
        );
    }
    airflow.datasets.forEach((d, i) => {
        if (!datasets.includes(d)) report(["airflow", "datasets", i], d, `is not a dataset in warehouse.datasets (${datasets.join(", ")})`);
    });

    const d = auto.deployments;
    if (d.minReplicas > d.maxReplicas)
        report(["autoscaling", "deployments", "minReplicas"], d.minReplicas, `is larger than autoscaling.deployments.maxReplicas (${d.maxReplicas})`);
    if (environment === "staging" && d.minReplicas !== 0)
        report(["autoscaling", "deployments", "minReplicas"], d.minReplicas, "must be 0 in staging (scale to zero when there is no lag)");
    if (environment === "prod" && d.minReplicas < 1) report(["autoscaling", "deployments", "minReplicas"], d.minReplicas, "must be at least 1 in prod");
    if (auto.activationLagThreshold >= auto.lagThreshold)
        report(["autoscaling", "activationLagThreshold"], auto.activationLagThreshold, `must be smaller than autoscaling.lagThreshold (${auto.lagThreshold})`);
    // More consumers than partitions sit idle: the bound is the smallest consumed topic.
    const consumed = kafka.users.filter((u) => u.role === "consumer").flatMap((u) => u.topics);
    const parts = kafka.topics.filter((t) => consumed.includes(t.name)).map((t) => t.partitions);
    if (parts.length > 0) {
        const minParts = Math.min(...parts);
        if (d.maxReplicas > minParts)
            report(["autoscaling", "deployments", "maxReplicas"], d.maxReplicas, `is larger than the partitions of the consumed topics (${minParts})`);
    }
    const monitor = kafka.users.find((u) => u.name === auto.kafkaUser);
    if (!monitor) report(["autoscaling", "kafkaUser"], auto.kafkaUser, `is not a user in kafka.users (${kafka.users.map((u) => u.name).join(", ")})`);
    else if (monitor.role !== "monitor") report(["autoscaling", "kafkaUser"], auto.kafkaUser, `must have role monitor (it has ${monitor.role})`);
    // One ClusterTriggerAuthentication reads the lag reader's Secret from KEDA's own namespace ("keda").
    if (!kafka.clientNamespaces.includes("keda")) {
        report(
            ["kafka", "clientNamespaces"],
            kafka.clientNamespaces,
            "must include keda: KEDA reads consumer lag from the brokers with the lag reader's credentials delivered there",
        );
    }
    // Sinks archive their topics in the archive bucket (the curated zone has one writer, the streaming run).
    if (d.consumers.length > 0 && !lakeBuckets.includes(ARCHIVE_BUCKET)) {
        report(
            ["autoscaling", "deployments", "consumers"],
            d.consumers.map((c) => c.kafkaUser),
            `need a lake bucket named ${ARCHIVE_BUCKET} to write to (lake.buckets: ${lakeBuckets.join(", ")})`,
        );
    }
    d.consumers.forEach((c, i) => {
        const u = kafka.users.find((x) => x.name === c.kafkaUser);
        if (!u)
            report(
                ["autoscaling", "deployments", "consumers", i, "kafkaUser"],
                c.kafkaUser,
                `is not a user in kafka.users (${kafka.users.map((x) => x.name).join(", ")})`,
            );
        else if (u.role !== "consumer")
            report(["autoscaling", "deployments", "consumers", i, "kafkaUser"], c.kafkaUser, `must have role consumer (it has ${u.role})`);
        else if (!u.namespaces.includes(c.namespace))
            report(
                ["autoscaling", "deployments", "consumers", i, "namespace"],
                c.namespace,
                `is not a namespace of kafka user ${u.name} (${u.namespaces.join(", ")})`,
            );
    });
    if (consumer && !consumer.namespaces.includes(spark.jobNamespace)) {
        report(
            ["spark", "streaming", "kafkaUser"],
            spark.streaming.kafkaUser,
            `must list spark.jobNamespace (${spark.jobNamespace}) in its kafka.users namespaces`,
        );
    }
    airflowRules(airflow, report);
    if (environment === "prod" && !airflow.database.highAvailability) report(["airflow", "database", "highAvailability"], false, "must be true in prod");
}

/** A user or token in the DAG repository URL (https://user:token@host/..., https://token@host/...). */
function repoUrlCredential(repo: string): string | undefined {
    const m = /^https:\/\/([^/@]+)@/.exec(repo);
    return m ? m[1] : undefined;
}

function airflowRules(airflow: AirflowConfig, report: Report): void {
    const d = airflow.dags;
    if (repoUrlCredential(d.repo) !== undefined) {
        report(
            ["airflow", "dags", "repo"],
            d.repo.replace(/\/\/[^/@]+@/, "//***@"),
            "must not contain a user or token: write the token to Vault (<kv>/airflow/k8s/git, keys username and password) and set airflow.dags.credential: token",
        );
    }
    const ssh = /^(git@|ssh:\/\/)/.test(d.repo);
    if (d.credential === "ssh" && !ssh)
        report(["airflow", "dags", "credential"], d.credential, "ssh needs an ssh clone URL (git@host:org/repo.git or ssh://...) in airflow.dags.repo");
    if (d.credential === "token" && ssh) report(["airflow", "dags", "credential"], d.credential, "token needs an https:// clone URL in airflow.dags.repo");
    if (d.credential === "none" && ssh)
        report(
            ["airflow", "dags", "credential"],
            d.credential,
            "an ssh clone URL always needs a key: set ssh and write the key to Vault (<kv>/airflow/k8s/git, key gitSshKey)",
        );
    if (d.credential === "ssh" && !d.knownHosts?.trim())
        report(["airflow", "dags", "knownHosts"], d.knownHosts ?? null, "is required with credential ssh (the git server's host keys are always verified)");
    if (!Object.values(airflow.auth.roles).some((r) => r.includes("Admin"))) {
        report(["airflow", "auth", "roles"], airflow.auth.roles, "must map at least one identity-provider group to Admin (there is no local admin user)");
    }
}
