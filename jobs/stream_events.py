"""Bounded streaming run: land the Kafka backlog in the lake (raw.events layout), commit offsets, exit.

Started by the KEDA ScaledJob `stream-events` when the consumer group's lag exceeds the activation threshold
(spark-submit in client mode: this process is the driver). At most one run at a time (maxReplicaCount 1); a Lease
named after the sink path makes that true even across Job retries. The run's size follows the lag: executors from
the backlog, batches bounded by maxOffsetsPerTrigger so each one finishes well inside activeDeadlineSeconds.
Offsets are committed synchronously to KAFKA_GROUP after each batch and once more before exit, because KEDA reads
lag from committed group offsets and Spark never commits them itself. The logic lives in stream_core.py.
"""
import argparse
import datetime as dt
import os
import sys
import time

from confluent_kafka import Consumer, TopicPartition
from confluent_kafka.admin import AdminClient
from kubernetes import client as k8s, config as k8s_config
from kubernetes.client.rest import ApiException
from pyspark.sql import SparkSession, functions as F, types as T

import stream_core as core


def read(path: str) -> str:
    with open(path, encoding="utf-8") as f:
        return f.read()


def client_conf() -> dict:
    """librdkafka settings (offset commits, metadata) from the mounted KafkaUser Secret."""
    conf = {"bootstrap.servers": os.environ["KAFKA_BOOTSTRAP_SERVERS"], "ssl.ca.location": os.environ["KAFKA_CA_FILE"]}
    if os.environ.get("KAFKA_AUTH", "tls") == "tls":
        conf.update({"security.protocol": "SSL", "ssl.certificate.location": os.environ["KAFKA_CERT_FILE"],
                     "ssl.key.location": os.environ["KAFKA_KEY_FILE"]})
    else:
        conf.update({"security.protocol": "SASL_SSL", "sasl.mechanism": "SCRAM-SHA-512", "sasl.username": os.environ["KAFKA_USERNAME"],
                     "sasl.password": read(os.environ["KAFKA_PASSWORD_FILE"]).strip()})
    return conf


def source_options() -> dict:
    """Spark Kafka source settings: PEM material passed inline, so executors need no mounted files."""
    opts = {
        "kafka.bootstrap.servers": os.environ["KAFKA_BOOTSTRAP_SERVERS"],
        "kafka.group.id": os.environ["KAFKA_GROUP"],
        "kafka.ssl.truststore.type": "PEM",
        "kafka.ssl.truststore.certificates": read(os.environ["KAFKA_CA_FILE"]),
    }
    if os.environ.get("KAFKA_AUTH", "tls") == "tls":
        opts.update({"kafka.security.protocol": "SSL", "kafka.ssl.keystore.type": "PEM",
                     "kafka.ssl.keystore.certificate.chain": read(os.environ["KAFKA_CERT_FILE"]),
                     "kafka.ssl.keystore.key": read(os.environ["KAFKA_KEY_FILE"])})
    else:
        password = read(os.environ["KAFKA_PASSWORD_FILE"]).strip()
        opts.update({"kafka.security.protocol": "SASL_SSL", "kafka.sasl.mechanism": "SCRAM-SHA-512",
                     "kafka.sasl.jaas.config": 'org.apache.kafka.common.security.scram.ScramLoginModule required '
                                               f'username="{os.environ["KAFKA_USERNAME"]}" password="{password}";'})
    return opts


class KafkaAdapter:
    def __init__(self):
        self.consumer = Consumer({**client_conf(), "group.id": os.environ["KAFKA_GROUP"], "enable.auto.commit": False})

    def partitions(self, topics):
        meta = AdminClient(client_conf()).list_topics(timeout=30)
        return [(t, p) for t in topics for p in sorted(meta.topics[t].partitions)]

    def _watermarks(self, tps, i):
        return {tp: self.consumer.get_watermark_offsets(TopicPartition(*tp), timeout=30)[i] for tp in tps}

    def earliest(self, tps):
        return self._watermarks(tps, 0)

    def latest(self, tps):
        return self._watermarks(tps, 1)

    def committed(self, tps):
        return {(tp.topic, tp.partition): tp.offset for tp in self.consumer.committed([TopicPartition(*tp) for tp in tps], timeout=30)}

    def commit(self, offsets):
        self.consumer.commit(offsets=[TopicPartition(t, p, o) for (t, p), o in offsets.items()], asynchronous=False)


class LeaseApi:
    """coordination.k8s.io/v1 Leases in this pod's namespace, as stream_core.Lease expects them."""

    def __init__(self):
        k8s_config.load_incluster_config()
        self.api, self.ns = k8s.CoordinationV1Api(), os.environ["POD_NAMESPACE"]

    def get(self, name):
        try:
            lease = self.api.read_namespaced_lease(name, self.ns)
        except ApiException as e:
            if e.status == 404:
                return None
            raise
        s = lease.spec
        return core.LeaseRecord(s.holder_identity, s.renew_time, s.lease_duration_seconds or 60, lease.metadata.resource_version)

    def _body(self, name, r):
        return k8s.V1Lease(metadata=k8s.V1ObjectMeta(name=name, resource_version=r.version),
                           spec=k8s.V1LeaseSpec(holder_identity=r.holder, renew_time=r.renew_time, lease_duration_seconds=r.duration_seconds))

    def create(self, name, r):
        try:
            self.api.create_namespaced_lease(self.ns, self._body(name, r))
        except ApiException as e:
            raise core.Conflict(str(e)) if e.status == 409 else e

    def replace(self, name, r):
        try:
            self.api.replace_namespaced_lease(name, self.ns, self._body(name, r))
        except ApiException as e:
            raise core.Conflict(str(e)) if e.status == 409 else e


EVENT = T.StructType([
    T.StructField("event_id", T.StringType()), T.StructField("event_ts", T.TimestampType()),
    T.StructField("event_type", T.StringType()), T.StructField("customer_id", T.StringType()),
    T.StructField("session_id", T.StringType()), T.StructField("source", T.StringType()),
])


class SparkQuery:
    def __init__(self, q):
        self.q = q

    def is_active(self):
        return self.q.isActive

    def await_termination(self, seconds):
        self.q.awaitTermination(seconds)

    def progress(self):
        return list(self.q.recentProgress)

    def stop(self):
        self.q.stop()

    def exception(self):
        return self.q.exception()


class SparkSessionAdapter:
    def __init__(self, spark, paths: core.RunPaths, plan: core.RunPlan):
        self.spark, self.paths, self.plan = spark, paths, plan

    def checkpoint_offsets(self):
        jvm = self.spark.sparkContext._jvm
        root = jvm.org.apache.hadoop.fs.Path(self.paths.checkpoint)
        fs = root.getFileSystem(self.spark.sparkContext._jsc.hadoopConfiguration())

        def ids(sub):
            p = jvm.org.apache.hadoop.fs.Path(f"{self.paths.checkpoint}/{sub}")
            return [int(s.getPath().getName()) for s in fs.listStatus(p) if s.getPath().getName().isdigit()] if fs.exists(p) else []
        offsets, commits = ids("offsets"), ids("commits")
        done = sorted(set(offsets) & set(commits))
        if not done:
            return {}
        path = jvm.org.apache.hadoop.fs.Path(f"{self.paths.checkpoint}/offsets/{done[-1]}")
        stream = fs.open(path)
        try:
            text = jvm.org.apache.commons.io.IOUtils.toString(stream, "UTF-8")
        finally:
            stream.close()
        return core.checkpoint_committed_offsets({done[-1]: text}, [done[-1]])

    def start(self, starting_json):
        topics = sorted({t for t in core.parse_source_offsets(starting_json)})
        raw = (self.spark.readStream.format("kafka").options(**source_options())
               .option("subscribe", ",".join(topics))
               .option("startingOffsets", starting_json)
               .option("maxOffsetsPerTrigger", str(self.plan.max_offsets_per_trigger))
               .option("failOnDataLoss", "false")
               .load())
        e = F.from_json(F.col("value").cast("string"), EVENT)
        parsed = raw.select(F.col("value").cast("string").alias("value"), e.alias("e"),
                            F.get_json_object(F.col("value").cast("string"), "$.attributes").alias("attributes"),
                            "topic", "partition", "offset", "timestamp")
        ok = F.col("e.event_id").isNotNull() & F.col("e.event_ts").isNotNull()
        rows = parsed.select(
            F.col("e.event_id").alias("event_id"), F.col("e.event_ts").alias("event_ts"), F.current_timestamp().alias("ingest_ts"),
            F.col("e.event_type").alias("event_type"), F.col("e.customer_id").alias("customer_id"),
            F.col("e.session_id").alias("session_id"), F.col("e.source").alias("source"),
            F.struct(F.col("topic"), F.col("partition").cast("long").alias("partition"), F.col("offset")).alias("kafka"),
            F.col("attributes"),
            F.to_date(F.coalesce(F.col("e.event_ts"), F.col("timestamp"))).alias("dt"),
            F.when(ok, F.lit(None).cast("string")).otherwise(F.col("value")).alias("raw"),
        )
        assert rows.columns == core.EVENT_COLUMNS + core.LAKE_ONLY_COLUMNS, rows.columns
        q = (rows.writeStream.format("parquet")
             .option("path", self.paths.sink)
             .option("checkpointLocation", self.paths.checkpoint)
             .partitionBy("dt")
             .trigger(availableNow=True)
             .start())
        return SparkQuery(q)


class SparkEngine:
    def __init__(self, app: str, paths: core.RunPaths):
        self.app, self.paths = app, paths

    def open(self, plan: core.RunPlan):
        # Client mode: this process is the driver, so the executor count set here is the one Kubernetes gets.
        spark = (SparkSession.builder.appName(self.app)
                 .config("spark.executor.instances", str(plan.executors))
                 .getOrCreate())
        return SparkSessionAdapter(spark, self.paths, plan)


def sizing_from_env() -> core.Sizing:
    return core.Sizing(
        deadline_seconds=int(os.environ["RUN_DEADLINE_SECONDS"]),
        records_per_core_second=int(os.environ["RECORDS_PER_CORE_SECOND"]),
        executor_cores=int(os.environ["EXECUTOR_CORES"]),
        min_executors=int(os.environ["MIN_EXECUTORS"]),
        max_executors=int(os.environ["MAX_EXECUTORS"]),
    )


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--topic", action="append", help="topic(s) to consume (default: KAFKA_TOPICS)")
    ap.add_argument("--sink", default="curated", help="name of the lake zone written, for logs (SINK_URL is its location)")
    args = ap.parse_args()
    topics = args.topic or os.environ["KAFKA_TOPICS"].split(",")
    paths = core.run_paths(os.environ["SINK_URL"], os.environ["CHECKPOINT_LOCATION"])
    lease = core.Lease(LeaseApi(), paths.lease, os.environ["POD_NAME"], clock=lambda: dt.datetime.now(dt.timezone.utc),
                       log=lambda m: print(m, file=sys.stderr))
    code = core.drain(kafka=KafkaAdapter(), engine=SparkEngine("stream-events", paths), lease=lease, topics=topics,
                      sizing=sizing_from_env(), clock=time.monotonic)
    print(f"{args.sink}: drained {','.join(topics)} into {paths.sink}")
    return code


if __name__ == "__main__":
    sys.exit(main())
