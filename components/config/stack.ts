import type { Report } from "./common";
import { containsStack, registryName, vaultMounts } from "../naming";

/** What the per-stack rules read of the parsed config. */
export interface StackScoped {
    cloud: "gcp" | "aws";
    gcp?: { project: string };
    aws?: { accountId: string; region: string };
    warehouse: { project?: string };
    budget: { notificationChannels: readonly string[] };
    vault: { kvMount?: string; authMount?: string; pki: { enabled: boolean; mount?: string } };
    spark: { image: string };
    airflow: { image?: string };
    autoscaling: { deployments: { consumers: readonly { image: string }[] } };
}

const STACK_NAME = /^[a-z][a-z0-9-]{0,38}[a-z0-9]$/;

/** Problems with the stack name itself (it goes into every per-stack identifier). */
export function stackNameProblems(stack: string): string[] {
    return STACK_NAME.test(stack)
        ? []
        : [
              `stack name ${JSON.stringify(stack)}: must be 2-40 lower-case letters, digits and '-', starting with a letter (it names buckets, datasets, accounts and mounts)`,
          ];
}

type Registry = ({ kind: "gcp"; project: string } | { kind: "aws"; account: string; region: string }) & { repository: string };

/**
 * Artifact Registry (`<loc>-docker.pkg.dev/<project>/<repository>/…`) or ECR (`<account>.dkr.ecr.<region>.amazonaws.com/<prefix>/…`)
 * owner of an image, with the repository (GCP) or the first segment of the repository name (ECR).
 */
function registryOf(image: string): Registry | undefined {
    const g = /^[a-z0-9-]+-docker\.pkg\.dev\/([^/]+)\/([^/]+)\//.exec(image);
    if (g) return { kind: "gcp", project: g[1], repository: g[2] };
    const a = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com\/([^/:@]+)/.exec(image);
    if (a) return { kind: "aws", account: a[1], region: a[2], repository: a[3] };
    return undefined;
}

/** The program's registries are `dataplatform-<stack>`; `platform` was the one all stacks of a project shared. */
const STACK_REGISTRY = /^(dataplatform-[a-z0-9-]+|platform)$/;

/**
 * Identifiers that belong to one stack: mounts must carry the stack name, and images and notification channels
 * must live in the stack's own project or account. A file copied from another stack fails here, naming the key.
 */
export function stackRules(cfg: StackScoped, stack: string, report: Report): void {
    const defaults = vaultMounts(stack);
    const mounts: [string[], string | undefined, string][] = [
        [["vault", "kvMount"], cfg.vault.kvMount, defaults.kvMount],
        [["vault", "authMount"], cfg.vault.authMount, defaults.authMount],
        [["vault", "pki", "mount"], cfg.vault.pki.enabled ? cfg.vault.pki.mount : undefined, defaults.pkiMount],
    ];
    for (const [path, value, dflt] of mounts) {
        if (value !== undefined && !containsStack(value, stack)) {
            report(path, value, `does not contain the stack name "${stack}" (another stack's mount?); remove it for the default ${dflt}`);
        }
    }

    const images: [(string | number)[], string | undefined][] = [
        [["spark", "image"], cfg.spark.image],
        [["airflow", "image"], cfg.airflow.image],
        ...cfg.autoscaling.deployments.consumers.map((c, i): [(string | number)[], string] => [
            ["autoscaling", "deployments", "consumers", i, "image"],
            c.image,
        ]),
    ];
    for (const [path, image] of images) {
        const reg = image ? registryOf(image) : undefined;
        if (!reg) continue;
        if (cfg.cloud === "gcp" && reg.kind === "gcp" && cfg.gcp && reg.project !== cfg.gcp.project) {
            report(
                path,
                image,
                `is in another project's registry (${reg.project}); use the stack's own (gcp.project ${cfg.gcp.project}): CI promotes images there by digest`,
            );
        }
        if (cfg.cloud === "aws" && reg.kind === "aws" && cfg.aws && (reg.account !== cfg.aws.accountId || reg.region !== cfg.aws.region)) {
            report(
                path,
                image,
                `is in another account's or region's registry (${reg.account}, ${reg.region}); use the stack's own (${cfg.aws.accountId}, ${cfg.aws.region}): CI promotes images there by digest`,
            );
        }
        const own = registryName(stack);
        if (STACK_REGISTRY.test(reg.repository) && reg.repository !== own) {
            report(
                path,
                image,
                `is in another stack's registry (${reg.repository}); use this stack's own ${own} (the program creates it and CI promotes images there by digest)`,
            );
        }
    }

    const project = cfg.cloud === "gcp" ? cfg.gcp?.project : cfg.warehouse.project;
    cfg.budget.notificationChannels.forEach((c, i) => {
        const m = /^projects\/([^/]+)\/notificationChannels\//.exec(c);
        if (!m) report(["budget", "notificationChannels", i], c, "must be a channel name such as projects/<project>/notificationChannels/<id>");
        else if (project && m[1] !== project)
            report(
                ["budget", "notificationChannels", i],
                c,
                `is a channel of another project (${m[1]}); budget alerts of this stack go to a channel in ${project}`,
            );
    });
}
