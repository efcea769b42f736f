"""Bounded streaming run: drain the Kafka backlog of one partition shard, commit offsets, exit.

Started by the KEDA ScaledJob `stream-events` when the consumer group's lag exceeds the threshold
(spark-submit in client mode: this process is the driver). Contract with the autoscaler:
  * concurrent runs split the partitions into SHARDS shards; a Kubernetes Lease makes each shard single-writer;
  * the query runs with Trigger.AvailableNow, so the run ends once the backlog seen at start is written;
  * after every micro-batch the processed offsets are committed to the consumer group (KAFKA_GROUP), because
    KEDA reads lag from committed group offsets and Spark never commits them itself.
"""
import argparse
import datetime as dt
import json
import os
import sys
import threading
import time

from confluent_kafka import Consumer, TopicPartition
from confluent_kafka.admin import AdminClient
from kubernetes import client as k8s, config as k8s_config
from kubernetes.client.rest import ApiException
from pyspark.sql import SparkSession, functions as F
from pyspark.sql.streaming import StreamingQueryListener

LEASE_SECONDS = 60
env = os.environ


def read(path: str) -> str:
    with open(path, encoding="utf-8") as f:
        return f.read()


def client_conf() -> dict:
    """librdkafka settings (offset commits, metadata) from the mounted KafkaUser Secret."""
    conf = {"bootstrap.servers": env["KAFKA_BOOTSTRAP_SERVERS"], "ssl.ca.location": env["KAFKA_CA_FILE"]}
    if env.get("KAFKA_AUTH", "tls") == "tls":
        conf.update({"security.protocol": "SSL", "ssl.certificate.location": env["KAFKA_CERT_FILE"], "ssl.key.location": env["KAFKA_KEY_FILE"]})
    else:
        conf.update({"security.protocol": "SASL_SSL", "sasl.mechanism": "SCRAM-SHA-512",
                     "sasl.username": env["KAFKA_USERNAME"], "sasl.password": read(env["KAFKA_PASSWORD_FILE"]).strip()})
    return conf


def source_options() -> dict:
    """Spark Kafka source settings: PEM material passed inline, so executors need no mounted files."""
    opts = {
        "kafka.bootstrap.servers": env["KAFKA_BOOTSTRAP_SERVERS"],
        "kafka.group.id": env["KAFKA_GROUP"],
        "kafka.ssl.truststore.type": "PEM",
        "kafka.ssl.truststore.certificates": read(env["KAFKA_CA_FILE"]),
    }
    if env.get("KAFKA_AUTH", "tls") == "tls":
        opts.update({"kafka.security.protocol": "SSL", "kafka.ssl.keystore.type": "PEM",
                     "kafka.ssl.keystore.certificate.chain": read(env["KAFKA_CERT_FILE"]),
                     "kafka.ssl.keystore.key": read(env["KAFKA_KEY_FILE"])})
    else:
        password = read(env["KAFKA_PASSWORD_FILE"]).strip()
        opts.update({"kafka.security.protocol": "SASL_SSL", "kafka.sasl.mechanism": "SCRAM-SHA-512",
                     "kafka.sasl.jaas.config": 'org.apache.kafka.common.security.scram.ScramLoginModule required '
                                               f'username="{env["KAFKA_USERNAME"]}" password="{password}";'})
    return opts


class ShardLease:
    """A coordination.k8s.io Lease per shard: only its holder consumes (and checkpoints) those partitions."""

    def __init__(self, shard: int, shards: int):
        k8s_config.load_incluster_config()
        self.api = k8s.CoordinationV1Api()
        self.ns, self.me = env["POD_NAMESPACE"], env["POD_NAME"]
        self.name = f"stream-events-shard-{shard}-of-{shards}"
        self.stop = threading.Event()

    def _spec(self) -> k8s.V1LeaseSpec:
        now = dt.datetime.now(dt.timezone.utc)
        return k8s.V1LeaseSpec(holder_identity=self.me, lease_duration_seconds=LEASE_SECONDS, renew_time=now, acquire_time=now)

    def acquire(self) -> bool:
        try:
            lease = self.api.read_namespaced_lease(self.name, self.ns)
        except ApiException as e:
            if e.status != 404:
                raise
            try:
                self.api.create_namespaced_lease(self.ns, k8s.V1Lease(metadata=k8s.V1ObjectMeta(name=self.name), spec=self._spec()))
                return True
            except ApiException as e2:
                if e2.status == 409:
                    return False
                raise
        s = lease.spec
        expired = s.renew_time is None or s.renew_time + dt.timedelta(seconds=s.lease_duration_seconds or LEASE_SECONDS) < dt.datetime.now(dt.timezone.utc)
        if s.holder_identity != self.me and not expired:
            return False
        lease.spec = self._spec()
        try:  # optimistic: the resourceVersion makes a concurrent taker lose
            self.api.replace_namespaced_lease(self.name, self.ns, lease)
            return True
        except ApiException as e:
            if e.status == 409:
                return False
            raise

    def keep(self) -> None:
        def renew():
            while not self.stop.wait(LEASE_SECONDS / 3):
                lease = self.api.read_namespaced_lease(self.name, self.ns)
                if lease.spec.holder_identity != self.me:
                    print(f"lost lease {self.name}", file=sys.stderr)
                    os._exit(1)
                lease.spec.renew_time = dt.datetime.now(dt.timezone.utc)
                self.api.replace_namespaced_lease(self.name, self.ns, lease)
        threading.Thread(target=renew, daemon=True).start()

    def release(self) -> None:
        self.stop.set()
        try:
            lease = self.api.read_namespaced_lease(self.name, self.ns)
            if lease.spec.holder_identity == self.me:
                lease.spec.renew_time = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
                self.api.replace_namespaced_lease(self.name, self.ns, lease)
        except ApiException:
            pass


class CommitOffsets(StreamingQueryListener):
    """Commits each batch's end offsets to the consumer group: the lag KEDA reads."""

    def __init__(self):
        self.consumer = Consumer({**client_conf(), "group.id": env["KAFKA_GROUP"], "enable.auto.commit": False})

    def commit(self, end_offsets: str) -> None:
        offsets = [TopicPartition(t, int(p), int(o)) for t, parts in json.loads(end_offsets).items() for p, o in parts.items()]
        if offsets:
            self.consumer.commit(offsets=offsets, asynchronous=False)

    def onQueryStarted(self, event):
        pass

    def onQueryProgress(self, event):
        for src in event.progress.sources:
            if src.endOffset:
                self.commit(src.endOffset)

    def onQueryIdle(self, event):
        pass

    def onQueryTerminated(self, event):
        pass


def shard_partitions(topics: list, shard: int, shards: int) -> dict:
    meta = AdminClient(client_conf()).list_topics(timeout=30)
    return {t: sorted(p for p in meta.topics[t].partitions if p % shards == shard) for t in topics}


def starting_offsets(assign: dict) -> dict:
    """For a new shard checkpoint: continue from the group's committed offsets (earliest if none)."""
    consumer = Consumer({**client_conf(), "group.id": env["KAFKA_GROUP"], "enable.auto.commit": False})
    committed = consumer.committed([TopicPartition(t, p) for t, ps in assign.items() for p in ps], timeout=30)
    consumer.close()
    out: dict = {}
    for tp in committed:
        out.setdefault(tp.topic, {})[str(tp.partition)] = tp.offset if tp.offset >= 0 else -2
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--topic", action="append", help="topic(s) to consume (default: KAFKA_TOPICS)")
    ap.add_argument("--sink", default="curated", help="lake zone written (SINK_URL is its location)")
    args = ap.parse_args()
    topics = args.topic or env["KAFKA_TOPICS"].split(",")
    shards = int(env.get("SHARDS", "1"))

    lease = None
    for shard in range(shards):
        candidate = ShardLease(shard, shards)
        if candidate.acquire():
            lease = candidate
            break
    if lease is None:
        print("every shard is being drained by another run; nothing to do")
        return 0
    lease.keep()
    try:
        assign = {t: ps for t, ps in shard_partitions(topics, shard, shards).items() if ps}
        if not assign:
            return 0
        spark = SparkSession.builder.appName(f"stream-events-{shard}-of-{shards}").getOrCreate()
        spark.streams.addListener(CommitOffsets())
        events = (spark.readStream.format("kafka").options(**source_options())
                  .option("assign", json.dumps(assign))
                  .option("startingOffsets", json.dumps(starting_offsets(assign)))
                  .option("failOnDataLoss", "false")
                  .load()
                  .select(F.col("key").cast("string"), F.col("value").cast("string"), "topic", "partition", "offset", "timestamp")
                  .withColumn("dt", F.to_date("timestamp")))
        query = (events.writeStream.format("parquet")
                 .option("path", env["SINK_URL"])
                 .option("checkpointLocation", f'{env["CHECKPOINT_LOCATION"]}/shard-{shard}-of-{shards}')
                 .partitionBy("dt")
                 .trigger(availableNow=True)
                 .start())
        query.awaitTermination()
        print(f"{args.sink}: drained shard {shard}/{shards} of {','.join(topics)}")
        return 0
    finally:
        lease.release()


if __name__ == "__main__":
    sys.exit(main())
