import { strict as assert } from "assert";
import { kafkaSecured, kafkaUserAcls } from "../policy/rules/kafka";
import { checkResource, NA, res } from "./policy-harness";

const KAFKA = "kubernetes:kafka.strimzi.io/v1:Kafka";
const USER = "kubernetes:kafka.strimzi.io/v1:KafkaUser";

describe("policy kafka-*", () => {
    it("Kafka: TLS listeners with authentication and authorization", async () => {
        const spec = {
            kafka: {
                listeners: [{ name: "tls", port: 9093, type: "internal", tls: true, authentication: { type: "tls" } }],
                authorization: { type: "simple" },
            },
        };
        assert.deepEqual(await checkResource(kafkaSecured, res(KAFKA, { spec })), []);
        const bad = { kafka: { listeners: [{ name: "plain", port: 9092, type: "internal", tls: false }] } };
        const v = await checkResource(kafkaSecured, res(KAFKA, { spec: bad }));
        assert.ok(v !== NA && v[0].includes("listener plain is plaintext") && v[0].includes("no authentication") && v[0].includes("authorization"));
        assert.equal(await checkResource(kafkaSecured, res("kubernetes:kafka.strimzi.io/v1:KafkaNodePool", {})), NA);
    });

    it("KafkaUser: ACLs present, none granting All cluster-wide", async () => {
        const acls = [{ resource: { type: "topic", name: "events.raw", patternType: "literal" }, operations: ["Write", "Describe"] }];
        assert.deepEqual(
            await checkResource(kafkaUserAcls, res(USER, { spec: { authentication: { type: "tls" }, authorization: { type: "simple", acls } } })),
            [],
        );
        const none = await checkResource(kafkaUserAcls, res(USER, { spec: { authentication: { type: "tls" } } }));
        assert.ok(none !== NA && none[0].includes("no ACLs"));
        const all = await checkResource(
            kafkaUserAcls,
            res(USER, { spec: { authorization: { type: "simple", acls: [...acls, { resource: { type: "cluster" }, operations: ["All"] }] } } }),
        );
        assert.ok(all !== NA && all[0].includes("All on the cluster"));
        const star = await checkResource(
            kafkaUserAcls,
            res(USER, { spec: { authorization: { type: "simple", acls: [{ resource: { type: "topic", name: "*" }, operation: "All" }] } } }),
        );
        assert.ok(star !== NA && star[0].includes("every topic"));
        assert.equal(await checkResource(kafkaUserAcls, res(KAFKA, {})), NA);
    });
});
