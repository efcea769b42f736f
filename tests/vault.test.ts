import { strict as assert } from "assert";
import { parseStackConfig, PLACEHOLDER } from "../components/config";
import { toPreviewJson } from "../plan/json";
import { AIRFLOW_BACKEND_ROLE, appPolicy, appRoleSpec, vaultApps, MONITORING_SECRETS_SA } from "../components/vault/apps";
import { kubernetesHost, pemCa } from "../components/vault/auth";
import { pkiRoleSpec } from "../components/vault/kv";
import { vaultTokenSource } from "../components/vault/provider";
import { staticSecretSpec, syncedSecrets, vaultAuthSpec, VSO_API } from "../components/vault/vso";
import { secretConsumers } from "../components/wiring";
import { SERVICE_ACCOUNTS, VAULT_ROLES } from "../components/k8s/accounts";
import { inputsOf, ofType, shippedPlan, STACKS, variantPlan } from "./support/plans";
import { Secret } from "../plan/capture";
import { crdValidator, errorsOf, prunedFields, servedSchema } from "./support/schemas";
import { configProblems, stackConfig, stackRaw } from "./support/config";

/** Paths an HCL policy grants, with their capabilities. */
function policyPaths(hcl: string): { path: string; caps: string[] }[] {
    return [...hcl.matchAll(/path "([^"]+)" \{\s*capabilities = \[([^\]]*)\]/g)].map((m) => ({
        path: m[1],
        caps: m[2].split(",").map((c) => c.trim().replace(/"/g, "")),
    }));
}

describe("vault: roles and policies (pure)", () => {
    for (const stack of STACKS) {
        it(`${stack}: every role binds exactly one namespace and one ServiceAccount, with audience and short TTLs`, () => {
            const cfg = stackConfig(stack);
            const apps = vaultApps(cfg);
            assert.deepEqual(apps.map((a) => a.name).slice(0, 5), [
                VAULT_ROLES.airflow,
                AIRFLOW_BACKEND_ROLE,
                VAULT_ROLES.sparkJobs,
                VAULT_ROLES.ingestion,
                VAULT_ROLES.monitoring,
            ]);
            assert.ok(
                apps.some((a) => a.name === "bi-notebooks"),
                "BI/DS app from config has a role",
            );
            for (const app of apps) {
                const role = appRoleSpec(cfg, app, "https://kubernetes.default.svc");
                assert.deepEqual(role.boundServiceAccountNames, [app.serviceAccount]);
                assert.deepEqual(role.boundServiceAccountNamespaces, [app.namespace]);
                assert.ok(!role.boundServiceAccountNames.includes("*") && !role.boundServiceAccountNamespaces.includes("*"));
                assert.equal(role.audience, app.audience === "api" ? "https://kubernetes.default.svc" : cfg.vault.audience);
                assert.equal(role.tokenTtl, cfg.vault.tokenTtlSeconds);
                assert.ok(role.tokenMaxTtl <= 2 * cfg.vault.tokenTtlSeconds);
            }
            const airflow = apps.find((a) => a.name === VAULT_ROLES.airflow)!;
            assert.equal(airflow.namespace, cfg.airflow.namespace);
            assert.equal(airflow.serviceAccount, SERVICE_ACCOUNTS.airflow);
            assert.equal(apps.find((a) => a.name === VAULT_ROLES.monitoring)!.serviceAccount, MONITORING_SECRETS_SA);
            // Airflow's own login shares the airflow account and policy; only its audience differs.
            const backend = apps.find((a) => a.name === AIRFLOW_BACKEND_ROLE)!;
            assert.deepEqual([backend.namespace, backend.serviceAccount, backend.policyOf], [airflow.namespace, airflow.serviceAccount, VAULT_ROLES.airflow]);
            assert.deepEqual(appRoleSpec(cfg, backend).tokenPolicies, appRoleSpec(cfg, airflow).tokenPolicies);
        });
    }

    it("a policy reads only its own application's subtree", () => {
        const paths = policyPaths(appPolicy("kv-x", "airflow"));
        assert.deepEqual(paths, [
            { path: "kv-x/data/airflow/*", caps: ["read"] },
            { path: "kv-x/metadata/airflow/*", caps: ["read", "list"] },
        ]);
    });

    it("every synced secret lies inside its app's policy path, in the role's namespace", () => {
        for (const stack of STACKS) {
            const cfg = stackConfig(stack);
            const apps = vaultApps(cfg);
            for (const s of syncedSecrets(cfg, apps, secretConsumers())) {
                const app = apps.find((a) => a.name === s.app)!;
                assert.equal(s.namespace, app.namespace);
                assert.ok(s.path.startsWith(`${s.app}/`), `${s.path} is under ${s.app}/`);
                const spec = staticSecretSpec(cfg, s);
                assert.equal(spec.type, "kv-v2");
                assert.equal(spec.mount, cfg.vault.kvMount);
                assert.equal(spec.vaultAuthRef, app.name);
                const { transformation, ...destination } = spec.destination;
                assert.deepEqual(destination, { name: s.secretName, create: true, overwrite: false, type: "Opaque" });
                assert.equal(transformation === undefined, s.templates === undefined);
                const auth = vaultAuthSpec(cfg, app, "https://kubernetes.default.svc");
                assert.equal(auth.method, "kubernetes");
                assert.deepEqual(auth.kubernetes, {
                    role: app.name,
                    serviceAccount: app.serviceAccount,
                    audiences: [cfg.vault.audience, "https://kubernetes.default.svc"],
                    tokenExpirationSeconds: 600,
                });
            }
        }
    });

    it("every VaultStaticSecret (transformation templates and rollout targets included) passes VSO's CRD schema", () => {
        // The CRDs of chart 1.4.1 (shared/schemas); the pinned 1.6.1 kept these fields.
        const crd = "vault-secrets-operator/secrets.hashicorp.com_vaultstaticsecrets.yaml";
        const v = crdValidator(crd, "v1beta1");
        const schema = servedSchema(crd, "v1beta1");
        for (const stack of STACKS) {
            const cfg = stackConfig(stack);
            for (const s of syncedSecrets(cfg, vaultApps(cfg), secretConsumers())) {
                const obj = {
                    apiVersion: VSO_API,
                    kind: "VaultStaticSecret",
                    metadata: { name: s.secretName, namespace: s.namespace },
                    spec: staticSecretSpec(cfg, s),
                };
                assert.ok(v(obj), `${stack} ${s.id}: ${errorsOf(v)}`);
                assert.deepEqual(prunedFields(schema, obj), [], `${stack} ${s.id}: fields the API server would prune`);
            }
        }
    });

    it("Airflow's and Grafana's Secrets restart their consumers; Alertmanager's does not need to", () => {
        const cfg = stackConfig("staging");
        const secrets = syncedSecrets(cfg, vaultApps(cfg), secretConsumers());
        const byId = Object.fromEntries(secrets.map((s) => [s.id, s]));
        assert.ok(byId.airflowKeys.rollout.length > 0);
        assert.ok(byId.airflowConnections.rollout.length > 0);
        assert.deepEqual(byId.grafanaAdmin.rollout, [{ kind: "Deployment", name: "kps-grafana" }]);
        assert.deepEqual(staticSecretSpec(cfg, byId["app:bi-notebooks"]).rolloutRestartTargets, [{ kind: "Deployment", name: "bi-notebooks" }]);
    });

    it("PKI role: server and client certificates under the configured domains and TTLs", () => {
        const cfg = stackConfig("prod");
        const r = pkiRoleSpec(cfg.vault);
        assert.equal(r.serverFlag, true);
        assert.equal(r.clientFlag, true);
        assert.deepEqual(r.allowedDomains, ["svc.cluster.local"]);
        assert.equal(r.ttl, String(cfg.vault.pki.ttlSeconds));
        assert.equal(r.maxTtl, String(cfg.vault.pki.maxTtlSeconds));
        assert.equal(r.allowAnyName, false);
    });

    it("auth config accepts the endpoint and CA in the forms the clouds hand over", () => {
        assert.equal(kubernetesHost("10.1.0.2"), "https://10.1.0.2");
        assert.equal(kubernetesHost("https://abc.eks.amazonaws.com"), "https://abc.eks.amazonaws.com");
        const pem = "-----BEGIN CERTIFICATE-----\nAAA\n-----END CERTIFICATE-----\n";
        assert.equal(pemCa(Buffer.from(pem).toString("base64")), pem);
        assert.equal(pemCa(pem.trimEnd()), pem);
    });

    it("token source: secure config when set, else VAULT_TOKEN", () => {
        const { raw } = stackRaw("prod");
        assert.equal(vaultTokenSource(parseStackConfig({ ...raw, vaultToken: "hvs.x" }, { stack: "prod", secretKeys: ["vaultToken"] })), "config");
        assert.equal(vaultTokenSource(stackConfig("staging")), "environment");
    });

    // Every role the platform creates itself (one list, components/k8s/accounts.ts), airflow-backend included.
    for (const role of Object.values(VAULT_ROLES)) {
        it(`rejects a BI app that reuses the built-in role name ${role}`, () => {
            const problems = configProblems("staging", (raw) => {
                raw.vault.apps = [{ name: role, namespace: "spark-jobs", serviceAccount: "x1" }];
            });
            assert.ok(
                problems.some((p) => p.startsWith(`dataplatform:vault.apps[0].name: "${role}" must be unique and not one of the built-in applications`)),
                problems.join("\n"),
            );
        });
    }

    it("rejects a plaintext Vault token in the stack file", () => {
        const problems = configProblems("staging", (raw) => {
            raw.vaultToken = "hvs.plaintext";
        });
        assert.ok(
            problems.some((p) => p.includes("dataplatform:vaultToken")),
            problems.join("\n"),
        );
    });
});

describe("vault: plans", () => {
    for (const stack of STACKS) {
        it(`${stack}: auth backend, KV v2, roles bound to one namespace/SA, VSO objects`, async () => {
            const plan = await shippedPlan(stack);
            const cfg = plan.config;
            const [backend] = ofType(plan, "vault:index/authBackend:AuthBackend").map(inputsOf);
            assert.equal(backend.type, "kubernetes");
            assert.equal(backend.path, cfg.vault.authMount);
            const [authCfg] = ofType(plan, "vault:kubernetes/authBackendConfig:AuthBackendConfig").map(inputsOf);
            assert.match(authCfg.kubernetesHost, /^https:\/\//);
            assert.match(authCfg.kubernetesCaCert, /-----BEGIN CERTIFICATE-----/);
            assert.equal(authCfg.tokenReviewerJwt, undefined, "no long-lived reviewer token in state");
            const [kv] = ofType(plan, "vault:index/mount:Mount")
                .map(inputsOf)
                .filter((m) => m.type === "kv");
            assert.deepEqual([kv.path, kv.options.version], [cfg.vault.kvMount, "2"]);
            const roles = ofType(plan, "vault:kubernetes/authBackendRole:AuthBackendRole").map(inputsOf);
            assert.ok(roles.length >= 6);
            // VSO logs in with every role but Airflow's own (which checks the API audience).
            const auths = ofType(plan, "kubernetes:secrets.hashicorp.com/v1beta1:VaultAuth").map(inputsOf);
            assert.equal(auths.length, roles.length - 1);
            for (const a of auths) assert.ok(a.spec.kubernetes.audiences.includes(cfg.vault.audience) && a.spec.kubernetes.audiences.length === 2);
            const policies = Object.fromEntries(
                ofType(plan, "vault:index/policy:Policy")
                    .map(inputsOf)
                    .map((p) => [p.name, p.policy]),
            );
            for (const r of roles) {
                assert.equal(r.boundServiceAccountNames.length, 1);
                assert.equal(r.boundServiceAccountNamespaces.length, 1);
                assert.equal(r.backend, cfg.vault.authMount);
                assert.ok(r.tokenMaxTtl <= 2 * r.tokenTtl && r.tokenTtl <= 3600);
                assert.equal(r.tokenPolicies.length, 1);
                const paths = policyPaths(policies[r.tokenPolicies[0]]);
                const app = r.roleName === AIRFLOW_BACKEND_ROLE ? VAULT_ROLES.airflow : r.roleName;
                assert.deepEqual(
                    paths.map((p) => p.path),
                    [`${cfg.vault.kvMount}/data/${app}/*`, `${cfg.vault.kvMount}/metadata/${app}/*`],
                );
                if (r.roleName === AIRFLOW_BACKEND_ROLE)
                    assert.match(
                        r.audience,
                        cfg.cloud === "gcp" ? /^https:\/\/container\.googleapis\.com\/v1\/projects\// : /^https:\/\/kubernetes\.default\.svc$/,
                    );
                else assert.equal(r.audience, cfg.vault.audience);
                assert.ok(paths.every((p) => !p.caps.some((c) => ["create", "update", "delete", "sudo"].includes(c))));
            }
            const pki = ofType(plan, "vault:pkiSecret/secretBackendRole:SecretBackendRole");
            assert.equal(pki.length, cfg.vault.pki.enabled ? 1 : 0);
            const crs = ofType(plan, "kubernetes:secrets.hashicorp.com/v1beta1:VaultStaticSecret").map(inputsOf);
            assert.ok(crs.length >= 5);
            for (const c of crs) assert.equal(c.apiVersion, VSO_API);
            assert.equal(ofType(plan, "kubernetes:secrets.hashicorp.com/v1beta1:VaultConnection").length, 1);
            const [vso] = ofType(plan, "kubernetes:helm.sh/v3:Release")
                .map(inputsOf)
                .filter((r) => r.chart === "vault-secrets-operator");
            assert.equal(vso.namespace, "vault-secrets-operator");
            assert.equal(vso.version, cfg.charts.vaultSecretsOperator);
        });

        it(`${stack}: no secret value in clear anywhere in the plan JSON`, async () => {
            const plan = await shippedPlan(stack);
            const text = JSON.stringify(toPreviewJson(plan));
            assert.ok(!text.includes(PLACEHOLDER), "a secure config value appears in clear");
            assert.ok(!/hvs\.[A-Za-z0-9]{8,}/.test(text), "a Vault token appears in clear");
            assert.ok(!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text), "a private key appears in clear");
            // Generated passwords (the mocks answer RandomPassword with mock-<hex>) and connection URLs with credentials.
            assert.ok(!/mock-[0-9a-f]{24}/.test(text), "a generated password appears in clear");
            assert.ok(!/postgres(ql)?(\+\w+)?:\/\/[^:@/"]+:[^@"]+@/.test(text), "a database URL with its password appears in clear");
            const [provider] = toPreviewJson(plan).steps.filter((s) => s.newState.type === "pulumi:providers:vault");
            assert.ok(provider, "explicit Vault provider");
            if (plan.config.vaultToken) assert.equal(provider.newState.inputs.token, "[secret]");
            else assert.equal(provider.newState.inputs.token, undefined);
        });
    }

    for (const stack of STACKS) {
        it(`${stack}: secrets the platform can make are generated once, kept as Pulumi secrets and written to KV`, async () => {
            const plan = await shippedPlan(stack);
            const cfg = plan.config;
            const generated = syncedSecrets(cfg, vaultApps(cfg), secretConsumers()).filter((x) => x.source.kind === "generated");
            assert.deepEqual(generated.map((x) => x.id).sort(), ["airflowKeys", "grafanaAdmin"]);
            const writes = ofType(plan, "vault:kv/secretV2:SecretV2");
            assert.deepEqual(writes.map((w) => inputsOf(w).name).sort(), generated.map((x) => x.path).sort(), "only generated secrets are written by Pulumi");
            for (const w of writes) {
                assert.ok(w.inputs.dataJson instanceof Secret, "the KV data is a Pulumi secret");
                assert.equal(inputsOf(w).mount, cfg.vault.kvMount);
            }
            const keys = JSON.parse(inputsOf(writes.find((w) => inputsOf(w).name === "airflow/k8s/keys")!).dataJson);
            assert.deepEqual(Object.keys(keys).sort(), ["api-secret-key", "fernet-key", "jwt-secret", "webserver-secret-key"]);
            // A Fernet key is URL-safe base64 of 32 bytes.
            assert.match(keys["fernet-key"], /^[A-Za-z0-9_-]{43}=$/);
            assert.equal(Buffer.from(keys["fernet-key"], "base64url").length, 32);
            for (const k of ["api-secret-key", "webserver-secret-key", "jwt-secret"]) assert.ok(keys[k], k);
            const passwords = ofType(plan, "random:index/randomPassword:RandomPassword").filter((x) => x.parent?.endsWith("GeneratedSecrets::vault-generated"));
            assert.equal(passwords.length, 4, "api/webserver secret keys, JWT secret, Grafana admin password");
            for (const r of passwords) {
                assert.ok(inputsOf(r).length >= 32, `${r.name}: at least 32 characters`);
            }
            // No keepers: nothing in the config can make a later deploy regenerate (and re-key) them.
            for (const r of [...ofType(plan, "random:index/randomPassword:RandomPassword"), ...ofType(plan, "random:index/randomBytes:RandomBytes")]) {
                assert.equal(inputsOf(r).keepers, undefined, `${r.name} has no keepers`);
            }
        });

        it(`${stack}: first deploy against an empty Vault: mount → generated values → VSO sync → the releases that mount them; people's secrets optional`, async () => {
            const plan = await shippedPlan(stack);
            const cfg = plan.config;
            const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
            const closure = (urn: string): Set<string> => {
                const seen = new Set<string>();
                const stack2 = [urn];
                while (stack2.length)
                    for (const d of byUrn.get(stack2.pop()!)?.dependencies ?? [])
                        if (!seen.has(d)) {
                            seen.add(d);
                            stack2.push(d);
                        }
                return seen;
            };
            const one = (type: string, pred: (i: Record<string, any>) => boolean) => {
                const found = ofType(plan, type).filter((r) => pred(inputsOf(r)));
                assert.equal(found.length, 1, `one ${type}`);
                return found[0];
            };
            const kv = one("vault:index/mount:Mount", (i) => i.type === "kv");
            const vso = one("kubernetes:helm.sh/v3:Release", (i) => i.name === "vault-secrets-operator");
            const staticSecret = (name: string) => one("kubernetes:secrets.hashicorp.com/v1beta1:VaultStaticSecret", (i) => i.metadata.name === name);
            const write = (path: string) => one("vault:kv/secretV2:SecretV2", (i) => i.name === path);
            const consumers: [string, string, string][] = [
                ["airflow-keys", "airflow/k8s/keys", "airflow"],
                ["grafana-admin", "monitoring/grafana-admin", "kps"],
            ];
            for (const [secretName, path, release] of consumers) {
                const w = write(path);
                const ss = staticSecret(secretName);
                assert.ok(closure(w.urn).has(kv.urn), `${path} is written after the KV mount exists`);
                assert.ok(ss.dependencies.includes(w.urn), `${secretName} is synced after ${path} is written`);
                assert.ok(closure(ss.urn).has(vso.urn), `${secretName} follows the VSO release`);
                // Pulumi waits for VSO's first sync, so the consumer starts with its Secret in place.
                assert.equal(inputsOf(ss).metadata.annotations["pulumi.com/waitFor"], "jsonpath={.status.secretMAC}");
                assert.ok(
                    closure(one("kubernetes:helm.sh/v3:Release", (i) => i.name === release).urn).has(ss.urn),
                    `the ${release} release follows ${secretName}`,
                );
            }
            const people = syncedSecrets(cfg, vaultApps(cfg), secretConsumers()).filter((x) => x.source.kind === "people");
            assert.ok(["airflowOidc", "alertmanagerReceivers", "airflowConnections"].every((id) => people.some((p) => p.id === id)));
            assert.equal(
                people.some((p) => p.id === "airflowGit"),
                cfg.airflow.dags.credential !== "none",
            );
            for (const p of people) {
                const ss = staticSecret(p.secretName);
                assert.equal(inputsOf(ss).metadata.annotations?.["pulumi.com/waitFor"], undefined, `${p.secretName} is not awaited: it may not exist yet`);
                assert.ok(!ofType(plan, "vault:kv/secretV2:SecretV2").some((w) => inputsOf(w).name === p.path), `${p.path} is never written by Pulumi`);
            }
        });
    }

    it("a Vault token set in config reaches the provider only as a secret", async () => {
        const plan = await variantPlan("staging", (c) => {
            c["dataplatform:vaultToken"] = { secure: "v1:abc" };
        });
        const json = toPreviewJson(plan);
        const [provider] = json.steps.filter((s) => s.newState.type === "pulumi:providers:vault");
        assert.equal(provider.newState.inputs.token, "[secret]");
        assert.ok(!JSON.stringify(json).includes(PLACEHOLDER));
    });
});
