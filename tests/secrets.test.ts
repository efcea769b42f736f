import { strict as assert } from "assert";
import { parseStackConfig } from "../components/config";
import { configProblems, stackConfig, stackRaw } from "./support/config";
import { STACKS } from "./support/plans";

// Built at run time so no scanner mistakes the fixtures for real credentials.
const fake = {
    github: "ghp_" + "a1B2".repeat(9),
    fineGrained: "github_pat_" + "11AB".repeat(8),
    slackToken: ["xoxb", "1234567890", "abcdefghijkl"].join("-"),
    slackHook: "https://hooks.slack.com/services/" + ["T000", "B000", "x".repeat(24)].join("/"),
    vault: "hvs." + "CAES".repeat(8),
    aws: "AKIA" + "ABCDEFGHIJ234567",
    gcpKey: "AIza" + "S".repeat(35),
    pem: "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----",
    jwt: ["eyJhbGciOiJIUzI1NiJ9", "eyJzdWIiOiJjaSJ9", "c2lnbmF0dXJlLXBhcnQ"].join("."),
};

/** The one problem naming `key`; asserts the value itself is not echoed. */
function refusal(mutate: (r: Record<string, any>) => void, key: string, secret: string): string {
    const problems = configProblems("staging", mutate);
    const hit = problems.find((p) => p.startsWith(`${key}:`));
    assert.ok(hit, `no problem names ${key}:\n${problems.join("\n")}`);
    assert.ok(!problems.join("\n").includes(secret), "the secret is not echoed");
    assert.match(hit, /pulumi config set --secret dataplatform:\w+|Vault/);
    return hit;
}

describe("secrets: credentials are refused in clear text, by value as well as by key", () => {
    it("a Slack webhook URL in monitoring.receivers[].target", () => {
        const hit = refusal((r) => (r.monitoring.receivers[0].target = fake.slackHook), "dataplatform:monitoring.receivers[0].target", fake.slackHook);
        assert.match(hit, /Slack webhook URL.*vaultKey/);
    });

    it("a token in the user info of airflow.dags.repo", () => {
        const url = `https://ci:${fake.github}@github.com/acme/data-dags.git`;
        assert.match(
            refusal((r) => (r.airflow.dags.repo = url), "dataplatform:airflow.dags.repo", fake.github),
            /URL with credentials.*SSH deploy key/,
        );
        const tokenOnly = `https://${fake.github}@github.com/acme/data-dags.git`;
        refusal((r) => (r.airflow.dags.repo = tokenOnly), "dataplatform:airflow.dags.repo", fake.github);
    });

    const shapes: [string, string, RegExp][] = [
        ["GitHub token", fake.github, /GitHub token/],
        ["fine-grained GitHub token", fake.fineGrained, /GitHub token/],
        ["Slack token", fake.slackToken, /Slack token/],
        ["Vault token", fake.vault, /Vault token/],
        ["AWS access key id", fake.aws, /AWS access key id/],
        ["Google API key", fake.gcpKey, /Google API key/],
        ["PEM private key", fake.pem, /PEM private key/],
        ["JWT", fake.jwt, /JSON Web Token/],
    ];
    for (const [what, value, message] of shapes) {
        it(`a ${what} under any key name`, () => {
            const hit = refusal((r) => (r.monitoring.receivers[0].vaultKey = value), "dataplatform:monitoring.receivers[0].vaultKey", value);
            assert.match(hit, message);
        });
    }

    it("the same values are accepted under a secure (encrypted) key", () => {
        const { raw, secretKeys } = stackRaw("staging");
        raw.monitoring.receivers[0].target = fake.slackHook;
        assert.throws(() => parseStackConfig(structuredClone(raw), { stack: "staging", secretKeys }), /Slack webhook URL/);
        assert.ok(parseStackConfig(raw, { stack: "staging", secretKeys: [...secretKeys, "monitoring"] }));
    });

    for (const stack of STACKS) {
        it(`${stack}: the shipped file has no credential shape (no false positive on URLs, ARNs, images)`, () => {
            assert.ok(stackConfig(stack));
        });
    }
});
