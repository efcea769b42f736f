import * as fs from "fs";
import * as path from "path";
import { parseOptions } from "./options";
import { fromConfigMap, parseStackConfig, PlatformConfig } from "../components/config";
import { clusterPlacement } from "../components/gcp/cluster";
import { clusterName } from "../components/naming";
import { readStackYaml, toEngineConfig } from "./stackfile";

export const USAGE = `usage: npm run -s stacks -- [--github] [--images <stack> --tag <tag> | --digests <file>] [--dir <folder>]

Derives CI matrices from the stack files (Pulumi.*.yaml), so a new stack file is deployed without editing workflows.
  (no option)       JSON: {"all":[...],"staging":[...],"prod":[...]}, one entry per stack
  --github          the same as GITHUB_OUTPUT lines (all=..., staging=..., prod=...)
  --images <stack>  tab-separated "<config path> <image>" lines pointing the stack's platform images at --tag,
                    or at the digests in --digests (JSON {"spark-jobs":"sha256:...",...})

exit codes: 0 ok, 2 usage or config error`;

/** Images CI builds (docker/<dir>) and the repository name each is pushed as. */
export const BUILT_IMAGES = {
    "spark-jobs": "docker/spark/Dockerfile",
    airflow: "docker/airflow/Dockerfile",
    "curated-sink": "docker/curated-sink/Dockerfile",
} as const;

export interface StackEntry {
    stack: string;
    cloud: "gcp" | "aws";
    tier: "staging" | "prod";
    /** Registry the stack pulls platform images from: `<host>/<project|account>/dataplatform-<stack>` (its own). */
    registry: string;
    cluster: string;
    /** GKE location (zone or region) or AWS region. */
    location: string;
    kafka: string;
    /** Kafka client image of the stack's Strimzi release and Kafka version (Strimzi tags: <strimzi>-kafka-<kafka>). */
    kafkaClientImage: string;
    /** Registry host to log in to (`europe-west1-docker.pkg.dev`, `<account>.dkr.ecr.<region>.amazonaws.com`). */
    registryHost: string;
    /** Prod tier: the staging-tier registry of the same cloud whose images are promoted by digest. */
    promoteFrom: string;
}

/** A stack file's validated config, as the program would see it offline. */
export function loadStack(stack: string, dir: string): PlatformConfig {
    const engine = toEngineConfig(readStackYaml(stack, dir));
    const { raw, secretKeys, problems } = fromConfigMap(engine.config, engine.secretKeys);
    return parseStackConfig(raw, { stack, secretKeys, problems, offline: true });
}

export function stackNames(dir: string): string[] {
    return fs
        .readdirSync(dir)
        .filter((f) => /^Pulumi\..+\.yaml$/.test(f))
        .map((f) => f.slice(7, -5))
        .sort();
}

/** Config paths of the platform images a stack runs, keyed by the repository name CI pushes. */
export function imagePaths(cfg: PlatformConfig): { path: string; image: string; repository: string }[] {
    const all = [
        { path: "spark.image", image: cfg.spark.image },
        ...(cfg.airflow.image ? [{ path: "airflow.image", image: cfg.airflow.image }] : []),
        ...cfg.autoscaling.deployments.consumers.map((c, i) => ({ path: `autoscaling.deployments.consumers[${i}].image`, image: c.image })),
    ];
    return all.flatMap((x) => {
        const repository = /\/([^/@:]+)(?::[^/]*|@sha256:[a-f0-9]+)?$/.exec(x.image)?.[1] ?? "";
        return repository in BUILT_IMAGES ? [{ ...x, repository }] : [];
    });
}

function registryOf(image: string): string {
    return image.replace(/\/[^/]+$/, "");
}

export function entry(stack: string, cfg: PlatformConfig): StackEntry {
    const images = imagePaths(cfg);
    return {
        stack,
        cloud: cfg.cloud,
        tier: cfg.environment,
        registry: images.length ? registryOf(images[0].image) : "",
        cluster: clusterName(stack),
        location: cfg.cloud === "gcp" ? clusterPlacement(cfg).location : cfg.aws.region,
        kafka: cfg.kafka.version,
        kafkaClientImage: `quay.io/strimzi/kafka:${cfg.charts.strimzi}-kafka-${cfg.kafka.version}`,
        registryHost: images.length ? images[0].image.split("/")[0] : "",
        promoteFrom: "",
    };
}

export function matrices(dir: string): { all: StackEntry[]; staging: StackEntry[]; prod: StackEntry[] } {
    const all = stackNames(dir).map((s) => entry(s, loadStack(s, dir)));
    const staging = all.filter((e) => e.tier === "staging");
    for (const e of all.filter((x) => x.tier === "prod")) {
        const src = staging.find((s) => s.cloud === e.cloud);
        if (!src) throw new Error(`stack ${e.stack}: no staging-tier ${e.cloud} stack to promote images from`);
        e.promoteFrom = src.registry;
    }
    return { all, staging, prod: all.filter((e) => e.tier === "prod") };
}

/** `<config path>\t<image>` lines that point a stack at this commit's images (by tag, or by digest when given). */
export function imageSettings(stack: string, dir: string, ref: { tag?: string; digests?: Record<string, string> }): string[] {
    const cfg = loadStack(stack, dir);
    return imagePaths(cfg).map(({ path: p, image, repository }) => {
        const base = `${registryOf(image)}/${repository}`;
        if (ref.digests) {
            const d = ref.digests[repository];
            if (!/^sha256:[a-f0-9]{64}$/.test(d ?? "")) throw new Error(`--digests: no sha256 digest for ${repository}`);
            return `${p}\t${base}@${d}`;
        }
        return `${p}\t${base}:${ref.tag}`;
    });
}

function main(argv: string[]): number {
    const values = parseOptions(
        argv,
        {
            github: { type: "boolean", default: false },
            images: { type: "string" },
            tag: { type: "string" },
            digests: { type: "string" },
            dir: { type: "string", default: process.cwd() },
            help: { type: "boolean", short: "h", default: false },
        },
        () => USAGE,
    );
    if (typeof values === "number") return values;
    const dir = path.resolve(values.dir!);
    if (values.images) {
        if (!values.tag === !values.digests) {
            console.error(`--images needs exactly one of --tag or --digests\n\n${USAGE}`);
            return 2;
        }
        const digests = values.digests ? (JSON.parse(fs.readFileSync(values.digests, "utf8")) as Record<string, string>) : undefined;
        console.log(imageSettings(values.images, dir, { tag: values.tag, digests }).join("\n"));
        return 0;
    }
    const m = matrices(dir);
    // The one build pushes to every staging-tier registry: same bytes, same digest everywhere.
    const tags = Object.fromEntries(
        Object.keys(BUILT_IMAGES).map((r) => [r, [...new Set(m.staging.map((e) => e.registry))].map((g) => `${g}/${r}:${values.tag ?? "latest-build"}`)]),
    );
    if (values.github) {
        const lines = Object.entries(m).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
        for (const [r, t] of Object.entries(tags)) lines.push(`tags-${r}<<EOF`, ...t, "EOF");
        console.log(lines.join("\n"));
    } else console.log(JSON.stringify({ ...m, tags }, null, 2));
    return 0;
}

if (require.main === module) {
    try {
        process.exit(main(process.argv.slice(2)));
    } catch (e) {
        console.error(`stacks: ${(e as Error).message}`);
        process.exit(2);
    }
}
