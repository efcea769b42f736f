import * as pulumi from "@pulumi/pulumi";
import { randomBytes } from "crypto";

/** Replaces every Output of a structure with a plain value; the rest of the structure is copied as it is. */
type Plain<T> =
    T extends pulumi.OutputInstance<infer U> ? Plain<U> : T extends (infer E)[] ? Plain<E>[] : T extends object ? { [K in keyof T]: Plain<T[K]> } : T;

/**
 * Runs a pure builder over inputs that hold Outputs so that, in the result, only the leaves made from an Output are
 * Outputs. Building inside `apply` makes the whole result one Output: in a first preview (an Output of a resource not
 * yet created is unknown) a whole pod spec or values block is then unknown, and the policies that read its
 * containers' resources or security context cannot decide. Pulumi serialises nested Outputs leaf by leaf, so here
 * only a Secret's name or a bucket URL is unknown.
 *
 * Each Output (at any depth of `inputs`) reaches the builder as an opaque placeholder string; afterwards a string of
 * the result that is a placeholder becomes that Output, and one that contains placeholders (a URL, a rendered YAML
 * document) becomes an Output of the same string with the values put in. The builder must therefore only place or
 * concatenate such values, never inspect them: `tests/leafwise.test.ts` checks that the result, once resolved,
 * equals building from the resolved inputs.
 */
export function leafwise<I, T>(inputs: I, build: (plain: Plain<I>) => T): pulumi.Input<T> {
    const prefix = `leaf${randomBytes(6).toString("hex")}_`;
    const outputs: pulumi.Output<unknown>[] = [];
    const hide = (v: unknown): unknown => {
        if (pulumi.Output.isInstance(v)) {
            outputs.push(v);
            return `${prefix}${outputs.length - 1}_`;
        }
        if (Array.isArray(v)) return v.map(hide);
        if (v !== null && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
            return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, hide(x)]));
        }
        if (v instanceof Promise) throw new Error("leafwise: a Promise input is not supported; pass an Output");
        return v;
    };
    const built = build(hide(inputs) as Plain<I>);
    const token = new RegExp(`${prefix}(\\d+)_`, "g");
    const exact = new RegExp(`^${prefix}(\\d+)_$`);
    const show = (v: unknown, path: string): unknown => {
        if (typeof v === "string") {
            const m = exact.exec(v);
            if (m) return outputs[Number(m[1])];
            const used = [...v.matchAll(token)].map((x) => Number(x[1]));
            if (!used.length) return v;
            return pulumi.all(used.map((i) => outputs[i])).apply((vals) =>
                v.replace(token, (_, i: string) => {
                    const x = vals[used.indexOf(Number(i))];
                    if (typeof x !== "string" && typeof x !== "number") throw new Error(`leafwise: at ${path}, an Output inside a string is a ${typeof x}`);
                    return String(x);
                }),
            );
        }
        if (Array.isArray(v)) return v.map((x, i) => show(x, `${path}[${i}]`));
        if (v !== null && typeof v === "object") {
            return Object.fromEntries(
                Object.entries(v).map(([k, x]) => {
                    if (k.includes(prefix)) throw new Error(`leafwise: at ${path}, an Output is used as an object key`);
                    return [k, show(x, `${path}.${k}`)];
                }),
            );
        }
        return v;
    };
    return show(built, "") as pulumi.Input<T>;
}
