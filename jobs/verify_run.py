"""Smoke-test verifier (tests/integration/smoke.sh): counts the distinct events of one run id in the lake dataset
the streaming run writes and, with --table, in the compaction's BigQuery table. Prints `lake=<n>` and `bigquery=<n>`.

Started by the smoke test as a one-off Job from the streaming run's own pod spec (same identity and lake settings),
in local mode; it only reads.
"""
import argparse
import datetime as dt


def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", required=True, help="lake dataset the streaming run writes (its SINK_URL)")
    ap.add_argument("--run-id", required=True, help="event_id prefix of the smoke run's records (<run id>-<n>)")
    ap.add_argument("--table", help="BigQuery table project.dataset.table to count in as well")
    ap.add_argument("--date", help="event day (UTC) of the run's records; required with --table (partition filter)")
    args = ap.parse_args(argv)
    if args.table and not args.date:
        ap.error("--table needs --date: the table requires a partition filter")
    return args


def day_bounds(date: str):
    """[start, end) of an event day: the partition filter the table requires (requirePartitionFilter)."""
    start = dt.datetime.fromisoformat(date).replace(tzinfo=dt.timezone.utc)
    return start, start + dt.timedelta(days=1)


def main(argv=None) -> None:
    args = parse_args(argv)
    from pyspark.sql import SparkSession, functions as F

    spark = SparkSession.builder.appName("smoke-verify").getOrCreate()
    mine = F.col("event_id").startswith(f"{args.run_id}-")
    lake = spark.read.parquet(args.source).where(mine).select("event_id").distinct().count()
    print(f"lake={lake}", flush=True)
    if args.table:
        start, end = day_bounds(args.date)
        bq = (spark.read.format("bigquery").option("table", args.table).load()
              .where((F.col("event_ts") >= F.lit(start)) & (F.col("event_ts") < F.lit(end)) & mine)
              .select("event_id").distinct().count())
        print(f"bigquery={bq}", flush=True)
    spark.stop()


if __name__ == "__main__":
    main()
