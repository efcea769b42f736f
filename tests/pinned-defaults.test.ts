import { strict as assert } from "assert";
import { inputsOf, ofType, shippedPlan, STACKS } from "./support/plans";

// Security defaults and runtime contracts that no other test or policy held: flipping any one of them in the
// component that sets it made `npm test` fail nowhere (docs/flip-audit.md lists the experiment). Each is asserted
// on the shipped stacks' plans, so the test holds whichever component comes to set the value.

const GCP = STACKS.filter((s) => !s.startsWith("aws-"));
const AWS = STACKS.filter((s) => s.startsWith("aws-"));
const isProd = (stack: string) => stack === "prod" || stack === "aws-prod";

describe("pinned defaults: AWS foundation", () => {
    for (const stack of AWS) {
        it(`${stack}: no subnet gives instances public IPs (public subnets carry load balancers and NAT only)`, async () => {
            const subnets = ofType(await shippedPlan(stack), "aws:ec2/subnet:Subnet");
            const pub = subnets.filter((s) => s.name.includes("-public-"));
            assert.equal(pub.length, 3);
            // An absent value is the API's default, false (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifySubnetAttribute.html).
            for (const s of subnets) assert.notEqual(inputsOf(s).mapPublicIpOnLaunch, true, s.name);
            for (const s of pub) assert.equal(inputsOf(s).mapPublicIpOnLaunch, false, s.name);
        });

        it(`${stack}: the Airflow database refuses plaintext connections and keeps a final snapshot in prod`, async () => {
            const plan = await shippedPlan(stack);
            const [params] = ofType(plan, "aws:rds/parameterGroup:ParameterGroup").map(inputsOf);
            assert.deepEqual(
                params.parameters.filter((p: any) => p.name === "rds.force_ssl"),
                [{ name: "rds.force_ssl", value: "1" }],
            );
            const [db] = ofType(plan, "aws:rds/instance:Instance").map(inputsOf);
            assert.equal(db.skipFinalSnapshot, !isProd(stack));
        });
    }
});

describe("pinned defaults: GKE and Cloud SQL", () => {
    for (const stack of GCP) {
        it(`${stack}: nodes serve no legacy metadata endpoints and no unauthenticated kubelet port`, async () => {
            const plan = await shippedPlan(stack);
            const configs = [...ofType(plan, "gcp:container/cluster:Cluster"), ...ofType(plan, "gcp:container/nodePool:NodePool")].map((r) => [
                r.name,
                inputsOf(r).nodeConfig,
            ]);
            assert.ok(configs.length >= 4, "the cluster's default pool and the configured pools");
            for (const [name, nc] of configs) {
                assert.equal(nc.metadata["disable-legacy-endpoints"], "true", name);
                assert.equal(nc.kubeletConfig.insecureKubeletReadonlyPortEnabled, "FALSE", name);
            }
        });

        it(`${stack}: the Airflow database accepts TLS only and has Cloud SQL's own deletion protection in prod`, async () => {
            const [db] = ofType(await shippedPlan(stack), "gcp:sql/databaseInstance:DatabaseInstance").map(inputsOf);
            assert.equal(db.settings.ipConfiguration.sslMode, "ENCRYPTED_ONLY");
            // settings.deletionProtectionEnabled guards against deletion in the console and API, not only through Pulumi.
            assert.equal(db.settings.deletionProtectionEnabled, isProd(stack));
        });
    }
});

describe("pinned defaults: Kubernetes layers", () => {
    for (const stack of STACKS) {
        it(`${stack}: KEDA scales on the whole backlog of a group and never on an idle or invalid offset`, async () => {
            const plan = await shippedPlan(stack);
            const triggers = ofType(plan, "kubernetes:keda.sh/v1alpha1:ScaledObject").flatMap((r) => inputsOf(r).spec.triggers);
            assert.ok(triggers.length > 0);
            for (const t of triggers) {
                // https://keda.sh/docs/2.18/scalers/apache-kafka/: a new group with "latest" would see no lag and never scale.
                assert.equal(t.metadata.offsetResetPolicy, "earliest");
                assert.equal(t.metadata.allowIdleConsumers, "false");
                assert.equal(t.metadata.scaleToZeroOnInvalidOffset, "false");
            }
        });

        it(`${stack}: lag-scaled consumers run with a read-only root filesystem`, async () => {
            const plan = await shippedPlan(stack);
            const consumers = ofType(plan, "kubernetes:apps/v1:Deployment").filter((r) => r.urn.includes("dataplatform:keda:"));
            assert.ok(consumers.length > 0);
            for (const d of consumers) {
                for (const c of inputsOf(d).spec.template.spec.containers) assert.equal(c.securityContext.readOnlyRootFilesystem, true, d.name);
            }
        });

        it(`${stack}: the Vault Secrets Operator verifies Vault's certificate`, async () => {
            const [conn] = ofType(await shippedPlan(stack), "kubernetes:secrets.hashicorp.com/v1beta1:VaultConnection").map(inputsOf);
            assert.equal(conn.spec.skipTLSVerify, false);
            assert.match(conn.spec.address, /^https:\/\//);
        });

        it(`${stack}: Airflow login: new users get no role until their groups map one, re-synced at each login; no example DAGs`, async () => {
            const airflow = ofType(await shippedPlan(stack), "kubernetes:helm.sh/v3:Release")
                .map(inputsOf)
                .find((r) => r.name === "airflow")!;
            const webserverConfig: string = airflow.values.apiServer.apiServerConfig;
            assert.match(webserverConfig, /^AUTH_USER_REGISTRATION_ROLE = "Public"$/m);
            assert.match(webserverConfig, /^AUTH_ROLES_SYNC_AT_LOGIN = True$/m);
            assert.equal(airflow.values.config.core.load_examples, "False");
        });

        it(`${stack}: scheduled Spark runs retry a bounded number of times, spaced out`, async () => {
            const apps = ofType(await shippedPlan(stack), "kubernetes:sparkoperator.k8s.io/v1beta2:ScheduledSparkApplication").map(inputsOf);
            assert.ok(apps.length > 0);
            for (const a of apps) {
                assert.deepEqual(a.spec.template.restartPolicy, {
                    type: "OnFailure",
                    onFailureRetries: 2,
                    onFailureRetryInterval: 300,
                    onSubmissionFailureRetries: 3,
                    onSubmissionFailureRetryInterval: 60,
                });
            }
        });
    }
});

describe("pinned defaults: alert severities", () => {
    // Critical pages someone (tests/alerts.test.ts checks the routing): data is unavailable or about to be lost.
    // The promtool cases take the severity from the rule itself, so they cannot tell a flipped one; pending
    // durations are held there (each case fires one minute after its `for:`).
    const CRITICAL = [
        "AirflowSchedulerHeartbeatMissing",
        "KafkaBrokerDown",
        "KafkaOfflinePartitions",
        "KafkaUnderMinIsrPartitions",
        "StrimziCertificateExpiring",
    ];
    for (const stack of STACKS) {
        it(`${stack}: exactly the data-loss and outage alerts are critical, the rest warnings`, async () => {
            const rules = ofType(await shippedPlan(stack), "kubernetes:monitoring.coreos.com/v1:PrometheusRule").flatMap((r) =>
                inputsOf(r).spec.groups.flatMap((g: any) => g.rules),
            );
            assert.ok(rules.length >= 12);
            assert.deepEqual(
                rules
                    .filter((r: any) => r.labels.severity === "critical")
                    .map((r: any) => r.alert)
                    .sort(),
                CRITICAL,
            );
            for (const r of rules) assert.ok(["critical", "warning"].includes(r.labels.severity), `${r.alert}: ${r.labels.severity}`);
        });
    }
});
