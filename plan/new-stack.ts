import * as fs from "fs";
import * as path from "path";
import { parseOptions } from "./options";
import * as YAML from "yaml";
import { ConfigError, fromConfigMap, NAMESPACE, parseStackConfig } from "../components/config";
import { cidrsOverlap } from "../components/config/common";
import { stackNameProblems } from "../components/config/stack";
import { readStackYaml, StackFileError, toEngineConfig } from "./stackfile";
import { registryName } from "../components/naming";

export const USAGE = `usage: npm run new-stack -- --from <stack> --name <new> --project <gcp project | aws account id> [options]

Writes Pulumi.<new>.yaml from an existing stack file: the new project/account and region, fresh network ranges
that overlap no other stack file, the stack's own Vault mounts and registry paths; then prints what is left to fill in.

options:
  --from <stack>               stack file to start from (Pulumi.<stack>.yaml)
  --name <new>                 new stack name (lower-case letters, digits, '-'); any name, e.g. dev or eu-2
  --project <id>               GCP project (gcp stacks) or 12-digit AWS account id (aws stacks)
  --region <region>            region (default: the source's); zones/AZs keep their letters
  --tier <staging|prod>        the new stack's tier, dataplatform:environment (default: the source's)
  --warehouse-project <id>     aws stacks: GCP project of BigQuery (default: the source's)
  --dir <folder>               folder of the stack files (default: current folder)
  -h, --help                   this text

exit codes: 0 written, 2 usage or config error (nothing written)`;

export interface NewStackOptions {
    from: string;
    name: string;
    project: string;
    region?: string;
    tier?: "staging" | "prod";
    warehouseProject?: string;
    dir: string;
}

export interface NewStackResult {
    file: string;
    text: string;
    /** What the user still has to set or check before a real `pulumi up`. */
    todo: string[];
}

type Obj = Record<string, any>;

/** Every CIDR in every stack file of the folder (private ranges the new stack must not reuse). */
function usedCidrs(dir: string): string[] {
    const out: string[] = [];
    for (const f of fs.readdirSync(dir).filter((n) => /^Pulumi\..+\.yaml$/.test(n))) {
        const net = (readStackYaml(f.slice(7, -5), dir)[`${NAMESPACE}:network`] ?? {}) as Obj;
        for (const k of ["nodeCidr", "podsCidr", "servicesCidr", "controlPlaneCidr"]) if (typeof net[k] === "string") out.push(net[k]);
    }
    return out;
}

/** Moves an IPv4 CIDR by `delta` in its second octet (10.10.0.0/20 + 30 → 10.40.0.0/20). */
function shiftSecondOctet(c: string, delta: number): string {
    const [ip, bits] = c.split("/");
    const o = ip.split(".").map(Number);
    o[1] += delta;
    return `${o.join(".")}/${bits}`;
}

/** Fresh ranges: the source's layout moved to the first 10-block of second octets that overlaps no stack file. */
function freshNetwork(net: Obj, used: string[]): Obj {
    const keys = ["nodeCidr", "podsCidr", "servicesCidr"].filter((k) => typeof net[k] === "string");
    const free = (cs: string[]) => cs.every((c) => used.every((u) => !cidrsOverlap(c, u)) && Number(c.split(".")[1]) <= 255);
    let moved: Obj | undefined;
    for (let delta = 10; delta < 250 && !moved; delta += 10) {
        const candidate = Object.fromEntries(keys.map((k) => [k, shiftSecondOctet(net[k], delta)]));
        if (free(Object.values(candidate))) moved = candidate;
    }
    if (!moved) throw new ConfigError([`${NAMESPACE}:network: no free 10.x range left beside the existing stack files`]);
    const out: Obj = { ...net, ...moved };
    if (typeof net.controlPlaneCidr === "string") {
        // GKE control planes: the next free /28 in 172.16.0.0/16.
        for (let i = 0; i < 4096; i++) {
            const c = `172.16.${Math.floor(i / 16)}.${(i % 16) * 16}/28`;
            if (used.every((u) => !cidrsOverlap(c, u))) {
                out.controlPlaneCidr = c;
                break;
            }
        }
    }
    return out;
}

/**
 * Replaces the registry of an image by the new stack's: host/project (GCP) or account/region (ECR), and the source
 * stack's repository (`dataplatform-<from>`) by the new stack's own (`dataplatform-<name>`).
 */
function moveImage(image: string, cloud: string, project: string, region: string, from: string, name: string): string {
    const repo = (r: string) => (r === registryName(from) ? registryName(name) : r);
    if (cloud === "gcp")
        return image.replace(/^[a-z0-9-]+-docker\.pkg\.dev\/[^/]+\/([^/]+)\//, (_m, r: string) => `${region}-docker.pkg.dev/${project}/${repo(r)}/`);
    return image.replace(
        /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com\/([^/:@]+)\//,
        (_m, r: string) => `${project}.dkr.ecr.${region}.amazonaws.com/${repo(r)}/`,
    );
}

/** Builds the new stack file (text) and the list of what is left to fill in; validates it as the program would. */
export function newStack(o: NewStackOptions): NewStackResult {
    const usage = [
        ...(!o.from ? ["--from: required (the stack to start from)"] : []),
        ...(!o.name ? ["--name: required (the new stack's name)"] : stackNameProblems(o.name).map((p) => `--name: ${p}`)),
        ...(!o.project ? ["--project: required (GCP project id or AWS account id)"] : []),
    ];
    const file = path.join(o.dir, `Pulumi.${o.name}.yaml`);
    if (o.name && fs.existsSync(file)) usage.push(`--name: ${path.basename(file)} exists already; choose another name`);
    if (usage.length) throw new ConfigError(usage);

    const src = path.join(o.dir, `Pulumi.${o.from}.yaml`);
    readStackYaml(o.from, o.dir); // a missing or broken source file is a StackFileError
    const doc = YAML.parseDocument(fs.readFileSync(src, "utf8"));
    const get = (k: string): Obj => (doc.getIn(["config", `${NAMESPACE}:${k}`]) as YAML.YAMLMap | undefined)?.toJSON() ?? {};
    const set = (k: string, v: unknown) => doc.setIn(["config", `${NAMESPACE}:${k}`], doc.createNode(v, { flow: false }));
    const cloud = String(doc.getIn(["config", `${NAMESPACE}:cloud`]));
    const todo: string[] = [];

    if (o.tier) doc.setIn(["config", `${NAMESPACE}:environment`], o.tier);
    let region: string;
    if (cloud === "gcp") {
        const gcp = get("gcp");
        region = o.region ?? gcp.region;
        gcp.zones = (gcp.zones as string[]).map((z) => `${region}-${z.slice(z.lastIndexOf("-") + 1)}`);
        // The preview identity belongs to the project: carried over with the new project's id.
        if (typeof gcp.previewServiceAccount === "string") {
            gcp.previewServiceAccount = gcp.previewServiceAccount.replace(/@[^.]+\.iam\.gserviceaccount\.com$/, `@${o.project}.iam.gserviceaccount.com`);
            todo.push(`${NAMESPACE}:gcp.previewServiceAccount: ${gcp.previewServiceAccount} must exist in project ${o.project}`);
        }
        set("gcp", { ...gcp, project: o.project, region });
        if (o.region && o.region !== gcp.region) todo.push(`${NAMESPACE}:gcp.zones: check that ${gcp.zones.join(", ")} exist in ${region}`);
    } else {
        const aws = get("aws");
        region = o.region ?? aws.region;
        aws.availabilityZones = (aws.availabilityZones as string[]).map((z) => `${region}${z.slice(-1)}`);
        aws.adminRoleArns = (aws.adminRoleArns as string[]).map((a) => a.replace(/::\d{12}:/, `::${o.project}:`));
        if (typeof aws.previewRoleArn === "string") {
            aws.previewRoleArn = aws.previewRoleArn.replace(/::\d{12}:/, `::${o.project}:`);
            todo.push(`${NAMESPACE}:aws.previewRoleArn: ${aws.previewRoleArn} must exist in account ${o.project}`);
        }
        set("aws", { ...aws, accountId: o.project, region });
        todo.push(`${NAMESPACE}:aws.adminRoleArns: ${aws.adminRoleArns.join(", ")} must exist in account ${o.project}`);
    }
    set("network", freshNetwork(get("network"), usedCidrs(o.dir)));

    const wh = get("warehouse");
    if (cloud === "aws") {
        wh.project = o.warehouseProject ?? wh.project;
        if (!o.warehouseProject)
            todo.push(`${NAMESPACE}:warehouse.project: kept ${wh.project} (the datasets carry the stack name); pass --warehouse-project for another`);
        set("warehouse", wh);
    }
    const channelProject = cloud === "gcp" ? o.project : wh.project;

    const budget = get("budget");
    budget.notificationChannels = [`projects/${channelProject}/notificationChannels/0`];
    set("budget", budget);
    todo.push(`${NAMESPACE}:budget.notificationChannels: replace projects/${channelProject}/notificationChannels/0 with a real channel of ${channelProject}`);

    // Images: the stack's own registry (CI promotes by digest into it).
    const spark = get("spark");
    spark.image = moveImage(spark.image, cloud, o.project, region, o.from, o.name);
    set("spark", spark);
    const airflow = get("airflow");
    if (airflow.image) airflow.image = moveImage(airflow.image, cloud, o.project, region, o.from, o.name);
    set("airflow", airflow);
    const scaling = get("autoscaling");
    for (const c of scaling.deployments?.consumers ?? []) c.image = moveImage(c.image, cloud, o.project, region, o.from, o.name);
    set("autoscaling", scaling);
    todo.push(
        `images: ${cloud === "gcp" ? `${region}-docker.pkg.dev/${o.project}` : `${o.project}.dkr.ecr.${region}.amazonaws.com`}/${registryName(o.name)}: created by the stack's first \`pulumi up\` (deploy.yml's registry job); CI pushes the images there`,
    );

    // Vault: the stack's own mounts (derived from its name).
    const vault = get("vault");
    delete vault.kvMount;
    delete vault.authMount;
    if (vault.pki) delete vault.pki.mount;
    set("vault", vault);
    todo.push(`Vault: the secrets listed in README "Secrets and Vault" must be written under kv-dataplatform-${o.name}`);
    todo.push(`${NAMESPACE}:monitoring.receivers: check the targets (Slack channels) for ${o.name}`);
    if ((wh.biPrincipals ?? []).length) todo.push(`${NAMESPACE}:warehouse.biPrincipals: check who may read ${o.name}'s BI dataset`);

    // The source's header describes the source: replace it.
    const top = doc.contents as YAML.YAMLMap<YAML.Scalar, unknown>;
    top.commentBefore = undefined;
    if (top.items[0]?.key) top.items[0].key.commentBefore = undefined;
    doc.commentBefore = ` Stack ${o.name} (${String(doc.getIn(["config", `${NAMESPACE}:environment`]))} tier, ${cloud}): made by \`npm run new-stack\` from ${o.from}.`;
    const text = doc.toString({ lineWidth: 0 });

    // The result must be valid as written: parse it exactly as the program would.
    const engine = toEngineConfig((YAML.parse(text) as Obj).config);
    const { raw, secretKeys, problems } = fromConfigMap(engine.config, engine.secretKeys);
    parseStackConfig(raw, { stack: o.name, secretKeys, problems, offline: true });
    return { file, text, todo };
}

function main(argv: string[]): number {
    const values = parseOptions(
        argv,
        {
            from: { type: "string" },
            name: { type: "string" },
            project: { type: "string" },
            region: { type: "string" },
            tier: { type: "string" },
            "warehouse-project": { type: "string" },
            dir: { type: "string", default: process.cwd() },
            help: { type: "boolean", short: "h", default: false },
        },
        () => USAGE,
    );
    if (typeof values === "number") return values;
    if (values.tier !== undefined && values.tier !== "staging" && values.tier !== "prod") {
        console.error(`--tier: ${JSON.stringify(values.tier)} is not allowed; expected staging or prod\n\n${USAGE}`);
        return 2;
    }
    try {
        const r = newStack({
            from: values.from ?? "",
            name: values.name ?? "",
            project: values.project ?? "",
            region: values.region,
            tier: values.tier as "staging" | "prod" | undefined,
            warehouseProject: values["warehouse-project"],
            dir: values.dir!,
        });
        fs.writeFileSync(r.file, r.text);
        console.log(
            `Wrote ${path.basename(r.file)}. Check it with: npm run plan -- --stack ${values.name}\n\nLeft to fill in:\n${r.todo.map((t) => `  - ${t}`).join("\n")}`,
        );
        return 0;
    } catch (e) {
        if (e instanceof ConfigError || e instanceof StackFileError) {
            console.error(`new-stack: ${e.message}`);
            return 2;
        }
        throw e;
    }
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
