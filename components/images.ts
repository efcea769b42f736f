/**
 * Images the platform builds from this repository (`.github/workflows/deploy.yml`) and pushes to the stack's own
 * registry (`dataplatform-<stack>`) as `<registry>/<name>:<tag>`: the program creates one repository for each before anything pulls them.
 */
export const PLATFORM_IMAGES = [
    { name: "spark-jobs", dockerfile: "docker/spark/Dockerfile" },
    { name: "airflow", dockerfile: "docker/airflow/Dockerfile" },
    { name: "curated-sink", dockerfile: "docker/curated-sink/Dockerfile" },
] as const;
// The registry's name is per stack: registryName in components/naming.ts.
