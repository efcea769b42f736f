/**
 * `npm run bench`: performance of the offline plan and the developer loop (never asserted in tests).
 * Every measurement runs in its own child process under GNU time, so peak RSS is the process's own:
 *   plan    — offline plan of prod vs the floor (a process that only loads the modules the plan loads
 *             from node_modules, with the same tsx loader), and their ratio;
 *   scaling — prod with 10, 100, 1,000 generated topics + users: time per added resource, linearity;
 *   diff    — what `--base` adds to a plan: read the base JSON, diff, fold the diff into the JSON (≤ 10 %);
 *   tooling — `tsc --noEmit` time and memory, `npm test` wall time.
 * Flags: --quick (skip npm test), --stack NAME (default prod).
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";

const ROOT = path.resolve(__dirname, "..");
const SELF = path.join(ROOT, "plan", "bench.ts");
const TARGETS = { diffShare: 0.1, planRatio: 2.0, planRssMb: 400, scale1000Sec: 10, tscSec: 5, tscRssMb: 700, testSec: 60 };

interface Measured {
    wallSec: number;
    cpuSec: number;
    rssMb: number;
    status: number | null;
    stdout: string;
}

/** Runs a command under GNU time: wall seconds and peak RSS of the process tree's largest process. */
function measure(cmd: string, args: string[]): Measured {
    const out = path.join(os.tmpdir(), `bench-time-${process.pid}-${Date.now()}`);
    const r = spawnSync("/usr/bin/time", ["-o", out, "-f", "%e %M %U %S", cmd, ...args], { cwd: ROOT, encoding: "utf8", maxBuffer: 64 << 20 });
    const [wall, kb, user, sys] = fs.readFileSync(out, "utf8").trim().split("\n").pop()!.split(" ").map(Number);
    fs.rmSync(out, { force: true });
    return { wallSec: wall, cpuSec: user + sys, rssMb: kb / 1024, status: r.status, stdout: r.stdout };
}

/** node with the tsx loader, as `npm run plan` runs the program (one process, no tsx CLI wrapper). */
const node = (...args: string[]) => measure(process.execPath, ["--import", "tsx", ...args]);

interface ChildResult {
    resources: number;
    planMs: number;
    cpuMs?: number;
    diffMs?: number;
}

// ---- child modes ---------------------------------------------------------------------------------

/** Generated topics and users that satisfy the config rules (producer per topic, in a client namespace). */
export function addTopicsAndUsers(config: Record<string, any>, n: number): void {
    const kafka = config["dataplatform:kafka"];
    const ns = kafka.clientNamespaces[0];
    for (let i = 0; i < n; i++) {
        kafka.topics.push({ name: `bench.t${i}`, partitions: 3, retentionHours: 24 });
        kafka.users.push({ name: `bench-u${i}`, role: "producer", topics: [`bench.t${i}`], namespaces: [ns] });
    }
}

async function childPlan(stack: string, n: number, modulesFile?: string): Promise<void> {
    const { planStack } = await import("./run");
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const plan = await planStack(stack, { mutate: (c) => addTopicsAndUsers(c, n), skipPolicies: !!process.env.BENCH_SKIP_POLICIES });
    const planMs = performance.now() - t0;
    const cpu = process.cpuUsage(c0);
    // The diff as the CLI runs it with --base: parse the base file's text, diff, fold into the JSON.
    const { toPreviewJson, withDiff } = await import("./json");
    const { diffPlans } = await import("./diff");
    const baseText = JSON.stringify(toPreviewJson(plan));
    const d0 = performance.now();
    const head = toPreviewJson(plan);
    const base = JSON.parse(baseText);
    withDiff(head, base, diffPlans(base, head, { retentionFloorHours: plan.config.review.retentionFloorHours }));
    const diffMs = performance.now() - d0;
    const res: ChildResult = { resources: plan.resources.length, planMs, cpuMs: (cpu.user + cpu.system) / 1000, diffMs };
    if (modulesFile) {
        // What the plan loaded from node_modules, in load order: the floor process loads exactly these.
        const mods = Object.keys(require.cache).filter((f) => f.includes(`${path.sep}node_modules${path.sep}`) && !f.includes(`${path.sep}tsx${path.sep}`));
        fs.writeFileSync(modulesFile, JSON.stringify(mods));
    }
    process.stdout.write(JSON.stringify(res) + "\n");
    process.exit(0);
}

function childFloor(modulesFile: string): void {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    for (const m of JSON.parse(fs.readFileSync(modulesFile, "utf8")) as string[]) require(m);
    process.stdout.write(JSON.stringify({ resources: 0, planMs: 0 }) + "\n");
    process.exit(0);
}

// ---- report --------------------------------------------------------------------------------------

const parseChild = (m: Measured): ChildResult => {
    const line = m.stdout.trim().split("\n").pop() ?? "";
    try {
        return JSON.parse(line) as ChildResult;
    } catch {
        throw new Error(`benchmark child failed (exit ${m.status}): ${m.stdout.slice(-500)}`);
    }
};
const f1 = (x: number) => x.toFixed(1);
const f2 = (x: number) => x.toFixed(2);
const ok = (good: boolean) => (good ? "ok" : "MISSED");

function printTable(rows: string[][]): void {
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
    rows.forEach((r, j) => {
        console.log(
            r
                .map((c, i) => (c ?? "").padEnd(widths[i]))
                .join("  ")
                .trimEnd(),
        );
        if (j === 0) console.log(widths.map((w) => "-".repeat(w)).join("  "));
    });
}

async function main(): Promise<void> {
    const { values } = parseArgs({
        options: {
            child: { type: "string" },
            stack: { type: "string", default: "prod" },
            n: { type: "string", default: "0" },
            modules: { type: "string" },
            quick: { type: "boolean", default: false },
        },
    });
    if (values.child === "plan") return childPlan(values.stack!, Number(values.n), values.modules);
    if (values.child === "floor") return childFloor(values.modules!);

    const stack = values.stack!;
    const modules = path.join(os.tmpdir(), `bench-modules-${process.pid}.json`);
    // CPU seconds are reported next to wall seconds: on a shared machine wall time mostly measures contention.
    const rows: string[][] = [["measurement", "wall s", "CPU s", "peak RSS MB", "detail", "target", "result"]];

    // Warm the filesystem cache and tsx's compile cache once, so the runs compare steady states.
    node(SELF, "--child", "plan", "--stack", stack, "--modules", modules);
    const plan = node(SELF, "--child", "plan", "--stack", stack, "--modules", modules);
    const planRes = parseChild(plan);
    const floor = node(SELF, "--child", "floor", "--modules", modules);
    parseChild(floor);
    const timeRatio = plan.wallSec / floor.wallSec;
    const cpuRatio = plan.cpuSec / floor.cpuSec;
    const rssRatio = plan.rssMb / floor.rssMb;
    const nMods = (JSON.parse(fs.readFileSync(modules, "utf8")) as string[]).length;
    fs.rmSync(modules, { force: true });
    rows.push([
        `plan ${stack} (${planRes.resources} resources)`,
        f2(plan.wallSec),
        f2(plan.cpuSec),
        f1(plan.rssMb),
        `program+policies ${f2(planRes.planMs / 1000)} s wall, ${f2((planRes.cpuMs ?? 0) / 1000)} s CPU`,
        `≤ ${TARGETS.planRssMb} MB`,
        ok(plan.rssMb <= TARGETS.planRssMb),
    ]);
    const share = (planRes.diffMs ?? 0) / planRes.planMs;
    rows.push([
        `plan diff (--base, ${planRes.resources} resources)`,
        f2((planRes.diffMs ?? 0) / 1000),
        "",
        "",
        `${f1(share * 100)} % of the plan's own time`,
        `≤ ${TARGETS.diffShare * 100} %`,
        ok(share <= TARGETS.diffShare),
    ]);
    rows.push([`floor (require ${nMods} files from node_modules)`, f2(floor.wallSec), f2(floor.cpuSec), f1(floor.rssMb), "", "", ""]);
    rows.push([
        "plan / floor",
        f2(timeRatio),
        f2(cpuRatio),
        f2(rssRatio),
        "ratios",
        `≤ ${TARGETS.planRatio}`,
        ok(Math.min(timeRatio, cpuRatio) <= TARGETS.planRatio && rssRatio <= TARGETS.planRatio),
    ]);

    // Scaling: added topics+users vs the same stack as shipped (in-process CPU of program + policies).
    type Point = { n: number; resources: number; cpuSec: number; wallSec: number; rssMb: number };
    const points: Point[] = [{ n: 0, resources: planRes.resources, cpuSec: (planRes.cpuMs ?? 0) / 1000, wallSec: plan.wallSec, rssMb: plan.rssMb }];
    for (const n of [10, 100, 1000]) {
        const m = node(SELF, "--child", "plan", "--stack", stack, "--n", String(n));
        const r = parseChild(m);
        points.push({ n, resources: r.resources, cpuSec: (r.cpuMs ?? 0) / 1000, wallSec: m.wallSec, rssMb: m.rssMb });
        const added = r.resources - planRes.resources;
        const perRes = ((points.at(-1)!.cpuSec - points[0].cpuSec) / added) * 1000;
        rows.push([
            `plan +${n} topics+users (+${added} resources)`,
            f2(m.wallSec),
            f2(m.cpuSec),
            f1(m.rssMb),
            `${f2(perRes)} ms CPU per added resource`,
            n === 1000 ? `≤ ${TARGETS.scale1000Sec} s` : "",
            n === 1000 ? ok(Math.min(m.wallSec, m.cpuSec) <= TARGETS.scale1000Sec) : "",
        ]);
    }
    // Linearity: marginal CPU per resource between 100 and 1000 vs between 0 and 100 (1.0 = linear).
    const slope = (a: Point, b: Point) => (b.cpuSec - a.cpuSec) / (b.resources - a.resources);
    const linearity = slope(points[2], points[3]) / slope(points[0], points[2]);
    rows.push(["scaling linearity (slope 100→1000 / 0→100)", "", "", "", f2(linearity), "≈ 1", ok(linearity < 1.5)]);

    const tscBin = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
    const tsc = measure(process.execPath, [tscBin, "--noEmit"]);
    rows.push([
        "tsc --noEmit",
        f2(tsc.wallSec),
        f2(tsc.cpuSec),
        f1(tsc.rssMb),
        tsc.status === 0 ? "clean" : `exit ${tsc.status}`,
        `≤ ${TARGETS.tscSec} s, ≤ ${TARGETS.tscRssMb} MB`,
        ok(Math.min(tsc.wallSec, tsc.cpuSec) <= TARGETS.tscSec && tsc.rssMb <= TARGETS.tscRssMb),
    ]);

    if (!values.quick) {
        const npm = execFileSync("which", ["npm"], { encoding: "utf8" }).trim();
        const t = measure(npm, ["test", "--silent"]);
        rows.push([
            "npm test (tsc + eslint + mocha)",
            f2(t.wallSec),
            f2(t.cpuSec),
            f1(t.rssMb),
            t.status === 0 ? "passing" : `exit ${t.status}`,
            `≤ ${TARGETS.testSec} s`,
            ok(t.wallSec <= TARGETS.testSec),
        ]);
    }

    const load = os.loadavg()[0];
    console.log(`Benchmark (node ${process.version}, ${os.cpus().length} CPUs, ${os.cpus()[0]?.model ?? "?"}, load average ${load.toFixed(1)})\n`);
    printTable(rows);
}

main().catch((e: unknown) => {
    console.error(`bench failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
});
