import * as pulumi from "@pulumi/pulumi";
import type { CustomResource } from "@pulumi/kubernetes/apiextensions";
import type { Provider } from "@pulumi/kubernetes/provider";
import type { KafkaConfig } from "../config/kafka";
import { registerStrimzi } from "./cluster";
import { userResources } from "./user-specs";

export interface KafkaUsersArgs {
    kafka: KafkaConfig;
    provider: Provider;
    namespace: pulumi.Input<string>;
    /** The Kafka resource: its user operator issues the credentials and applies the ACLs. */
    cluster: pulumi.Resource;
}

/**
 * One KafkaUser per configured workload: mTLS (or SCRAM-SHA-512) credentials issued by the user operator
 * into a Secret of the Kafka namespace, and least-privilege `simple` ACLs (user-specs.ts aclsFor).
 */
export class KafkaUsers extends pulumi.ComponentResource {
    readonly users: Readonly<Record<string, CustomResource>>;

    constructor(name: string, args: KafkaUsersArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplatform:kafka:Users", name, {}, opts);
        const users: Record<string, CustomResource> = {};
        for (const u of userResources(args.kafka)) {
            users[u.metadata.name] = registerStrimzi(`${name}-${u.metadata.name}`, u, args.namespace, {
                parent: this,
                provider: args.provider,
                dependsOn: [args.cluster],
            });
        }
        this.users = users;
        this.registerOutputs({ users: Object.keys(users) });
    }
}
