import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as ts from "typescript";

/**
 * The layering of components/, checked on every import: a layer imports only its own modules, the contracts and the
 * shared modules; shared modules import no layer; only the composition modules (the wiring) see every layer.
 */

const COMPONENTS = path.join(__dirname, "..", "components");

/** Kubernetes layers: cloud-agnostic, never see another layer's private modules nor the cloud. */
const KUBERNETES_LAYERS = ["kafka", "keda", "spark", "airflow", "vault", "monitoring"];
/** Cloud layers: the foundations and data layer of each cloud. */
const CLOUD_LAYERS = ["gcp", "aws", "bigquery"];
/** What every layer may import: the contracts between layers, Kubernetes helpers, config types, pins, labels and names. */
const SHARED_FOLDERS = ["contracts", "k8s", "config"];
const SHARED_FILES = ["foundation/contract.ts", "interfaces.ts", "labels.ts", "naming.ts", "names.ts", "versions.ts", "images.ts", "support-windows.ts"];
/** Composition: turn config into layers' args and wire the layers together (the foundation factory picks the cloud); they may import every layer. */
const COMPOSITION = ["foundation/index.ts", "platform.ts", "wiring.ts", "processing.ts", "workloads.ts", "cluster-network.ts"];

/** Imports that cross the rules on purpose, each with its reason (importer → imported module, paths under components/). */
const EXCEPTIONS: readonly { from: string; to: RegExp; why: string }[] = [
    {
        from: "k8s/flows.ts",
        to: /^kafka\/network-policy\.ts$/,
        why: "the platform's flow table (one NetworkPolicy set for all namespaces) includes Kafka's pods and flows as Strimzi labels them",
    },
    {
        from: "config/processing.ts",
        to: /^(gcp|bigquery)\/tables\.ts$/,
        why: "config validation checks spark.compaction.targetTable against the BigQuery table files before any resource exists",
    },
];

/** Where a module under components/ belongs. */
type Place = { kind: "layer"; layer: string; cloud: boolean } | { kind: "shared" } | { kind: "composition" } | { kind: "unclassified"; module: string };

function placeOf(rel: string): Place {
    // Files named by path (the foundation's contract and its factory) before folders.
    if (COMPOSITION.includes(rel)) return { kind: "composition" };
    if (SHARED_FILES.includes(rel)) return { kind: "shared" };
    const [top, ...rest] = rel.split("/");
    if (rest.length === 0) {
        if (COMPOSITION.includes(top)) return { kind: "composition" };
        return SHARED_FILES.includes(top) ? { kind: "shared" } : { kind: "unclassified", module: top };
    }
    if (KUBERNETES_LAYERS.includes(top)) return { kind: "layer", layer: top, cloud: false };
    if (CLOUD_LAYERS.includes(top)) return { kind: "layer", layer: top, cloud: true };
    if (SHARED_FOLDERS.includes(top)) return { kind: "shared" };
    return { kind: "unclassified", module: top };
}

function sourceFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const p = path.join(dir, e.name);
        return e.isDirectory() ? sourceFiles(p) : e.name.endsWith(".ts") ? [p] : [];
    });
}

/** Relative imports of a file (static, type-only, re-exports and import("…") types), resolved to paths under `root`. */
export function importsOf(root: string, file: string): string[] {
    const info = ts.preProcessFile(fs.readFileSync(file, "utf8"), true, true);
    return info.importedFiles
        .map((f) => f.fileName)
        .filter((m) => m.startsWith("."))
        .map((m) => {
            const base = path.resolve(path.dirname(file), m);
            const target = [`${base}.ts`, path.join(base, "index.ts")].find((c) => fs.existsSync(c)) ?? `${base}.ts`;
            return path.relative(root, target).split(path.sep).join("/");
        });
}

/** Every import of `root` (a components/ tree) that breaks the layering, as "importer → imported: why". */
export function layeringViolations(root: string): string[] {
    const out: string[] = [];
    for (const file of sourceFiles(root)) {
        const from = path.relative(root, file).split(path.sep).join("/");
        const src = placeOf(from);
        if (src.kind === "unclassified") {
            out.push(`${from}: ${src.module} is neither a layer, shared nor composition; classify it in tests/architecture.test.ts`);
            continue;
        }
        for (const to of importsOf(root, file)) {
            if (to.startsWith("..")) continue;
            const dst = placeOf(to);
            if (EXCEPTIONS.some((e) => e.from === from && e.to.test(to))) continue;
            const problem = ((): string | undefined => {
                if (src.kind === "composition" || dst.kind === "shared") return undefined;
                if (dst.kind === "composition") return "imports a composition module (only the wiring sees every layer)";
                if (dst.kind === "unclassified") return `imports unclassified ${dst.module}`;
                if (src.kind === "shared") return `a shared module imports layer ${dst.layer}`;
                if (src.kind === "layer" && dst.layer === src.layer) return undefined;
                // BigQuery and the AWS-to-GCP federation serve both clouds from the GCP side.
                if (src.kind === "layer" && src.cloud && dst.cloud) return undefined;
                if (src.kind === "layer" && !src.cloud && dst.cloud) return `Kubernetes layer ${src.layer} imports cloud layer ${dst.layer}`;
                return `layer ${src.kind === "layer" ? src.layer : "?"} imports a private module of layer ${dst.layer} (exchange it through components/contracts/)`;
            })();
            if (problem) out.push(`${from} → ${to}: ${problem}`);
        }
    }
    return out.sort();
}

describe("architecture: layers and contracts", () => {
    it("no layer imports another layer's private module, the cloud, or the wiring; shared modules import no layer", () => {
        assert.deepEqual(layeringViolations(COMPONENTS), []);
    });

    it("the import parser sees static, type-only, re-export and import() type imports", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "layers-"));
        try {
            for (const d of ["kafka", "keda", "contracts", "gcp"]) fs.mkdirSync(path.join(dir, d));
            fs.writeFileSync(path.join(dir, "kafka", "layer.ts"), "export const A = 1;\n");
            fs.writeFileSync(path.join(dir, "contracts", "pod.ts"), "export const B = 1;\n");
            fs.writeFileSync(path.join(dir, "gcp", "lake.ts"), "export const C = 1;\n");
            fs.writeFileSync(
                path.join(dir, "keda", "a.ts"),
                [
                    'import { A } from "../kafka/layer";',
                    'import type { B } from "../contracts/pod";',
                    'export { C } from "../gcp/lake";',
                    'export type D = import("../kafka/layer").X;',
                    "",
                ].join("\n"),
            );
            assert.deepEqual(importsOf(dir, path.join(dir, "keda", "a.ts")).sort(), ["contracts/pod.ts", "gcp/lake.ts", "kafka/layer.ts", "kafka/layer.ts"]);
            assert.deepEqual(layeringViolations(dir), [
                "keda/a.ts → gcp/lake.ts: Kubernetes layer keda imports cloud layer gcp",
                "keda/a.ts → kafka/layer.ts: layer keda imports a private module of layer kafka (exchange it through components/contracts/)",
                "keda/a.ts → kafka/layer.ts: layer keda imports a private module of layer kafka (exchange it through components/contracts/)",
            ]);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
