"""Daily compaction: load one event day of the lake dataset the streaming run writes into its BigQuery table.

Run by the ScheduledSparkApplication `compact-curated` (cluster mode, Spot spark pool). The many small files the
streaming batches leave in the lake become one date partition of a schema-managed table (--table, from
schemas/bigquery/**, day-partitioned and clustered); the partition is overwritten, so a re-run is idempotent.
The lake dataset is read through its _spark_metadata log, so files of a batch that never committed are ignored.
Rows whose Kafka value did not parse (a REQUIRED column is null) stay in the lake only and are counted in the log.
"""
import argparse
import datetime as dt

import stream_core as core


def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", required=True, help="the lake dataset the streaming run writes (gs://… or s3a://…)")
    ap.add_argument("--table", required=True, help="target BigQuery table, project.dataset.table")
    ap.add_argument("--date", default=(dt.datetime.now(dt.timezone.utc).date() - dt.timedelta(days=1)).isoformat(),
                    help="event day to load (default: yesterday, UTC)")
    args = ap.parse_args(argv)
    if len(args.table.split(".")) != 3:
        ap.error(f"--table must be project.dataset.table, got {args.table}")
    dt.date.fromisoformat(args.date)
    return args


def loadable(columns) -> str:
    """SQL predicate of rows that fit the table: every REQUIRED column present."""
    return " AND ".join(f"{c} IS NOT NULL" for c in core.REQUIRED_COLUMNS if c in columns)


def main(argv=None) -> None:
    args = parse_args(argv)
    from pyspark.sql import SparkSession, functions as F

    spark = SparkSession.builder.appName(f"compact-curated-{args.date}").getOrCreate()
    day = spark.read.parquet(args.source).where(F.col("dt") == F.lit(args.date).cast("date"))
    rows = day.where(loadable(day.columns))
    rejected = day.count() - rows.count()
    if rejected:
        print(f"{args.date}: {rejected} rows without the table's REQUIRED columns stay in the lake only")
    out = rows.select(*[F.col(c).alias(c, metadata={"sqlType": "JSON"}) if c == "attributes" else F.col(c) for c in core.EVENT_COLUMNS])
    (out.write.format("bigquery")
     .option("table", args.table)
     # The table exists (schema-managed); never let the connector create or alter it.
     .option("createDisposition", "CREATE_NEVER")
     .option("datePartition", args.date.replace("-", ""))
     .mode("overwrite")
     .save())
    spark.stop()


if __name__ == "__main__":
    main()
