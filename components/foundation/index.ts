import type * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "../config";
import { AwsFoundation } from "../aws/foundation";
import { GcpFoundation } from "../gcp/foundation";
import type { Foundation } from "./contract";

export type { Foundation } from "./contract";

/** The foundation of the stack's cloud: the only place that chooses between clouds. */
export function createFoundation(name: string, cfg: PlatformConfig, opts: pulumi.ComponentResourceOptions): Foundation {
    switch (cfg.cloud) {
        case "gcp":
            return new GcpFoundation(name, { config: cfg }, opts);
        case "aws":
            return new AwsFoundation(name, { config: cfg }, opts);
    }
}
