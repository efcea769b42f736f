import { strict as assert } from "assert";
import { ConfigError } from "../components/config";
import { POOL_LABEL, poolScheduling } from "../components/labels";
import { keyRingName, ROTATION_PERIOD, serviceAgent } from "../components/gcp/keys";
import { bigqueryKmsLocation } from "../components/bigquery/keys";
import { artifactRepositories, clusterPlacement, controlPlaneAccess, NODE_ROLES } from "../components/gcp/cluster";
import { poolTaints } from "../components/gcp/nodepools";
import { gkeKubeconfig, storageClassSpec } from "../components/gcp/foundation";
import { WEBHOOK_PORTS } from "../components/gcp/network";
import type { CapturedResource } from "../plan/capture";
import type { Plan } from "../plan/run";
import { inputsOf, ofType, shippedPlan, variantPlan } from "./support/plans";
import { gcpStack, Raw } from "./support/config";

function one(plan: Plan, type: string, suffix?: string): CapturedResource {
    const rs = ofType(plan, type).filter((r) => !suffix || r.name.endsWith(suffix));
    assert.equal(rs.length, 1, `exactly one ${type}${suffix ? ` named *${suffix}` : ""}`);
    return rs[0];
}

const seconds = (d: string) => Number(d.replace(/s$/, ""));

describe("GCP foundation (pure)", () => {
    it("maps BigQuery locations to KMS locations", () => {
        assert.equal(bigqueryKmsLocation("EU"), "europe");
        assert.equal(bigqueryKmsLocation("US"), "us");
        assert.equal(bigqueryKmsLocation("europe-west1"), "europe-west1");
    });

    it("names each service agent from the project number", () => {
        assert.equal(serviceAgent("gke", "42"), "serviceAccount:service-42@container-engine-robot.iam.gserviceaccount.com");
        assert.equal(serviceAgent("disk", "42"), "serviceAccount:service-42@compute-system.iam.gserviceaccount.com");
        assert.equal(serviceAgent("storage", "42"), "serviceAccount:service-42@gs-project-accounts.iam.gserviceaccount.com");
        assert.equal(serviceAgent("bigquery", "42"), "serviceAccount:bq-42@bigquery-encryption.iam.gserviceaccount.com");
        assert.equal(serviceAgent("registry", "42"), "serviceAccount:service-42@gcp-sa-artifactregistry.iam.gserviceaccount.com");
        assert.equal(serviceAgent("sql", "42"), "serviceAccount:service-42@gcp-sa-cloud-sql.iam.gserviceaccount.com");
        assert.equal(keyRingName("prod", "platform"), "dataplatform-prod-platform");
        assert.ok(seconds(ROTATION_PERIOD) <= 90 * 86400);
    });

    it("taints the dedicated pools exactly as poolScheduling() tolerates", () => {
        assert.deepEqual(poolTaints("system"), []);
        for (const pool of ["kafka", "spark"] as const) {
            const [t] = poolScheduling(pool).tolerations;
            assert.deepEqual(poolTaints(pool), [{ key: t.key, value: t.value, effect: "NO_SCHEDULE" }]);
            assert.equal(t.effect, "NoSchedule");
        }
    });

    it("places staging in one zone and prod across the region", () => {
        const gcp = {
            project: "p-123456",
            region: "europe-west1" as const,
            zones: ["europe-west1-b", "europe-west1-c", "europe-west1-d"],
            billingAccount: "x",
        };
        const cluster = { regional: false } as any;
        assert.deepEqual(clusterPlacement({ gcp, cluster }), { location: "europe-west1-b" });
        assert.deepEqual(clusterPlacement({ gcp, cluster: { regional: true } as any }), { location: "europe-west1", nodeLocations: gcp.zones });
    });

    it("keeps the endpoint private without allowed CIDRs and offers the DNS endpoint instead", () => {
        const open = controlPlaneAccess({ network: { controlPlaneCidr: "172.16.0.0/28", controlPlaneAllowedCidrs: ["203.0.113.0/24"] } });
        assert.deepEqual(open.privateClusterConfig, {
            enablePrivateNodes: true,
            enablePrivateEndpoint: false,
            masterIpv4CidrBlock: "172.16.0.0/28",
            masterGlobalAccessConfig: { enabled: false },
        });
        const closed = controlPlaneAccess({ network: { controlPlaneCidr: "172.16.0.0/28", controlPlaneAllowedCidrs: [] } });
        assert.equal((closed.privateClusterConfig as any).enablePrivateEndpoint, true);
        assert.deepEqual(closed.controlPlaneEndpointsConfig, { dnsEndpointConfig: { allowExternalTraffic: true } });
    });

    it("finds the Artifact Registry repositories of images anywhere in config", () => {
        const repos = artifactRepositories({
            spark: { image: "europe-west1-docker.pkg.dev/acme-data-prod/platform/spark-jobs:1.4.0" },
            x: [
                { image: "europe-west1-docker.pkg.dev/acme-data-prod/platform/airflow:3.2.2-1" },
                { image: "us-docker.pkg.dev/other-proj/tools/t@sha256:" + "a".repeat(64) },
            ],
            y: "111111111111.dkr.ecr.eu-west-1.amazonaws.com/platform/spark-jobs:1.4.0",
        });
        assert.deepEqual(repos, [
            { project: "acme-data-prod", location: "europe-west1", repository: "platform" },
            { project: "other-proj", location: "us", repository: "tools" },
        ]);
    });

    it("builds an exec-based kubeconfig without any static credential", () => {
        const kc = JSON.parse(gkeKubeconfig({ name: "c", server: "https://10.0.0.2", caCertificatePem: "PEM" }));
        assert.equal(kc.users[0].user.exec.command, "gke-gcloud-auth-plugin");
        assert.deepEqual(Object.keys(kc.users[0].user), ["exec"]);
        assert.equal(kc.clusters[0].cluster["certificate-authority-data"], Buffer.from("PEM").toString("base64"));
        assert.equal(storageClassSpec({ environment: "prod" }, "k").reclaimPolicy, "Retain");
        assert.equal(storageClassSpec({ environment: "staging" }, "k").reclaimPolicy, "Delete");
    });
});

for (const stack of ["staging", "prod"] as const) {
    describe(`GCP foundation plan: ${stack}`, () => {
        const prod = stack === "prod";
        let plan: Plan;
        before(async () => {
            plan = await shippedPlan(stack);
        });

        it("creates a private, Workload-Identity, Dataplane V2 cluster with CMEK secrets encryption", () => {
            const c = one(plan, "gcp:container/cluster:Cluster");
            const i = inputsOf(c);
            const gcp = gcpStack(plan.config).gcp;
            assert.equal(i.privateClusterConfig.enablePrivateNodes, true);
            assert.equal(i.privateClusterConfig.masterIpv4CidrBlock, plan.config.network.controlPlaneCidr);
            // CI/VPN ranges and Vault's egress: Vault's Kubernetes auth calls TokenReview on this endpoint.
            assert.deepEqual(
                i.masterAuthorizedNetworksConfig.cidrBlocks.map((b: any) => b.cidrBlock),
                [...plan.config.network.controlPlaneAllowedCidrs, ...plan.config.vault.egressCidrs],
            );
            assert.equal(i.masterAuthorizedNetworksConfig.gcpPublicCidrsAccessEnabled, false);
            assert.equal(i.workloadIdentityConfig.workloadPool, `${gcp.project}.svc.id.goog`);
            assert.equal(i.datapathProvider, "ADVANCED_DATAPATH");
            assert.equal(i.enableShieldedNodes, true);
            // VULNERABILITY_BASIC was removed by Google in July 2025: the API refuses it.
            assert.deepEqual(i.securityPostureConfig, { mode: "BASIC" });
            assert.equal(i.removeDefaultNodePool, true);
            assert.equal(i.enableLegacyAbac, false);
            assert.equal(i.masterAuth.clientCertificateConfig.issueClientCertificate, false);
            assert.equal(i.releaseChannel.channel, plan.config.cluster.releaseChannel);
            assert.equal(i.databaseEncryption.state, "ENCRYPTED");
            const gkeKey = one(plan, "gcp:kms/cryptoKey:CryptoKey", "-keys-gke");
            assert.match(i.databaseEncryption.keyName, /\/cryptoKeys\/gke$/);
            assert.ok(c.dependencies.includes(gkeKey.urn));
            const grant = one(plan, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember", "-keys-gke-agent");
            assert.ok(c.dependencies.includes(grant.urn), "the cluster waits for the GKE agent's key grant");
            assert.equal(inputsOf(grant).member, "serviceAccount:service-123456789012@container-engine-robot.iam.gserviceaccount.com");
        });

        it(prod ? "is regional over all zones with deletion protection" : "is zonal in the first zone without deletion protection", () => {
            const c = one(plan, "gcp:container/cluster:Cluster");
            const i = inputsOf(c);
            const gcp = gcpStack(plan.config).gcp;
            assert.equal(i.location, prod ? gcp.region : gcp.zones[0]);
            assert.deepEqual(i.nodeLocations, prod ? gcp.zones : undefined);
            for (const p of ofType(plan, "gcp:container/nodePool:NodePool")) {
                assert.equal(inputsOf(p).location, i.location);
                assert.deepEqual(inputsOf(p).nodeLocations, prod ? gcp.zones : undefined);
            }
            assert.equal(i.deletionProtection, prod);
            assert.equal(c.protect, prod);
            for (const k of ofType(plan, "gcp:kms/cryptoKey:CryptoKey")) assert.equal(k.protect, prod, k.name);
        });

        it("runs three hardened node pools with a least-privilege node identity and CMEK boot disks", () => {
            const pools = ofType(plan, "gcp:container/nodePool:NodePool");
            assert.deepEqual(pools.map((p) => inputsOf(p).name).sort(), ["kafka", "spark", "system"]);
            const sa = one(plan, "gcp:serviceaccount/account:Account", "-gke-nodes");
            const email = `${inputsOf(sa).accountId}@${gcpStack(plan.config).gcp.project}.iam.gserviceaccount.com`;
            const diskKey = one(plan, "gcp:kms/cryptoKey:CryptoKey", "-keys-disk");
            for (const p of pools) {
                const i = inputsOf(p);
                const n = i.nodeConfig;
                const cfg = plan.config.cluster.nodePools[i.name as "system" | "kafka" | "spark"];
                assert.equal(n.imageType, "COS_CONTAINERD");
                assert.deepEqual(n.shieldedInstanceConfig, { enableSecureBoot: true, enableIntegrityMonitoring: true });
                assert.equal(n.workloadMetadataConfig.mode, "GKE_METADATA");
                assert.equal(n.serviceAccount, email, "own node SA, never the default compute SA");
                assert.match(n.bootDiskKmsKey, /\/cryptoKeys\/disk$/);
                assert.ok(p.dependencies.includes(diskKey.urn));
                assert.deepEqual(i.management, { autoRepair: true, autoUpgrade: true });
                assert.equal(i.autoscaling.minNodeCount, cfg.min);
                assert.equal(i.autoscaling.maxNodeCount, cfg.max);
                assert.equal(n.spot, cfg.spot);
                assert.equal(n.machineType, cfg.machineType);
                assert.equal(n.labels[POOL_LABEL], i.name);
                assert.deepEqual(n.taints, poolTaints(i.name));
            }
            const spark = inputsOf(pools.find((p) => inputsOf(p).name === "spark")!);
            assert.equal(spark.nodeConfig.spot, true);
            assert.equal(spark.autoscaling.minNodeCount, 0);
            const roles = ofType(plan, "gcp:projects/iAMMember:IAMMember").filter((r) => inputsOf(r).member === `serviceAccount:${email}`);
            assert.deepEqual(roles.map((r) => inputsOf(r).role).sort(), [...NODE_ROLES].sort());
            assert.deepEqual([...NODE_ROLES], ["roles/container.defaultNodeServiceAccount"], "the documented minimum role of a node service account");
            // Image pulls: reader on each configured registry repository only.
            const pulls = ofType(plan, "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember").filter(
                (r) => inputsOf(r).member === `serviceAccount:${email}`,
            );
            assert.deepEqual(
                pulls.map((r) => [inputsOf(r).project, inputsOf(r).repository, inputsOf(r).role]),
                [[gcpStack(plan.config).gcp.project, `dataplatform-${stack}`, "roles/artifactregistry.reader"]],
            );
        });

        it("creates one rotating key per purpose, granted on the key only to its service agent", () => {
            const keys = ofType(plan, "gcp:kms/cryptoKey:CryptoKey").filter((k) => k.name.startsWith("foundation-"));
            assert.deepEqual(keys.map((k) => inputsOf(k).name).sort(), ["bigquery", "disk", "gke", "registry", "sql", "storage"]);
            // Keys can never be deleted: retained on delete in every environment.
            for (const k of keys) assert.equal(k.retainOnDelete, true, k.name);
            for (const k of keys) assert.ok(seconds(inputsOf(k).rotationPeriod) <= 90 * 86400, k.name);
            const rings = ofType(plan, "gcp:kms/keyRing:KeyRing").filter((k) => k.name.startsWith("foundation-"));
            assert.deepEqual(rings.map((r) => inputsOf(r).location).sort(), ["europe", gcpStack(plan.config).gcp.region]);
            // Ring names never depend on the purposes: adding a key must not rename the ring and replace every key.
            assert.deepEqual(rings.map((r) => inputsOf(r).name).sort(), [`dataplatform-${stack}-platform`, `dataplatform-${stack}-warehouse`]);
            const grants = ofType(plan, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember").filter((k) => k.name.startsWith("foundation-"));
            assert.equal(grants.length, 6);
            for (const g of grants) {
                const i = inputsOf(g);
                const purpose = g.name.replace(/^.*keys-/, "").replace(/-agent$/, "") as "gke" | "disk" | "storage" | "bigquery" | "registry" | "sql";
                assert.equal(i.role, "roles/cloudkms.cryptoKeyEncrypterDecrypter");
                assert.equal(i.member, serviceAgent(purpose, "123456789012"));
                assert.match(i.cryptoKeyId, new RegExp(`/cryptoKeys/${purpose}$`));
            }
        });

        it("builds the VPC, subnet ranges, NAT and the control-plane webhook firewall", () => {
            const net = plan.config.network;
            assert.equal(inputsOf(one(plan, "gcp:compute/network:Network")).autoCreateSubnetworks, false);
            const s = inputsOf(one(plan, "gcp:compute/subnetwork:Subnetwork"));
            assert.equal(s.ipCidrRange, net.nodeCidr);
            assert.deepEqual(
                s.secondaryIpRanges.map((r: any) => r.ipCidrRange),
                [net.podsCidr, net.servicesCidr],
            );
            assert.equal(s.privateIpGoogleAccess, true);
            assert.ok(s.logConfig.aggregationInterval);
            const nat = inputsOf(one(plan, "gcp:compute/routerNat:RouterNat"));
            assert.equal(nat.sourceSubnetworkIpRangesToNat, "LIST_OF_SUBNETWORKS");
            const fw = inputsOf(one(plan, "gcp:compute/firewall:Firewall", "control-plane-webhooks"));
            assert.deepEqual(fw.sourceRanges, [net.controlPlaneCidr]);
            for (const port of ["443", "8443", "9443", "10250", "6443"]) assert.ok(fw.allows[0].ports.includes(port), port);
            assert.deepEqual(fw.allows[0].ports, [...WEBHOOK_PORTS]);
            const pools = ofType(plan, "gcp:container/nodePool:NodePool");
            for (const p of pools) assert.deepEqual(inputsOf(p).nodeConfig.tags, fw.targetTags);
        });

        it("hands up an exec-auth Kubernetes provider and a CMEK StorageClass", () => {
            const k8s = one(plan, "pulumi:providers:kubernetes", "foundation-k8s");
            const kc = JSON.parse(inputsOf(k8s).kubeconfig);
            assert.equal(kc.users[0].user.exec.command, "gke-gcloud-auth-plugin");
            assert.ok(!/"token"|client-key|password/.test(inputsOf(k8s).kubeconfig));
            assert.match(kc.clusters[0].cluster.server, /^https:\/\//);
            const sc = inputsOf(one(plan, "kubernetes:storage.k8s.io/v1:StorageClass", "foundation-storageclass"));
            assert.equal(sc.provisioner, "pd.csi.storage.gke.io");
            assert.equal(sc.parameters.type, "pd-balanced");
            assert.match(sc.parameters["disk-encryption-kms-key"], /\/cryptoKeys\/disk$/);
            assert.equal(sc.volumeBindingMode, "WaitForFirstConsumer");
            assert.equal(sc.allowVolumeExpansion, true);
            assert.equal(sc.reclaimPolicy, prod ? "Retain" : "Delete");
            assert.equal(plan.outputs.storageClass, sc.metadata.name);
            assert.equal(plan.outputs.clusterName, `dataplatform-${stack}`);
            assert.ok(plan.outputs.network);
        });

        it("enables the project's APIs before anything on the main provider", () => {
            const services = ofType(plan, "gcp:projects/service:Service").filter((r) => r.name.startsWith("foundation-services-"));
            const names = services.map((r) => inputsOf(r).service);
            for (const api of ["compute.googleapis.com", "container.googleapis.com", "cloudkms.googleapis.com", "sts.googleapis.com"])
                assert.ok(names.includes(api), api);
            for (const r of services) assert.equal(inputsOf(r).disableOnDestroy, false);
            const provider = one(plan, "pulumi:providers:gcp", "foundation-gcp");
            for (const r of services) assert.ok(provider.dependencies.includes(r.urn), r.name);
            const c = one(plan, "gcp:container/cluster:Cluster");
            assert.ok(c.provider!.startsWith(provider.urn + "::"));
        });

        it("encrypts Cloud SQL with a regional CMEK, after the generated Cloud SQL agent holds the key", () => {
            const sql = one(plan, "gcp:sql/databaseInstance:DatabaseInstance");
            const i = inputsOf(sql);
            const key = one(plan, "gcp:kms/cryptoKey:CryptoKey", "-keys-sql");
            assert.match(
                i.encryptionKeyName,
                new RegExp(`^projects/${gcpStack(plan.config).gcp.project}/locations/${i.region}/keyRings/[^/]+/cryptoKeys/sql$`),
            );
            assert.ok(sql.dependencies.includes(key.urn));
            const grant = one(plan, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember", "-keys-sql-agent");
            assert.equal(inputsOf(grant).member, "serviceAccount:service-123456789012@gcp-sa-cloud-sql.iam.gserviceaccount.com");
            assert.ok(sql.dependencies.includes(grant.urn), "the instance waits for the agent's key grant");
            const agent = ofType(plan, "gcp:projects/serviceIdentity:ServiceIdentity").find((a) => inputsOf(a).service === "sqladmin.googleapis.com");
            assert.ok(agent && grant.dependencies.includes(agent.urn), "the Cloud SQL agent is generated before it is granted");
        });

        it("holds no static credential", () => {
            const banned = ["gcp:serviceaccount/key:Key", "gcp:storage/hmacKey:HmacKey", "aws:iam/accessKey:AccessKey"];
            assert.deepEqual(
                plan.resources.filter((r) => banned.includes(r.type)).map((r) => r.urn),
                [],
            );
        });
    });
}

describe("GCP foundation plan: no CI/VPN range", () => {
    it("still admits Vault's egress on the API endpoint (TokenReview), and nothing else", async () => {
        const plan = await variantPlan("staging", (c) => {
            (c["dataplatform:network"] as Raw).controlPlaneAllowedCidrs = [];
        });
        const i = inputsOf(one(plan, "gcp:container/cluster:Cluster"));
        assert.equal(i.privateClusterConfig.enablePrivateEndpoint, false);
        assert.deepEqual(
            i.masterAuthorizedNetworksConfig.cidrBlocks.map((b: any) => b.cidrBlock),
            plan.config.vault.egressCidrs,
        );
        assert.equal(i.masterAuthorizedNetworksConfig.gcpPublicCidrsAccessEnabled, false);
    });
});

describe("GCP control-plane access without any allowed range", () => {
    it("uses the private endpoint and the IAM-gated DNS endpoint", () => {
        const closed = controlPlaneAccess({ network: { controlPlaneCidr: "172.16.0.0/28", controlPlaneAllowedCidrs: [] }, vault: { egressCidrs: [] } });
        assert.equal((closed.privateClusterConfig as any).enablePrivateEndpoint, true);
        assert.deepEqual((closed.masterAuthorizedNetworksConfig as any).cidrBlocks, []);
    });
});

describe("GCP foundation plan: warehouse in another project", () => {
    it("keys BigQuery in the warehouse project through its own provider", async () => {
        const plan = await variantPlan("staging", (c) => {
            (c["dataplatform:warehouse"] as Raw).project = "acme-data-warehouse";
        });
        const wh = one(plan, "pulumi:providers:gcp", "foundation-gcp-warehouse");
        assert.equal(inputsOf(wh).project, "acme-data-warehouse");
        const ring = one(plan, "gcp:kms/keyRing:KeyRing", "foundation-warehouse-keys-ring");
        assert.equal(inputsOf(ring).project, "acme-data-warehouse");
        assert.equal(inputsOf(ring).location, "europe");
        assert.ok(ring.provider!.startsWith(wh.urn + "::"));
        assert.ok(
            ofType(plan, "gcp:projects/service:Service").some(
                (r) => inputsOf(r).project === "acme-data-warehouse" && inputsOf(r).service === "bigquery.googleapis.com",
            ),
        );
    });
});

describe("GCP foundation config rules", () => {
    it("stops the plan with a ConfigError before any resource exists", async () => {
        await assert.rejects(
            variantPlan("staging", (c) => {
                (c["dataplatform:cluster"] as Raw).nodePools.system.spot = true;
            }),
            ConfigError,
        );
    });
});
