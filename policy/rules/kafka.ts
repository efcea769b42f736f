import type { ResourceValidationPolicy } from "@pulumi/policy";
import { asArray, at, describe, isStrimzi } from "./util";

/** Findings for a Strimzi Kafka spec (pure). */
function kafkaFindings(spec: Record<string, any> | undefined): string[] {
    const out: string[] = [];
    const listeners = asArray(at(spec, "kafka.listeners"));
    if (listeners.length === 0) out.push("spec.kafka.listeners is empty");
    for (const l of listeners) {
        const name = l?.name ?? "?";
        if (l?.tls !== true) out.push(`listener ${name} is plaintext (tls is not true)`);
        if (!at(l, "authentication.type")) out.push(`listener ${name} has no authentication`);
    }
    if (!at(spec, "kafka.authorization.type")) out.push("spec.kafka.authorization is not set");
    return out;
}

export const kafkaSecured: ResourceValidationPolicy = {
    name: "kafka-listeners-secured",
    description: "Kafka clusters: every listener uses TLS and authenticates clients; authorization is on.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (!isStrimzi(args.type, "Kafka")) args.notApplicable();
        const f = kafkaFindings(args.props.spec);
        if (f.length) report(`${describe(args)}: ${f.join("; ")}.`);
    },
};

/** Findings for a Strimzi KafkaUser spec (pure). */
function kafkaUserFindings(spec: Record<string, any> | undefined): string[] {
    const acls = asArray(at(spec, "authorization.acls"));
    if (acls.length === 0) return ["has no ACLs (spec.authorization.acls)"];
    const out: string[] = [];
    acls.forEach((a: any, i: number) => {
        const ops = [...asArray<string>(a?.operations), ...asArray<string>(a?.operation)];
        const type = at(a, "resource.type");
        const wildcard = type === "cluster" || (at(a, "resource.name") === "*" && (at(a, "resource.patternType") ?? "literal") === "literal");
        if ((a?.type ?? "allow") === "allow" && wildcard && ops.includes("All"))
            out.push(`ACL ${i} allows All on ${type === "cluster" ? "the cluster" : `every ${type}`}`);
    });
    return out;
}

export const kafkaUserAcls: ResourceValidationPolicy = {
    name: "kafka-user-least-privilege",
    description: "Every KafkaUser has ACLs, none granting All cluster-wide.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (!isStrimzi(args.type, "KafkaUser")) args.notApplicable();
        const f = kafkaUserFindings(args.props.spec);
        if (f.length) report(`${describe(args)}: ${f.join("; ")}.`);
    },
};

export const kafkaPolicies = [kafkaSecured, kafkaUserAcls];
