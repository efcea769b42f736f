/**
 * Images the platform builds from this repository (`.github/workflows/deploy.yml`) and pushes to the stack's own
 * registry as `<registry>/<name>:<tag>`: the program creates one repository for each before anything pulls them.
 */
export const PLATFORM_IMAGES = [
    { name: "spark-jobs", dockerfile: "docker/spark/Dockerfile" },
    { name: "airflow", dockerfile: "docker/airflow/Dockerfile" },
    { name: "curated-sink", dockerfile: "docker/curated-sink/Dockerfile" },
] as const;

/** Artifact Registry repository id on GCP; ECR repository name prefix on AWS (`platform/<image>`). */
export const IMAGE_REPOSITORY = "platform";
