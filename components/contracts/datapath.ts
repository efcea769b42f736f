/**
 * The streaming data path, named once (README "Streaming data path"). Each location has one writer and a reader or
 * a documented use:
 *   Kafka → stream-events run (one at a time) → <curated bucket>/events/ (Parquet, dt = event day), its checkpoint
 *   <curated bucket>/_checkpoints/events/ → compact-curated → BigQuery spark.compaction.targetTable (schema-managed);
 *   sink Deployments → <archive bucket>/kafka/<kafka user>/ (gzip NDJSON replay archive, read by whoever replays).
 */

/** Lake bucket (a lake.buckets name) the sink Deployments archive their topics to. */
export const ARCHIVE_BUCKET = "archive";

/** Where the streaming run writes and checkpoints, from the curated bucket's URL: one sink path, one checkpoint. */
export function streamPaths(curatedUrl: string): { sink: string; checkpoint: string } {
    const base = curatedUrl.replace(/\/+$/, "");
    return { sink: `${base}/events`, checkpoint: `${base}/_checkpoints/events` };
}

/** A sink's own prefix in the archive bucket: what its grant allows and where it writes. */
export function sinkPrefix(kafkaUser: string): string {
    return `kafka/${kafkaUser}/`;
}

/** `<dataset>.<table>` of spark.compaction.targetTable, split. */
export function targetTable(spec: string): { dataset: string; table: string } {
    const [dataset, table] = spec.split(".");
    return { dataset, table };
}
