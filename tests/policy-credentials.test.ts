import { strict as assert } from "assert";
import { noStaticCredentials } from "../policy/rules/credentials";
import { checkResource, NA, res } from "./policy-harness";

describe("policy no-static-credentials", () => {
    it("rejects service account keys, access keys and login profiles", async () => {
        for (const type of ["gcp:serviceaccount/key:Key", "aws:iam/accessKey:AccessKey", "aws:iam/userLoginProfile:UserLoginProfile"]) {
            const v = await checkResource(noStaticCredentials, res(type, { user: "ci" }));
            assert.ok(v !== NA && v.length === 1 && v[0].includes(type), type);
        }
    });

    it("rejects Secrets holding a GCP key file or AWS secret keys", async () => {
        const keyFile = JSON.stringify({ type: "service_account", private_key: "-----BEGIN PRIVATE KEY-----" });
        const gcp = await checkResource(noStaticCredentials, res("kubernetes:core/v1:Secret", { data: { "key.json": Buffer.from(keyFile).toString("base64") } }));
        assert.ok(gcp !== NA && gcp[0].includes("GCP service account key"));
        const aws = await checkResource(noStaticCredentials, res("kubernetes:core/v1:Secret", { stringData: { AWS_SECRET_ACCESS_KEY: "abc" } }));
        assert.ok(aws !== NA && aws[0].includes("AWS secret access key"));
        const ini = await checkResource(noStaticCredentials, res("kubernetes:core/v1:Secret", { stringData: { credentials: "[default]\naws_secret_access_key = abc" } }));
        assert.ok(ini !== NA && ini.length === 1);
    });

    it("accepts an ordinary Secret and ignores other types", async () => {
        assert.deepEqual(await checkResource(noStaticCredentials, res("kubernetes:core/v1:Secret", { stringData: { "ca.crt": "-----BEGIN CERTIFICATE-----" } })), []);
        assert.equal(await checkResource(noStaticCredentials, res("gcp:serviceaccount/account:Account", { accountId: "spark" })), NA);
    });
});
