/**
 * Process settings of the plan CLI (and of the benchmark, which measures what the CLI does).
 * The SDK captures `new Error().stack` for every promise it tracks and every resource it registers
 * (debugging aids and source positions the engine would show); under tsx each capture also maps
 * frames through source maps. The CLI prints error messages only, so it skips both: about 40% less
 * CPU per resource. PLAN_STACK_TRACES=1 keeps full traces for debugging the harness.
 */
export function useFastStackTraces(): void {
    if (process.env.PLAN_STACK_TRACES === "1") return;
    process.setSourceMapsEnabled(false);
    Error.stackTraceLimit = 0;
}
