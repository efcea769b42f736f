import { strict as assert } from "assert";
import { eksCluster, gkeCluster, gkeNodePool } from "../policy/rules/clusters";
import { checkResource, NA, res } from "./policy-harness";

const GKE = "gcp:container/cluster:Cluster";
const goodGke = {
    privateClusterConfig: { enablePrivateNodes: true, masterIpv4CidrBlock: "172.16.0.0/28" },
    workloadIdentityConfig: { workloadPool: "p.svc.id.goog" },
    databaseEncryption: { state: "ENCRYPTED", keyName: "projects/p/locations/eu/keyRings/r/cryptoKeys/gke" },
    datapathProvider: "ADVANCED_DATAPATH",
};
const goodEks = {
    vpcConfig: { subnetIds: ["a"], endpointPrivateAccess: true, endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] },
    encryptionConfig: { resources: ["secrets"], provider: { keyArn: "arn:aws:kms:eu-west-1:1:key/k" } },
    enabledClusterLogTypes: ["api", "audit", "authenticator", "controllerManager"],
};

describe("policy gke-* / eks-*", () => {
    it("GKE cluster: compliant and each missing control", async () => {
        assert.deepEqual(await checkResource(gkeCluster, res(GKE, goodGke)), []);
        assert.deepEqual(await checkResource(gkeCluster, res(GKE, { ...goodGke, datapathProvider: undefined, networkPolicy: { enabled: true } })), []);
        const v = await checkResource(gkeCluster, res(GKE, { enableShieldedNodes: false, databaseEncryption: { state: "DECRYPTED" } }));
        assert.ok(v !== NA);
        for (const m of ["enablePrivateNodes", "workloadPool", "enableShieldedNodes", "databaseEncryption", "network policy"]) assert.ok(v[0].includes(m), m);
        assert.equal(await checkResource(gkeCluster, res("gcp:container/nodePool:NodePool", {})), NA);
    });

    it("GKE node pool: secure boot and GKE metadata server", async () => {
        const pool = "gcp:container/nodePool:NodePool";
        assert.deepEqual(
            await checkResource(
                gkeNodePool,
                res(pool, {
                    nodeConfig: {
                        shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
                        workloadMetadataConfig: { mode: "GKE_METADATA" },
                    },
                }),
            ),
            [],
        );
        const v = await checkResource(gkeNodePool, res(pool, { nodeConfig: { shieldedInstanceConfig: { enableSecureBoot: false } } }));
        assert.ok(v !== NA && v[0].includes("enableSecureBoot") && v[0].includes("GKE_METADATA"));
        assert.equal(await checkResource(gkeNodePool, res(GKE, {})), NA);
    });

    it("EKS: allow-listed or private endpoint, secrets encryption, control-plane logs", async () => {
        const EKS = "aws:eks/cluster:Cluster";
        assert.deepEqual(await checkResource(eksCluster, res(EKS, goodEks)), []);
        assert.deepEqual(
            await checkResource(eksCluster, res(EKS, { ...goodEks, vpcConfig: { endpointPublicAccess: false, endpointPrivateAccess: true } })),
            [],
        );
        const open = await checkResource(eksCluster, res(EKS, { ...goodEks, vpcConfig: { endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] } }));
        assert.ok(open !== NA && open[0].includes("0.0.0.0/0"));
        const defaults = await checkResource(eksCluster, res(EKS, { vpcConfig: { subnetIds: ["a"] }, enabledClusterLogTypes: ["api"] }));
        assert.ok(
            defaults !== NA && defaults[0].includes("0.0.0.0/0") && defaults[0].includes("encryptionConfig") && defaults[0].includes("audit, authenticator"),
        );
        assert.equal(await checkResource(eksCluster, res("aws:eks/nodeGroup:NodeGroup", {})), NA);
    });
});
