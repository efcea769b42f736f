import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "./config";

export interface PlatformArgs {
    config: PlatformConfig;
}

/**
 * The whole platform for one stack: the cloud foundation and data layer of the stack's cloud, then the
 * cloud-agnostic Kubernetes layers on top of what the cloud hands over.
 */
export class Platform extends pulumi.ComponentResource {
    /** Stack outputs. */
    readonly outputs: Record<string, pulumi.Input<unknown>>;

    constructor(name: string, args: PlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplatform:index:Platform", name, {}, opts);
        const cfg = args.config;
        this.outputs = {
            cloud: cfg.cloud,
            environment: cfg.environment,
        };
        this.registerOutputs(this.outputs);
    }
}
