import * as pulumi from "@pulumi/pulumi";
import type { Provider } from "@pulumi/gcp/provider";
import { Repository } from "@pulumi/gcp/artifactregistry/repository";
import { registryName } from "../naming";

export interface GcpRegistryArgs {
    project: string;
    /** Stack name: the repository is the stack's own (`dataplatform-<stack>`). */
    stack: string;
    /** Region of the repository; its CMEK must be in the same location. */
    location: string;
    kmsKeyName: pulumi.Input<string>;
    /** The key and the Artifact Registry service agent's grant on it (checked when the repository is created). */
    keyGrants: pulumi.Resource[];
    environment: "staging" | "prod";
    provider: Provider;
}

/** The stack's Artifact Registry Docker repository of the platform's images: CMEK, immutable tags. */
export class GcpRegistry extends pulumi.ComponentResource {
    readonly repository: Repository;
    /** The repository id (`dataplatform-<stack>`), known before the repository exists. */
    readonly repositoryId: string;
    /** `<location>-docker.pkg.dev/<project>/<repository>`: what image references start with. */
    readonly url: string;

    constructor(name: string, args: GcpRegistryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplatform:gcp:Registry", name, {}, opts);
        const prod = args.environment === "prod";
        this.repositoryId = registryName(args.stack);
        this.repository = new Repository(
            name,
            {
                project: args.project,
                location: args.location,
                repositoryId: this.repositoryId,
                format: "DOCKER",
                description: "Images built from the platform repository",
                // The key setting cannot change later (replacement): decided at creation.
                kmsKeyName: args.kmsKeyName,
                dockerConfig: { immutableTags: true },
            },
            { parent: this, provider: args.provider, dependsOn: args.keyGrants, protect: prod },
        );
        this.url = `${args.location}-docker.pkg.dev/${args.project}/${this.repositoryId}`;
        this.registerOutputs({ repository: this.repository.name });
    }
}
