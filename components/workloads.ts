import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "./config";
import type { WorkloadGrantConfig } from "./config/workloads";
import type { BucketRef, DatasetRef, Grant, IdentityBinder } from "./interfaces";
import type { KafkaPlatform } from "./contracts/kafka-client";
import type { Namespaces } from "./k8s/namespaces";

export interface WorkloadsArgs {
    workloads: PlatformConfig["workloads"];
    identity: IdentityBinder;
    namespaces: Namespaces;
    buckets: Readonly<Record<string, BucketRef>>;
    datasets: Readonly<Record<string, DatasetRef>>;
    kafka: KafkaPlatform;
}

/** The binder's grants for a workload's configured ones (names already validated against the config). */
function workloadGrants(grants: readonly WorkloadGrantConfig[], buckets: WorkloadsArgs["buckets"], datasets: WorkloadsArgs["datasets"]): Grant[] {
    return grants.map((g): Grant => {
        if ("bucket" in g) return { kind: "bucket", bucket: buckets[g.bucket], access: g.access, ...(g.prefix ? { prefix: g.prefix } : {}) };
        if ("dataset" in g) return { kind: "dataset", dataset: datasets[g.dataset], access: g.access };
        return { kind: g.bigquery === "jobs" ? "bigqueryJobs" : "bigqueryReadSessions" };
    });
}

/** `dataplatform:workloads`: each gets a ServiceAccount bound to exactly its grants, and its Kafka user's Secret. */
export class Workloads extends pulumi.ComponentResource {
    /** Per workload: its cloud principal, ServiceAccount and (if any) the Secret with its Kafka credentials. */
    readonly outputs: Readonly<
        Record<string, { principal: pulumi.Output<string>; serviceAccount: string; namespace: string; kafkaSecret?: pulumi.Output<string> }>
    >;

    constructor(name: string, args: WorkloadsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplatform:index:Workloads", name, {}, opts);
        const outputs: Record<string, { principal: pulumi.Output<string>; serviceAccount: string; namespace: string; kafkaSecret?: pulumi.Output<string> }> =
            {};
        for (const w of args.workloads) {
            const sa = w.serviceAccount ?? w.name;
            const identity = args.identity.bind(
                `${name}-${w.name}`,
                {
                    namespace: args.namespaces.name(w.namespace),
                    serviceAccountName: sa,
                    grants: workloadGrants(w.grants, args.buckets, args.datasets),
                },
                { parent: this },
            );
            outputs[w.name] = {
                principal: identity.principal,
                serviceAccount: sa,
                namespace: w.namespace,
                ...(w.kafkaUser ? { kafkaSecret: args.kafka.access(w.kafkaUser, w.namespace).secretName } : {}),
            };
        }
        this.outputs = outputs;
        this.registerOutputs({ workloads: outputs });
    }
}
