import { strict as assert } from "assert";
import { noStaticCredentials } from "../policy/rules/credentials";
import { checkResource, NA, res } from "./policy-harness";
import { Unknown } from "../plan/capture";
import { runPolicies } from "../plan/policy";

describe("policy no-static-credentials", () => {
    it("rejects service account keys, access keys and login profiles", async () => {
        for (const type of ["gcp:serviceaccount/key:Key", "aws:iam/accessKey:AccessKey", "aws:iam/userLoginProfile:UserLoginProfile"]) {
            const v = await checkResource(noStaticCredentials, res(type, { user: "ci" }));
            assert.ok(v !== NA && v.length === 1 && v[0].includes(type), type);
        }
    });

    it("rejects Secrets holding a GCP key file or AWS secret keys", async () => {
        const keyFile = JSON.stringify({ type: "service_account", private_key: "-----BEGIN PRIVATE KEY-----" });
        const gcp = await checkResource(
            noStaticCredentials,
            res("kubernetes:core/v1:Secret", { data: { "key.json": Buffer.from(keyFile).toString("base64") } }),
        );
        assert.ok(gcp !== NA && gcp[0].includes("GCP service account key"));
        const aws = await checkResource(noStaticCredentials, res("kubernetes:core/v1:Secret", { stringData: { AWS_SECRET_ACCESS_KEY: "abc" } }));
        assert.ok(aws !== NA && aws[0].includes("AWS secret access key"));
        const ini = await checkResource(
            noStaticCredentials,
            res("kubernetes:core/v1:Secret", { stringData: { credentials: "[default]\naws_secret_access_key = abc" } }),
        );
        assert.ok(ini !== NA && ini.length === 1);
    });

    it("accepts an ordinary Secret and ignores other types", async () => {
        assert.deepEqual(
            await checkResource(noStaticCredentials, res("kubernetes:core/v1:Secret", { stringData: { "ca.crt": "-----BEGIN CERTIFICATE-----" } })),
            [],
        );
        assert.equal(await checkResource(noStaticCredentials, res("gcp:serviceaccount/account:Account", { accountId: "spark" })), NA);
    });

    it("in a first preview: an unknown value is computed, not static; known keys and values are still checked", async () => {
        const secret = (stringData: unknown) => res("kubernetes:core/v1:Secret", { stringData });
        const run = (r: ReturnType<typeof secret>) => runPolicies("p", [noStaticCredentials], [r]);
        assert.deepEqual(await run(secret({ connection: new Unknown(), user: "airflow" })), [], "an unknown value decides: not a literal");
        const byKey = await run(secret({ aws_secret_access_key: new Unknown() }));
        assert.equal(byKey.length, 1);
        assert.ok(!byKey[0].undecided && /AWS secret access key/.test(byKey[0].message), "the key name is known and checked");
        const byValue = await run(secret({ connection: new Unknown(), credentials: "[default]\naws_secret_access_key = abc" }));
        assert.ok(byValue.length === 1 && !byValue[0].undecided, "a known value next to an unknown one is checked");
        // Keys unknown (the whole map is one unknown, as the Kubernetes SDK sends a Secret with any unknown value): no decision.
        const whole = await run(secret(new Unknown()));
        assert.ok(whole.length === 1 && whole[0].undecided === true);
    });
});
