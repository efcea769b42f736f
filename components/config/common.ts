import { z } from "zod";

/** Reports one cross-field problem: key path below `dataplatform:`, the offending value, the rule. */
export type Report = (path: (string | number)[], value: unknown, message: string) => void;

export const name = z.string().regex(/^[a-z][a-z0-9-]{0,38}[a-z0-9]$/, "must be lower-case letters, digits and '-', 2-40 chars, starting with a letter");

export const cidr = z
    .string()
    .regex(/^(\d{1,3}\.){3}\d{1,3}\/(\d|[12]\d|3[0-2])$/, "must be an IPv4 CIDR such as 10.0.0.0/16")
    .refine(
        (s) =>
            s
                .split("/")[0]
                .split(".")
                .every((o) => Number(o) <= 255),
        "has an octet above 255",
    );

export const posInt = z.number().int().positive();
export const nonNegInt = z.number().int().nonnegative();

/** A pinned version: exact semver, never a range or `latest`. */
export const pinnedVersion = z.string().regex(/^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/, "must be an exact version such as 1.2.0 (no range, no 'latest')");

/** Kubernetes quantity such as 512Mi, 2Gi, 500m. */
export const quantity = z.string().regex(/^\d+(\.\d+)?(m|Ki|Mi|Gi|Ti)?$/, "must be a Kubernetes quantity such as 2Gi or 500m");

export const labelValue = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, "must be a lower-case label value (letters, digits, '_' or '-', ≤ 63 chars)");

/** Parses an IPv4 CIDR into [first, last] addresses as integers. */
export function cidrRange(c: string): [number, number] {
    const [ip, bits] = c.split("/");
    const n = ip.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
    const size = 2 ** (32 - Number(bits));
    const start = n - (n % size);
    return [start, start + size - 1];
}

export function cidrsOverlap(a: string, b: string): boolean {
    const [a0, a1] = cidrRange(a);
    const [b0, b1] = cidrRange(b);
    return a0 <= b1 && b0 <= a1;
}

export function cidrContains(outer: string, inner: string): boolean {
    const [o0, o1] = cidrRange(outer);
    const [i0, i1] = cidrRange(inner);
    return o0 <= i0 && i1 <= o1;
}
