import { strict as assert } from "assert";
import { ConfigError } from "../components/config";
import { cidrContains, cidrsOverlap } from "../components/config/common";
import { endpointAccess, CLUSTER_ADMIN_POLICY, CONTROL_PLANE_LOGS } from "../components/aws/cluster";
import { keyPolicy } from "../components/aws/keys";
import { natCount, subnetPlan } from "../components/aws/network";
import { nodeGroupSpecs } from "../components/aws/nodegroups";
import { ADDON_IDENTITIES, NETWORK_ADDONS, WORKLOAD_ADDONS } from "../components/aws/addons";
import { kubeconfig } from "../components/aws/foundation";
import { autoscalerArgs, autoscalerPolicy } from "../components/aws/autoscaler";
import type { Plan } from "../plan/run";
import type { CapturedResource } from "../plan/capture";
import { inputsOf, ofType, shippedPlan, variantPlan } from "./support/plans";
import { awsStack, configProblems } from "./support/config";

function only(plan: Plan, type: string) {
    const rs = ofType(plan, type);
    assert.equal(rs.length, 1, `expected one ${type}, found ${rs.length}`);
    return rs[0];
}

describe("aws foundation: pure rules", () => {
    it("splits the VPC into private /20 and public /24 subnets per AZ, inside the VPC and disjoint", () => {
        const plan = subnetPlan("10.30.0.0/16", ["eu-west-1a", "eu-west-1b", "eu-west-1c"]);
        assert.deepEqual(
            plan.map((p) => p.privateCidr),
            ["10.30.0.0/20", "10.30.16.0/20", "10.30.32.0/20"],
        );
        assert.deepEqual(
            plan.map((p) => p.publicCidr),
            ["10.30.240.0/24", "10.30.241.0/24", "10.30.242.0/24"],
        );
        const all = plan.flatMap((p) => [p.privateCidr, p.publicCidr]);
        for (const c of all) assert.ok(cidrContains("10.30.0.0/16", c), c);
        for (let i = 0; i < all.length; i++) for (let j = i + 1; j < all.length; j++) assert.ok(!cidrsOverlap(all[i], all[j]), `${all[i]} / ${all[j]}`);
        assert.deepEqual(subnetPlan("10.40.0.0/15", ["a"])[0], { az: "a", privateCidr: "10.40.0.0/20", publicCidr: "10.40.240.0/24" });
        assert.throws(() => subnetPlan("10.30.0.0/17", ["a"]), /\/16 or larger/);
    });

    it("uses one NAT gateway in staging and one per AZ in prod", () => {
        assert.equal(natCount("staging", 3), 1);
        assert.equal(natCount("prod", 3), 3);
    });

    it("keeps the API endpoint private unless an allow-list is configured", () => {
        assert.deepEqual(endpointAccess([]), { endpointPrivateAccess: true, endpointPublicAccess: false });
        assert.deepEqual(endpointAccess(["203.0.113.0/24"]), {
            endpointPrivateAccess: true,
            endpointPublicAccess: true,
            publicAccessCidrs: ["203.0.113.0/24"],
        });
    });

    it("derives node groups: system untainted, kafka tainted, spark Spot from zero", () => {
        const specs = nodeGroupSpecs(
            {
                system: { machineType: "m6i.xlarge", min: 1, max: 3, spot: false, diskSizeGb: 100 },
                kafka: { machineType: "r6i.xlarge", min: 3, max: 3, spot: false, diskSizeGb: 100 },
                spark: { machineType: "r6i.xlarge", min: 0, max: 6, spot: true, diskSizeGb: 200 },
            },
            ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
        );
        const by = Object.fromEntries(specs.map((s) => [s.pool, s]));
        // Kafka: one group per AZ (zonal EBS volumes), the pool's size split evenly.
        const kafka = specs.filter((s) => s.pool === "kafka");
        assert.deepEqual(
            kafka.map((s) => [s.id, s.subnets, s.minSize, s.maxSize]),
            [
                ["kafka-eu-west-1a", [0], 1, 1],
                ["kafka-eu-west-1b", [1], 1, 1],
                ["kafka-eu-west-1c", [2], 1, 1],
            ],
        );
        assert.deepEqual(by.system.subnets, [0, 1, 2]);
        // Spot: several instance types of one size.
        assert.ok(by.spark.instanceTypes.length >= 3);
        assert.equal(by.spark.instanceTypes[0], "r6i.xlarge");
        for (const t of by.spark.instanceTypes) assert.match(t, /^r\d[a-z]*\.xlarge$/);
        assert.deepEqual(by.system.instanceTypes, ["m6i.xlarge"]);
        assert.deepEqual(by.system.taints, []);
        assert.deepEqual(by.kafka.taints, [{ key: "dataplatform.io/pool", value: "kafka", effect: "NO_SCHEDULE" }]);
        assert.deepEqual(by.kafka.labels, { "dataplatform.io/pool": "kafka" });
        assert.equal(by.kafka.capacityType, "ON_DEMAND");
        assert.deepEqual([by.spark.capacityType, by.spark.minSize, by.spark.maxSize, by.spark.desiredSize], ["SPOT", 0, 6, 0]);
        assert.deepEqual(by.spark.taints, [{ key: "dataplatform.io/pool", value: "spark", effect: "NO_SCHEDULE" }]);
    });

    it("lets the account administer every key and Auto Scaling use the EBS key for node volumes", () => {
        const ebs = keyPolicy("ebs", "111111111111", "eu-west-1").Statement;
        assert.deepEqual(ebs[0].Principal, { AWS: "arn:aws:iam::111111111111:root" });
        const via = ebs.find((s) => s.Sid === "UseThroughServices")!;
        assert.deepEqual(via.Condition, { StringEquals: { "kms:CallerAccount": "111111111111", "kms:ViaService": ["ec2.eu-west-1.amazonaws.com"] } });
        const grant = ebs.find((s) => s.Sid === "AutoScalingGrantsForVolumes")!;
        assert.equal(grant.Action, "kms:CreateGrant");
        assert.deepEqual(grant.Condition, {
            ArnEquals: { "aws:PrincipalArn": "arn:aws:iam::111111111111:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling" },
            Bool: { "kms:GrantIsForAWSResource": true },
        });
        const s3 = keyPolicy("s3", "111111111111", "eu-west-1").Statement;
        assert.ok(!s3.some((s) => s.Sid?.startsWith("AutoScaling")));
        assert.deepEqual(keyPolicy("eks", "1", "eu-west-1").Statement[1].Condition?.StringEquals["kms:ViaService"], ["eks.eu-west-1.amazonaws.com"]);
    });

    it("lets the Cluster Autoscaler resize only this cluster's node groups", () => {
        const st = autoscalerPolicy("dataplatform-aws-prod", "222222222222", "eu-west-1").Statement;
        const resize = st.find((s) => s.Sid === "ResizeOwnNodeGroups")!;
        assert.deepEqual(resize.Action, ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"]);
        assert.deepEqual(resize.Condition, { StringEquals: { "aws:ResourceTag/k8s.io/cluster-autoscaler/dataplatform-aws-prod": "owned" } });
        const wildcard = st.filter((s) => s.Resource === "*");
        assert.ok(
            wildcard.every((s) => [s.Action].flat().every((a) => /:(Describe|Get)/.test(a))),
            "only describe calls on *",
        );
        assert.equal(st.find((s) => s.Sid === "DescribeNodeGroups")!.Resource, "arn:aws:eks:eu-west-1:222222222222:nodegroup/dataplatform-aws-prod/*/*");
        assert.ok(autoscalerArgs("c").includes("--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/c"));
    });

    it("builds an exec-based kubeconfig without a static token", () => {
        const kc = JSON.parse(kubeconfig("c", "https://x", "PEM", "eu-west-1"));
        const user = kc.users[0].user;
        assert.equal(user.token, undefined);
        assert.equal(user.exec.command, "aws");
        assert.deepEqual(user.exec.args.slice(0, 4), ["eks", "get-token", "--cluster-name", "c"]);
        assert.equal(Buffer.from(kc.clusters[0].cluster["certificate-authority-data"], "base64").toString(), "PEM");
    });
});

describe("aws foundation: config rejected by key", () => {
    it("rejects a GCP-only network key and a VPC smaller than /16 on aws", () => {
        const p = configProblems(
            "aws-staging",
            (r) => {
                r.network.nodeCidr = "10.30.0.0/18";
                r.network.podsCidr = "10.64.0.0/14";
            },
            { offline: true },
        );
        assert.ok(
            p.some((x) => x.startsWith("dataplatform:network.nodeCidr")),
            p.join("\n"),
        );
        assert.ok(
            p.some((x) => x.startsWith("dataplatform:network.podsCidr")),
            p.join("\n"),
        );
    });
    it("rejects an EKS version without a matching Cluster Autoscaler image", () => {
        const p = configProblems(
            "aws-staging",
            (r) => {
                r.cluster.version = "1.34";
            },
            { offline: true },
        );
        assert.ok(
            p.some((x) => x.startsWith('dataplatform:cluster.version: "1.34" has no matching Cluster Autoscaler image')),
            p.join("\n"),
        );
    });
    it("stops the plan with a ConfigError before any resource exists", async () => {
        await assert.rejects(
            variantPlan("aws-staging", (c) => {
                c["dataplatform:aws"].availabilityZones = ["eu-west-1a", "eu-west-1a", "eu-west-1b"];
            }),
            (e: unknown) => {
                assert.ok(e instanceof ConfigError);
                assert.ok(
                    e.problems.some((x) => x.startsWith("dataplatform:aws.availabilityZones: ")),
                    e.problems.join("\n"),
                );
                return true;
            },
        );
    });
});

for (const stack of ["aws-staging", "aws-prod"] as const) {
    const prod = stack === "aws-prod";
    describe(`aws foundation plan: ${stack}`, () => {
        let plan: Plan;
        before(async () => {
            plan = await shippedPlan(stack);
        });

        it("pins explicit providers to the account/region and the warehouse project", () => {
            const aws = inputsOf(only(plan, "pulumi:providers:aws"));
            assert.equal(aws.region, "eu-west-1");
            assert.deepEqual(JSON.parse(aws.allowedAccountIds), [awsStack(plan.config).aws.accountId]);
            const gcp = ofType(plan, "pulumi:providers:gcp").map(inputsOf);
            assert.ok(
                gcp.some((g) => g.project === plan.config.warehouseProject),
                JSON.stringify(gcp),
            );
            for (const r of plan.resources.filter((r) => r.type.startsWith("aws:"))) assert.match(r.provider ?? "", /pulumi:providers:aws::/, r.urn);
        });

        it("creates rotating customer-managed keys per purpose, kept in prod", () => {
            const keys = ofType(plan, "aws:kms/key:Key").filter((k) => k.name.startsWith("foundation-keys-"));
            assert.equal(keys.length, 6);
            for (const k of keys) {
                const i = inputsOf(k);
                assert.equal(i.enableKeyRotation, true);
                assert.equal(i.rotationPeriodInDays, 365);
                assert.equal(k.protect, prod);
                assert.equal(k.retainOnDelete, prod);
            }
            const aliases = ofType(plan, "aws:kms/alias:Alias")
                .map((a) => inputsOf(a).name)
                .sort();
            assert.deepEqual(
                aliases,
                ["ebs", "ecr", "eks", "logs", "rds", "s3"].map((p) => `alias/dataplatform/${stack}/${p}`),
            );
        });

        it("builds the VPC: 3 private + 3 public subnets with LB tags, NAT per environment, S3/STS/ECR endpoints", () => {
            const subnets = ofType(plan, "aws:ec2/subnet:Subnet").map(inputsOf);
            const priv = subnets.filter((s) => s.tags["kubernetes.io/role/internal-elb"] === "1");
            const pub = subnets.filter((s) => s.tags["kubernetes.io/role/elb"] === "1");
            assert.equal(priv.length, 3);
            assert.equal(pub.length, 3);
            assert.ok(priv.every((s) => s.cidrBlock.endsWith("/20")) && pub.every((s) => s.cidrBlock.endsWith("/24")));
            assert.deepEqual(new Set(priv.map((s) => s.availabilityZone)), new Set(awsStack(plan.config).aws.availabilityZones));
            assert.equal(ofType(plan, "aws:ec2/natGateway:NatGateway").length, prod ? 3 : 1);
            assert.equal(ofType(plan, "aws:ec2/eip:Eip").length, prod ? 3 : 1);
            const privateRoutes = ofType(plan, "aws:ec2/routeTable:RouteTable")
                .filter((r) => r.name.includes("-private-"))
                .map(inputsOf);
            assert.equal(privateRoutes.length, 3);
            assert.equal(new Set(privateRoutes.map((r) => r.routes[0].natGatewayId)).size, prod ? 3 : 1);
            const eps = ofType(plan, "aws:ec2/vpcEndpoint:VpcEndpoint").map(inputsOf);
            const byService = Object.fromEntries(eps.map((e) => [e.serviceName.split(".").slice(3).join("."), e]));
            assert.equal(byService.s3.vpcEndpointType, "Gateway");
            assert.equal(byService.s3.routeTableIds.length, 3);
            for (const s of ["sts", "ecr.api", "ecr.dkr"]) {
                assert.equal(byService[s].vpcEndpointType, "Interface", s);
                assert.equal(byService[s].privateDnsEnabled, true, s);
                assert.equal(byService[s].subnetIds.length, 3, s);
            }
            const dsg = inputsOf(only(plan, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"));
            assert.deepEqual([dsg.ingress, dsg.egress], [[], []]);
            const flow = inputsOf(only(plan, "aws:ec2/flowLog:FlowLog"));
            assert.deepEqual([flow.trafficType, flow.logDestinationType], ["ALL", "cloud-watch-logs"]);
            const flowGroup = ofType(plan, "aws:cloudwatch/logGroup:LogGroup")
                .map(inputsOf)
                .find((g) => g.name.endsWith("/vpc-flow-logs"))!;
            assert.equal(flowGroup.retentionInDays, prod ? 365 : 30);
            const sg = inputsOf(ofType(plan, "aws:ec2/securityGroup:SecurityGroup").find((r) => r.name.endsWith("-endpoints"))!);
            assert.deepEqual(
                sg.ingress.map((r: any) => [r.fromPort, r.toPort, r.cidrBlocks]),
                [[443, 443, [plan.config.network.nodeCidr]]],
            );
        });

        it("runs a private, encrypted, audited EKS control plane administered through access entries", () => {
            const c = only(plan, "aws:eks/cluster:Cluster");
            const i = inputsOf(c);
            assert.equal(i.version, plan.config.cluster.version);
            assert.equal(i.vpcConfig.endpointPrivateAccess, true);
            assert.equal(i.vpcConfig.endpointPublicAccess, true);
            assert.deepEqual(i.vpcConfig.publicAccessCidrs, ["203.0.113.0/24", ...plan.config.vault.egressCidrs]);
            assert.equal(i.vpcConfig.subnetIds.length, 3);
            assert.deepEqual(i.encryptionConfig.resources, ["secrets"]);
            const eksKey = ofType(plan, "aws:kms/key:Key").find((k) => k.name === "foundation-keys-eks")!;
            assert.ok(c.dependencies.includes(eksKey.urn), "cluster depends on the eks key");
            assert.match(i.encryptionConfig.provider.keyArn, /^arn:aws:kms:eu-west-1:\d{12}:key\//);
            assert.deepEqual(i.enabledClusterLogTypes, [...CONTROL_PLANE_LOGS]);
            assert.equal(i.accessConfig.authenticationMode, "API");
            assert.equal(i.accessConfig.bootstrapClusterCreatorAdminPermissions, false);
            assert.equal(i.deletionProtection, prod);
            assert.equal(c.protect, prod);
            const entries = ofType(plan, "aws:eks/accessEntry:AccessEntry").map(inputsOf);
            assert.deepEqual(
                entries.map((e) => e.principalArn),
                [...awsStack(plan.config).aws.adminRoleArns, awsStack(plan.config).aws.previewRoleArn].filter(Boolean),
            );
            const assoc = ofType(plan, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation").map(inputsOf);
            assert.deepEqual(
                assoc.map((a) => [a.principalArn, a.policyArn, a.accessScope.type]),
                awsStack(plan.config).aws.adminRoleArns.map((a) => [a, CLUSTER_ADMIN_POLICY, "cluster"]),
            );
            assert.equal(ofType(plan, "kubernetes:core/v1:ConfigMap").filter((r) => inputsOf(r).metadata?.name === "aws-auth").length, 0);
        });

        it("without a CI/VPN range, opens the public endpoint to Vault's egress only (TokenReview)", async () => {
            const v = await variantPlan(stack, (cfg) => {
                cfg["dataplatform:network"].controlPlaneAllowedCidrs = [];
            });
            const i = inputsOf(only(v, "aws:eks/cluster:Cluster"));
            assert.equal(i.vpcConfig.endpointPrivateAccess, true);
            assert.equal(i.vpcConfig.endpointPublicAccess, true);
            assert.deepEqual(i.vpcConfig.publicAccessCidrs, v.config.vault.egressCidrs);
        });

        it("runs system, kafka (tainted) and spark (Spot, from 0) node groups on hardened launch templates", () => {
            const all = ofType(plan, "aws:eks/nodeGroup:NodeGroup").map(inputsOf);
            const pools = plan.config.cluster.nodePools;
            const kafkaGroups = all.filter((g) => g.labels["dataplatform.io/pool"] === "kafka");
            assert.equal(kafkaGroups.length, awsStack(plan.config).aws.availabilityZones.length, "one Kafka node group per AZ");
            for (const g of kafkaGroups) assert.equal(g.subnetIds.length, 1);
            assert.equal(new Set(kafkaGroups.map((g) => g.subnetIds[0])).size, kafkaGroups.length, "each in its own AZ");
            assert.equal(
                kafkaGroups.reduce((n, g) => n + g.scalingConfig.minSize, 0),
                pools.kafka.min,
                "the groups add up to the pool",
            );
            const groups: Record<string, any> = Object.fromEntries(all.map((g) => [g.labels["dataplatform.io/pool"], g]));
            assert.deepEqual(Object.keys(groups).sort(), ["kafka", "spark", "system"]);
            const size = pools.spark.machineType.split(".")[1];
            assert.ok(groups.spark.instanceTypes.length > 1, "Spot over several instance types");
            for (const t of groups.spark.instanceTypes) assert.equal(t.split(".")[1], size, t);
            assert.deepEqual(groups.kafka.taints, [{ key: "dataplatform.io/pool", value: "kafka", effect: "NO_SCHEDULE" }]);
            assert.equal(groups.kafka.labels["dataplatform.io/pool"], "kafka");
            assert.deepEqual(groups.kafka.instanceTypes, [pools.kafka.machineType]);
            assert.equal(groups.spark.capacityType, "SPOT");
            assert.equal(groups.spark.scalingConfig.minSize, 0);
            assert.equal(groups.spark.scalingConfig.maxSize, pools.spark.max);
            assert.deepEqual(
                groups.spark.taints.map((t: any) => t.value),
                ["spark"],
            );
            assert.equal(groups.system.taints.length, 0);
            const lts: Record<string, any> = Object.fromEntries(
                ofType(plan, "aws:ec2/launchTemplate:LaunchTemplate").map((l) => [l.name.replace(/^.*-nodes-/, ""), inputsOf(l)]),
            );
            for (const [pool, lt] of Object.entries(lts)) {
                assert.deepEqual(lt.metadataOptions, { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 }, pool);
                const ebs = lt.blockDeviceMappings[0].ebs;
                assert.equal(ebs.encrypted, "true", pool);
                assert.equal(ebs.volumeType, "gp3", pool);
                assert.match(ebs.kmsKeyId, /:key\//, pool);
                assert.equal(ebs.volumeSize, pools[pool.split("-")[0] as keyof typeof pools].diskSizeGb, pool);
            }
        });

        it("gives nodes only the worker and registry policies; VPC CNI and EBS CSI get their own Pod Identity roles", () => {
            const attach = ofType(plan, "aws:iam/rolePolicyAttachment:RolePolicyAttachment");
            const node = attach
                .filter((a) => a.name.startsWith("foundation-eks-node-"))
                .map((a) => inputsOf(a).policyArn)
                .sort();
            assert.deepEqual(node, ["arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly", "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy"]);
            const addons: Record<string, CapturedResource> = Object.fromEntries(ofType(plan, "aws:eks/addon:Addon").map((a) => [inputsOf(a).addonName, a]));
            assert.deepEqual(Object.keys(addons).sort(), [...NETWORK_ADDONS, ...WORKLOAD_ADDONS].sort());
            for (const [name, a] of Object.entries(addons)) assert.match(inputsOf(a).addonVersion, /^v\d+\.\d+\.\d+-eksbuild\.\d+$/, name);
            for (const [name, ident] of Object.entries(ADDON_IDENTITIES)) {
                const pia = inputsOf(addons[name]).podIdentityAssociations;
                assert.equal(pia.length, 1, name);
                assert.equal(pia[0].serviceAccount, ident!.serviceAccount);
                assert.match(pia[0].roleArn, /^arn:aws:iam::\d{12}:role\//);
            }
            assert.ok(addons["vpc-cni"].dependencies.includes(addons["eks-pod-identity-agent"].urn), "vpc-cni waits for the Pod Identity agent");
            // NetworkPolicies (Kafka brokers, Airflow) are enforced on EKS only when the CNI is told to.
            assert.deepEqual(JSON.parse(inputsOf(addons["vpc-cni"]).configurationValues), { enableNetworkPolicy: "true" });
            const nodeGroups = ofType(plan, "aws:eks/nodeGroup:NodeGroup");
            const netAddons = NETWORK_ADDONS.map((n) => addons[n].urn);
            const nodesComponent = plan.resources.find((r) => r.type === "dataplatform:aws:EksNodeGroups")!;
            assert.ok(nodeGroups.every((g) => g.parent === nodesComponent.urn));
            assert.ok(
                netAddons.every((u) => nodesComponent.dependencies.some((d) => d === u || d.endsWith("EksAddons::foundation-eks-network"))),
                "node groups wait for the network add-ons",
            );
        });

        it("makes an encrypted gp3 StorageClass the default, on the EBS CSI driver", () => {
            const sc = only(plan, "kubernetes:storage.k8s.io/v1:StorageClass");
            const i = inputsOf(sc);
            assert.equal(i.provisioner, "ebs.csi.aws.com");
            assert.equal(i.metadata.annotations["storageclass.kubernetes.io/is-default-class"], "true");
            assert.equal(i.parameters.type, "gp3");
            assert.equal(i.parameters.encrypted, "true");
            assert.match(i.parameters.kmsKeyId, /^arn:aws:kms:.*:key\//);
            assert.equal(i.volumeBindingMode, "WaitForFirstConsumer");
            assert.equal(i.allowVolumeExpansion, true);
            assert.equal(i.reclaimPolicy, prod ? "Retain" : "Delete");
            assert.equal(plan.outputs.storageClass, "gp3");
        });

        it("scales node groups with the Cluster Autoscaler on the system pool, credentials by Pod Identity", () => {
            const comp = only(plan, "dataplatform:aws:ClusterAutoscaler");
            const kids = plan.resources.filter((r) => r.parent === comp.urn);
            const dep = kids.find((r) => r.type === "kubernetes:apps/v1:Deployment")!;
            const pod = inputsOf(dep).spec.template.spec;
            assert.equal(pod.nodeSelector["dataplatform.io/pool"], "system");
            // The autoscaler's minor is the control plane's.
            assert.ok(
                pod.containers[0].image.startsWith(`registry.k8s.io/autoscaling/cluster-autoscaler:v${plan.config.cluster.version}.`),
                pod.containers[0].image,
            );
            assert.ok(pod.containers[0].resources.requests.cpu);
            const assoc = kids.find((r) => r.type === "aws:eks/podIdentityAssociation:PodIdentityAssociation")!;
            assert.deepEqual([inputsOf(assoc).namespace, inputsOf(assoc).serviceAccount], ["kube-system", "cluster-autoscaler"]);
            assert.ok(dep.dependencies.includes(assoc.urn), "the pod starts after its association exists");
            const coredns = ofType(plan, "aws:eks/addon:Addon").find((a) => inputsOf(a).addonName === "coredns")!;
            assert.ok(comp.dependencies.includes(coredns.urn), "after node groups and add-ons");
        });

        it("hands Kubernetes layers a provider with exec credentials", () => {
            const k8s = ofType(plan, "pulumi:providers:kubernetes")
                .map(inputsOf)
                .find((p) => String(p.kubeconfig).includes("get-token"));
            assert.ok(k8s, "kubernetes provider built from the cluster");
            const kc = JSON.parse(k8s!.kubeconfig);
            assert.equal(kc.users[0].user.exec.command, "aws");
            assert.equal(kc.users[0].user.token, undefined);
            assert.match(kc.clusters[0].cluster.server, /^https:\/\/.*eks\.amazonaws\.com$/);
        });

        it("holds no static credential anywhere in the plan", () => {
            const bad = plan.resources.filter((r) =>
                ["gcp:serviceaccount/key:Key", "aws:iam/accessKey:AccessKey", "aws:iam/userLoginProfile:UserLoginProfile", "aws:iam/user:User"].includes(
                    r.type,
                ),
            );
            assert.deepEqual(
                bad.map((r) => r.urn),
                [],
            );
        });
    });
}
