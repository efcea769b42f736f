import { readSchema } from "./support/schemas";

/** Strimzi CRD files (../shared/schemas/strimzi) by kind. */
export const STRIMZI_CRD: Record<string, string> = {
    Kafka: "strimzi/040-Crd-kafka.yaml",
    KafkaNodePool: "strimzi/045-Crd-kafkanodepool.yaml",
    KafkaTopic: "strimzi/043-Crd-kafkatopic.yaml",
    KafkaUser: "strimzi/044-Crd-kafkauser.yaml",
};

/** The served v1 openAPIV3Schema of a Strimzi CRD file. */
export function v1Schema(rel: string): any {
    const crd = readSchema(rel) as any;
    return crd.spec.versions.find((v: any) => v.name === "v1" && v.served).schema.openAPIV3Schema;
}

/**
 * Fields the API server would silently prune: structural schemas drop unknown fields instead of rejecting
 * them, so ajv alone would accept a misspelt or removed (v1beta2-only) field.
 */
export function prunedFields(schema: any, value: unknown, path = ""): string[] {
    if (!schema || value === null || typeof value !== "object" || schema["x-kubernetes-preserve-unknown-fields"]) return [];
    if (Array.isArray(value)) return schema.items ? value.flatMap((v, i) => prunedFields(schema.items, v, `${path}[${i}]`)) : [];
    const out: string[] = [];
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (schema.properties?.[k]) out.push(...prunedFields(schema.properties[k], v, `${path}.${k}`));
        else if (schema.additionalProperties) out.push(...prunedFields(schema.additionalProperties, v, `${path}.${k}`));
        else if (path !== ".metadata") out.push(`${path}.${k}`);
    }
    return out;
}
