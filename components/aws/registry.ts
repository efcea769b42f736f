import * as pulumi from "@pulumi/pulumi";
import type { Provider } from "@pulumi/aws/provider";
import { Repository } from "@pulumi/aws/ecr/repository";
import { PLATFORM_IMAGES } from "../images";
import { registryName } from "../naming";

export interface AwsRegistryArgs {
    accountId: string;
    region: string;
    /** Stack name: repositories are `dataplatform-<stack>/<image>`, the stack's own. */
    stack: string;
    kmsKeyArn: pulumi.Input<string>;
    environment: "staging" | "prod";
    provider: Provider;
}

/** One ECR repository per platform image: KMS-encrypted with the stack's key, immutable tags, scanned on push. */
export class AwsRegistry extends pulumi.ComponentResource {
    readonly repositories: Readonly<Record<string, Repository>>;
    /** `<account>.dkr.ecr.<region>.amazonaws.com/<prefix>`: what image references start with. */
    readonly url: string;

    constructor(name: string, args: AwsRegistryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplatform:aws:Registry", name, {}, opts);
        const prod = args.environment === "prod";
        const prefix = registryName(args.stack);
        const repositories: Record<string, Repository> = {};
        for (const image of PLATFORM_IMAGES) {
            repositories[image.name] = new Repository(
                `${name}-${image.name}`,
                {
                    name: `${prefix}/${image.name}`,
                    imageTagMutability: "IMMUTABLE",
                    imageScanningConfiguration: { scanOnPush: true },
                    // Encryption settings cannot change after creation (replacement).
                    encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: args.kmsKeyArn }],
                    // Outside prod a destroy removes the images with the repository.
                    forceDelete: !prod,
                },
                { parent: this, provider: args.provider, protect: prod },
            );
        }
        this.repositories = repositories;
        this.url = `${args.accountId}.dkr.ecr.${args.region}.amazonaws.com/${prefix}`;
        this.registerOutputs(Object.fromEntries(Object.entries(repositories).map(([k, r]) => [k, r.repositoryUrl])));
    }
}
