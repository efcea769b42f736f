import { strict as assert } from "assert";
import { datasetCmek, tableClustered, tablePartitioned } from "../policy/rules/bigquery";
import { checkResource, NA, res } from "./policy-harness";

const DS = "gcp:bigquery/dataset:Dataset";
const TABLE = "gcp:bigquery/table:Table";

describe("policy bigquery-*", () => {
    it("datasets need a default KMS key", async () => {
        assert.deepEqual(
            await checkResource(
                datasetCmek,
                res(DS, { datasetId: "raw", defaultEncryptionConfiguration: { kmsKeyName: "projects/p/locations/eu/keyRings/r/cryptoKeys/bq" } }),
            ),
            [],
        );
        const v = await checkResource(datasetCmek, res(DS, { datasetId: "raw" }));
        assert.ok(v !== NA && v[0].includes("kmsKeyName"));
        assert.equal(await checkResource(datasetCmek, res(TABLE, {})), NA);
    });

    it("tables are time-partitioned with a required partition filter", async () => {
        assert.deepEqual(
            await checkResource(tablePartitioned, res(TABLE, { timePartitioning: { type: "DAY", field: "event_time" }, requirePartitionFilter: true })),
            [],
        );
        const v = await checkResource(tablePartitioned, res(TABLE, { timePartitioning: { type: "DAY" } }));
        assert.ok(v !== NA && v[0].includes("requirePartitionFilter") && !v[0].includes("timePartitioning.type"));
        const none = await checkResource(tablePartitioned, res(TABLE, {}));
        assert.ok(none !== NA && none[0].includes("timePartitioning.type"));
        assert.equal(await checkResource(tablePartitioned, res(TABLE, { view: { query: "select 1" } })), NA);
    });

    it("clustering is advisory", async () => {
        assert.equal(tableClustered.enforcementLevel, "advisory");
        assert.deepEqual(await checkResource(tableClustered, res(TABLE, { clusterings: ["customer_id"] })), []);
        const v = await checkResource(tableClustered, res(TABLE, {}));
        assert.ok(v !== NA && v.length === 1);
        assert.equal(await checkResource(tableClustered, res(DS, {})), NA);
    });
});
