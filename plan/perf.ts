/**
 * The SDK captures `new Error().stack` for every promise it tracks and every resource it registers
 * (debugging aids and source positions the engine would show); under tsx each capture also maps frames
 * through source maps. A plan needs neither, so it runs without both: about 40% less CPU per resource.
 * Settings are restored afterwards, so test failures keep their traces. PLAN_STACK_TRACES=1 keeps full
 * traces for debugging the harness.
 */
export async function withFastStackTraces<T>(fn: () => Promise<T>): Promise<T> {
    if (process.env.PLAN_STACK_TRACES === "1") return fn();
    const limit = Error.stackTraceLimit;
    const maps = (process as { sourceMapsEnabled?: boolean }).sourceMapsEnabled ?? true;
    process.setSourceMapsEnabled(false);
    Error.stackTraceLimit = 0;
    try {
        return await fn();
    } finally {
        Error.stackTraceLimit = limit;
        process.setSourceMapsEnabled(maps);
    }
}
