/**
 * Every chart version and image the platform deploys, pinned in one place.
 * Stack config (`dataplatform:charts`) may override a chart version, still pinned.
 */
export const CHARTS = {
    strimzi: { chart: "strimzi-kafka-operator", repo: "https://strimzi.io/charts/", version: "1.2.0" },
    strimziAccess: { chart: "oci://quay.io/strimzi-helm/strimzi-access-operator", repo: undefined, version: "0.3.0" },
    keda: { chart: "keda", repo: "https://kedacore.github.io/charts", version: "2.21.1" },
    sparkOperator: { chart: "spark-operator", repo: "https://kubeflow.github.io/spark-operator", version: "2.5.2" },
    airflow: { chart: "airflow", repo: "https://airflow.apache.org", version: "1.22.0" },
    kubePrometheusStack: { chart: "kube-prometheus-stack", repo: "https://prometheus-community.github.io/helm-charts", version: "92.3.0" },
    vaultSecretsOperator: { chart: "vault-secrets-operator", repo: "https://helm.releases.hashicorp.com", version: "1.6.1" },
    reloader: { chart: "reloader", repo: "https://stakater.github.io/stakater-charts", version: "2.2.18" },
} as const;
export type ChartKey = keyof typeof CHARTS;

/** Third-party images, pinned by tag. The platform's own images come from stack config. */
export const IMAGES = {
    spark: "apache/spark:4.0.4",
    airflow: "apache/airflow:3.2.2",
    gitSync: "registry.k8s.io/git-sync/git-sync:v4.4.2",
    /**
     * EKS node group autoscaling; its minor must match cluster.version on aws stacks
     * (release cluster-autoscaler-1.35.2, https://github.com/kubernetes/autoscaler/releases).
     */
    clusterAutoscaler: "registry.k8s.io/autoscaling/cluster-autoscaler:v1.35.2",
} as const;
export type ImageKey = keyof typeof IMAGES;
