import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { leafwise } from "../components/k8s/leafwise";

/** An Output whose value is unknown, as a resource output is in a first preview. */
function unknownOutput(): pulumi.Output<string> {
    const O = pulumi.Output as unknown as new (...a: unknown[]) => pulumi.Output<string>;
    return new O(new Set(), Promise.resolve(undefined), Promise.resolve(false), Promise.resolve(false), Promise.resolve(new Set()));
}

const known = (o: pulumi.Output<unknown>) => (o as any).isKnown as Promise<boolean>;
const value = <T>(o: pulumi.Output<T>) =>
    new Promise<T>((r) =>
        o.apply((v) => {
            r(v);
            return v;
        }),
    );

function build(i: { secret: string; url: string; env: { name: string; value: string }[] }) {
    return {
        containers: [{ name: "c", resources: { requests: { cpu: "100m" } }, env: [...i.env, { name: "SINK", value: `${i.url}/kafka/` }] }],
        volumes: [{ name: "kafka", secret: { secretName: i.secret } }],
        rendered: JSON.stringify({ url: i.url }),
    };
}

describe("leafwise: pure builders over Outputs, Outputs only at the leaves", () => {
    it("resolves to what the builder makes from the resolved inputs", async () => {
        const inputs = { secret: pulumi.output("s1"), url: pulumi.output("gs://b"), env: [{ name: "A", value: pulumi.output("a") }] };
        const out = leafwise(inputs, build) as any;
        const plain = build({ secret: "s1", url: "gs://b", env: [{ name: "A", value: "a" }] });
        assert.deepEqual(await value(pulumi.output(out)), plain);
    });

    it("an unknown input leaves the rest known: containers' resources stay plain, only the leaves made from it are unknown", async () => {
        const out = leafwise({ secret: unknownOutput(), url: unknownOutput(), env: [{ name: "A", value: "a" }] }, build) as any;
        assert.deepEqual(out.containers[0].resources, { requests: { cpu: "100m" } });
        assert.equal(out.containers[0].env[0].value, "a");
        assert.ok(pulumi.Output.isInstance(out.volumes[0].secret.secretName));
        assert.equal(await known(out.volumes[0].secret.secretName), false);
        assert.equal(await known(out.containers[0].env[1].value), false, "a string made with an unknown is unknown");
        assert.equal(await known(out.rendered), false);
        assert.equal(await known(pulumi.output(out)), false, "the whole is unknown, as before; its parts are not");
    });

    it("keeps secrets secret and refuses an Output used where the builder needs its value", async () => {
        const out = leafwise({ secret: pulumi.secret("s"), url: pulumi.output("u"), env: [] }, build) as any;
        assert.equal(await (out.volumes[0].secret.secretName as any).isSecret, true);
        assert.throws(() => leafwise({ k: pulumi.output("x") }, ({ k }) => ({ [k]: 1 })), /used as an object key/);
    });
});
