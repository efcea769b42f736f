import { strict as assert } from "assert";
import { AwsStack, ConfigError, fromConfigMap, GcpStack, parseStackConfig, PlatformConfig } from "../../components/config";
import { readStackYaml, toEngineConfig } from "../../plan/stackfile";

/** A stack's config as plain, mutable data (namespace stripped). */
export type Raw = Record<string, any>;

/** Options passed on to parseStackConfig besides the stack and its secret keys. */
export interface ParseExtras {
    /** True to parse as the offline plan does (secure values are placeholders). */
    offline?: boolean;
    /** Day versions are judged against (YYYY-MM-DD). */
    asOf?: string;
}

/** A shipped stack's config as the program receives it (namespace stripped, secure values as placeholders), as a fresh deep copy. */
export function stackRaw(stack: string): { raw: Raw; secretKeys: string[] } {
    const engine = toEngineConfig(readStackYaml(stack));
    const { raw, secretKeys } = fromConfigMap(engine.config, engine.secretKeys);
    return { raw: structuredClone(raw), secretKeys };
}

/** A shipped stack's config, changed by `mutate` first, parsed into a PlatformConfig (throws a ConfigError when invalid). */
export function stackConfig(stack: string, mutate: (raw: Raw) => void = () => undefined, extras: ParseExtras = {}): PlatformConfig {
    const { raw, secretKeys } = stackRaw(stack);
    mutate(raw);
    return parseStackConfig(raw, { stack, secretKeys, ...extras });
}

/** The problems a shipped stack's config has once changed by `mutate`; fails when it is accepted or the error is no ConfigError. */
export function configProblems(stack: string, mutate: (raw: Raw) => void, extras: ParseExtras = {}): readonly string[] {
    try {
        stackConfig(stack, mutate, extras);
    } catch (e) {
        assert.ok(e instanceof ConfigError, `expected ConfigError, got ${String(e)}`);
        return e.problems;
    }
    assert.fail("config was accepted");
}

/** Asserts that the first problem naming `key` (changed by `mutate`) matches `message`. */
export function expectProblem(stack: string, mutate: (raw: Raw) => void, key: string, message: RegExp): void {
    const problems = configProblems(stack, mutate);
    const hit = problems.find((p) => p.startsWith(`${key}:`));
    assert.ok(hit, `no problem names ${key}:\n${problems.join("\n")}`);
    assert.match(hit, message);
}

/** Asserts that some problem naming `key` (changed by `mutate`) matches `message`; returns all problems for further checks. */
export function expectAnyProblem(stack: string, mutate: (raw: Raw) => void, key: string, message: RegExp): readonly string[] {
    const problems = configProblems(stack, mutate);
    assert.ok(
        problems.some((p) => p.startsWith(`${key}:`) && message.test(p)),
        `no problem for ${key} matching ${message}: ${problems.join("\n")}`,
    );
    return problems;
}

/** A gcp stack's validated config, narrowed to GcpStack (fails on another cloud). */
export function gcpStack(cfg: PlatformConfig): GcpStack {
    if (cfg.cloud !== "gcp") assert.fail(`expected a gcp stack, got ${cfg.cloud} (${cfg.stack})`);
    return cfg;
}

/** An aws stack's validated config, narrowed to AwsStack (fails on another cloud). */
export function awsStack(cfg: PlatformConfig): AwsStack {
    if (cfg.cloud !== "aws") assert.fail(`expected an aws stack, got ${cfg.cloud} (${cfg.stack})`);
    return cfg;
}
