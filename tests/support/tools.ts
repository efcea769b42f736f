import { spawnSync } from "child_process";

/** Debian packages of the Prometheus tools the tests run (.ci/run installs them). */
const PACKAGES: Record<string, string> = { promtool: "prometheus", amtool: "prometheus-alertmanager" };

export interface ToolResult {
    status: number;
    output: string;
}

/** Runs a Prometheus tool; a missing tool is an error that names its package, never a skipped test. */
export function runTool(tool: "promtool" | "amtool", args: string[], cwd?: string): ToolResult {
    const r = spawnSync(tool, args, { cwd, encoding: "utf8", timeout: 120_000 });
    if (r.error) {
        const missing = (r.error as NodeJS.ErrnoException).code === "ENOENT";
        throw new Error(
            missing
                ? `${tool} is not installed: install the Debian package ${PACKAGES[tool]} (apt-get install ${PACKAGES[tool]}), as .ci/run does`
                : `${tool} ${args.join(" ")}: ${r.error.message}`,
        );
    }
    return { status: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}
