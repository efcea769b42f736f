import * as pulumi from "@pulumi/pulumi";

/** One registered resource as the engine would record it. */
export interface CapturedResource {
    type: string;
    name: string;
    urn: string;
    custom: boolean;
    parent?: string;
    /** Provider reference `urn::id`, when explicit. */
    provider?: string;
    /** URNs this resource depends on: explicit dependsOn and every Output input (implicit). */
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
    protect: boolean;
    retainOnDelete: boolean;
    ignoreChanges: string[];
    deleteBeforeReplace: boolean;
    /** The `replaceOnChanges` option: input paths whose change forces a replacement. */
    replaceOnChanges: string[];
    /** The `aliases` option: earlier URNs, or the parts of one that differ from this resource's. */
    aliases: AliasSpec[];
    /** Inputs with Outputs resolved; secret values kept, marked (see redact). */
    inputs: Record<string, unknown>;
}

/** An alias as the engine receives it: a URN, or the parts of the old URN that differ. */
export type AliasSpec = string | { name?: string; type?: string; stack?: string; project?: string; parentUrn?: string; noParent?: boolean };

function aliasSpec(a: any): AliasSpec {
    if (a.getUrn()) return a.getUrn();
    const s = a.getSpec();
    const out: Exclude<AliasSpec, string> = {};
    if (s.getName()) out.name = s.getName();
    if (s.getType()) out.type = s.getType();
    if (s.getStack()) out.stack = s.getStack();
    if (s.getProject()) out.project = s.getProject();
    if (s.getParenturn()) out.parentUrn = s.getParenturn();
    if (s.getNoparent()) out.noParent = true;
    return out;
}

const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
const SIG = "4dabf18193072939515e22adb298388d";
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Marks a captured secret so it is unwrapped for policies and redacted for printing. */
export class Secret {
    constructor(readonly value: unknown) {}
}

/** Marks an input that is unknown until the update (it depends on an output not yet created). */
export class Unknown {
    toString(): string {
        return "[unknown]";
    }
}
const UNKNOWN_INPUT = new Unknown();

/** Decodes the wire form of inputs: secrets become Secret, unknowns Unknown, resource references their URN. */
function decode(v: unknown): unknown {
    if (v === UNKNOWN) return UNKNOWN_INPUT;
    if (Array.isArray(v)) return v.map(decode);
    if (v !== null && typeof v === "object") {
        const o = v as Record<string, unknown>;
        if (o[SIG] === SECRET_SIG) return new Secret(decode(o.value));
        if (o[SIG] === RESOURCE_SIG) return o.urn;
        return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, decode(x)]));
    }
    return v;
}

/** Secret values as `[secret]`: what the plan prints and writes. */
export function redact(v: unknown): unknown {
    if (v instanceof Secret) return "[secret]";
    if (v instanceof Unknown) return "[unknown]";
    if (Array.isArray(v)) return v.map(redact);
    if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, redact(x)]));
    return v;
}

/** Secret values in clear: what policies see, as under `pulumi preview`. */
export function reveal(v: unknown): unknown {
    if (v instanceof Secret) return reveal(v.value);
    if (v instanceof Unknown) return "[unknown]";
    if (Array.isArray(v)) return v.map(reveal);
    if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, reveal(x)]));
    return v;
}

/** Inputs as the policy engine receives them: secrets in clear, unknowns as the engine's unknown sentinel. */
export function policyView(v: unknown): unknown {
    if (v instanceof Secret) return policyView(v.value);
    if (v instanceof Unknown) return UNKNOWN;
    if (Array.isArray(v)) return v.map(policyView);
    if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, policyView(x)]));
    return v;
}

/**
 * Wraps the mock monitor so every RegisterResource request is recorded with what the engine receives:
 * parent, provider, dependencies, property dependencies and resource options.
 */
export function captureRegistrations(): CapturedResource[] {
    const monitor = pulumi.runtime.getMonitor() as unknown as {
        registerResource(req: any, cb: (err: unknown, resp?: any) => void): void;
        readResource(req: any, cb: (err: unknown, resp?: any) => void): void;
    };
    const captured: CapturedResource[] = [];
    const original = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, cb) => {
        original(req, (err, resp) => {
            if (!err && resp) {
                const propDeps: Record<string, string[]> = {};
                req.getPropertydependenciesMap().forEach((v: any, k: string) => {
                    propDeps[k] = v.getUrnsList();
                });
                captured.push({
                    type: req.getType(),
                    name: req.getName(),
                    urn: resp.getUrn(),
                    custom: req.getCustom(),
                    parent: req.getParent() || undefined,
                    provider: req.getProvider() || undefined,
                    dependencies: [...new Set<string>(req.getDependenciesList())],
                    propertyDependencies: propDeps,
                    protect: !!req.getProtect(),
                    retainOnDelete: !!req.getRetainondelete(),
                    ignoreChanges: req.getIgnorechangesList(),
                    deleteBeforeReplace: req.getDeletebeforereplace(),
                    replaceOnChanges: req.getReplaceonchangesList(),
                    aliases: [...req.getAliasesList().map(aliasSpec), ...req.getAliasurnsList()],
                    inputs: decode(req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>,
                });
            }
            cb(err, resp);
        });
    };
    return captured;
}
