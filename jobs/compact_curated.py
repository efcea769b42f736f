"""Daily compaction: rewrite one day of the curated zone into few large files and load it into BigQuery.

Run by the ScheduledSparkApplication `compact-curated` (cluster mode, Spot spark pool). Idempotent per day:
both the lake partition and the BigQuery date partition are overwritten.
"""
import argparse
import datetime as dt

from pyspark.sql import SparkSession

TARGET_FILE_BYTES = 256 * 1024 * 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", required=True, help="curated zone URL (gs://… or s3a://…)")
    ap.add_argument("--project", required=True, help="BigQuery project")
    ap.add_argument("--dataset", required=True, help="BigQuery dataset id")
    ap.add_argument("--table", default="events")
    ap.add_argument("--date", default=(dt.datetime.now(dt.timezone.utc).date() - dt.timedelta(days=1)).isoformat())
    args = ap.parse_args()

    spark = SparkSession.builder.appName(f"compact-curated-{args.date}").getOrCreate()
    day = spark.read.parquet(f"{args.source}/events").where(f"dt = DATE'{args.date}'")

    # Estimate size from the input files to pick the number of output files.
    jvm = spark.sparkContext._jvm
    path = jvm.org.apache.hadoop.fs.Path(f"{args.source}/events/dt={args.date}")
    fs = path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    size = fs.getContentSummary(path).getLength() if fs.exists(path) else 0
    files = max(1, -(-size // TARGET_FILE_BYTES))

    compacted = day.repartition(files)
    (compacted.write.mode("overwrite").partitionBy("dt").parquet(f"{args.source}/compacted/events"))
    (compacted.write.format("bigquery")
     .option("table", f"{args.project}.{args.dataset}.{args.table}")
     .option("partitionField", "dt")
     .option("partitionType", "DAY")
     .option("datePartition", args.date.replace("-", ""))
     .mode("overwrite")
     .save())
    spark.stop()


if __name__ == "__main__":
    main()
