import * as pulumi from "@pulumi/pulumi";
import { Secret } from "@pulumi/kubernetes/core/v1";
import { Role, RoleBinding } from "@pulumi/kubernetes/rbac/v1";
import { Release } from "@pulumi/kubernetes/helm/v3/release";
import type { KubernetesLayerArgs, ManagedDatabase, WorkloadIdentity } from "../interfaces";
import { SERVICE_ACCOUNTS } from "../k8s/accounts";
import { podIdentityInput, type PodIdentity } from "../contracts/pod";
import { leafwise } from "../k8s/leafwise";
import type { AirflowSecretNames } from "../contracts/vault-secrets";
import { AIRFLOW_CHART, airflowGrants, airflowValues, METADATA_SECRET, metadataConnection, type AirflowData, type AirflowSettings } from "./specs";
import { releaseChart, type ChartRelease } from "../k8s/releases";

export interface AirflowArgs extends KubernetesLayerArgs {
    settings: AirflowSettings;
    release: ChartRelease;
    data: AirflowData;
    /** The Secrets VSO keeps for Airflow (VaultLayer). */
    secrets: AirflowSecretNames;
    /** Where Airflow launches Spark jobs (spark.jobNamespace). */
    sparkJobNamespace: string;
    /** External managed PostgreSQL (Cloud SQL / RDS). */
    database: ManagedDatabase;
    /** E.g. the Vault role that binds the `airflow` ServiceAccount (the secrets backend logs in at start). */
    dependsOn?: pulumi.Resource[];
}

/** Apache Airflow (official chart): KubernetesExecutor, external metadata DB, remote logs, git DAGs, Vault secrets. */
export class Airflow extends pulumi.ComponentResource {
    readonly identity: WorkloadIdentity;
    readonly release: Release;

    constructor(name: string, args: AirflowArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplatform:airflow:Airflow", name, {}, opts);
        const cfg = args.settings;
        const ns = cfg.airflow.namespace;
        const namespace = args.namespaces.name(ns);
        const k8s = { parent: this, provider: args.provider };

        // One ServiceAccount for scheduler, API server, DAG processor, triggerer, task pods and jobs.
        this.identity = args.identity.bind(
            `${name}-identity`,
            {
                namespace,
                serviceAccountName: SERVICE_ACCOUNTS.airflow,
                grants: airflowGrants(args.data),
            },
            { parent: this },
        );

        const db = args.database;
        const metadata = new Secret(
            `${name}-metadata`,
            {
                metadata: { name: METADATA_SECRET, namespace },
                type: "Opaque",
                stringData: {
                    connection: pulumi.secret(
                        pulumi
                            .all([db.host, db.password])
                            .apply(([host, password]) => metadataConnection({ host, port: db.port, database: db.database, username: db.username, password })),
                    ),
                },
            },
            { ...k8s, dependsOn: [db.resource] },
        );

        // Airflow launches Spark jobs (SparkKubernetesOperator) in the job namespace, nothing else there.
        const sparkRole = new Role(
            `${name}-spark-launcher`,
            {
                metadata: { name: "airflow-spark-launcher", namespace: args.namespaces.name(args.sparkJobNamespace) },
                rules: [
                    {
                        apiGroups: ["sparkoperator.k8s.io"],
                        resources: ["sparkapplications", "sparkapplications/status"],
                        verbs: ["create", "get", "list", "watch", "delete", "patch"],
                    },
                    { apiGroups: [""], resources: ["pods", "pods/log", "events"], verbs: ["get", "list", "watch"] },
                ],
            },
            k8s,
        );
        new RoleBinding(
            `${name}-spark-launcher`,
            {
                metadata: { name: "airflow-spark-launcher", namespace: args.namespaces.name(args.sparkJobNamespace) },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: sparkRole.metadata.name },
                subjects: [{ kind: "ServiceAccount", name: SERVICE_ACCOUNTS.airflow, namespace: ns }],
            },
            k8s,
        );

        const logs = args.data.logs;
        // Built leaf-wise: only the logs URL and identity leaves are unknown in a first preview.
        const values = leafwise({ identity: podIdentityInput(this.identity), logsUrl: logs.url }, ({ identity, logsUrl }) =>
            airflowValues({ cfg, logsUrl, identity: identity as PodIdentity, secrets: args.secrets }),
        );
        this.release = new Release(
            name,
            {
                name: "airflow",
                ...releaseChart(AIRFLOW_CHART, args.release),
                namespace,
                values,
            },
            { ...k8s, dependsOn: [metadata, ...this.identity.ready, logs.resource, ...(args.dependsOn ?? [])] },
        );
        this.registerOutputs({ release: this.release.status });
    }
}
