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

export { prunedFields } from "./support/schemas";
