"""Kafka → lake archive sink: consume its topics as consumer group KAFKA_GROUP, write gzip NDJSON batches to SINK_URL.

Runs as a Deployment scaled by a KEDA ScaledObject on the group's lag. SINK_URL is this sink's own prefix of the
archive bucket (README "Streaming data path"): a replay archive of the topic beyond Kafka's retention, read by
whoever replays, never by the compaction; the curated zone has one writer, the streaming run. Each replica writes
objects with unique names, so replicas never overwrite each other. Contract with the autoscaler: offsets are
committed to the group only after the batch that contains them is durably written, so the committed lag KEDA reads
is exactly the data not yet archived (at-least-once; a batch may be written twice after a crash, never lost).
Credentials: mTLS (or SCRAM) files from the KafkaAccess Secret; the bucket through the pod's workload identity
(gcsfs / s3fs default credentials), never a key.
"""
import gzip
import io
import os
import signal
import sys
import time
import uuid

# One object per this many records or seconds, whichever comes first: the lag KEDA sees lags by at most one batch.
BATCH_RECORDS = 50000
BATCH_SECONDS = 60.0


def kafka_config() -> dict:
    conf = {
        "bootstrap.servers": os.environ["KAFKA_BOOTSTRAP_SERVERS"],
        "group.id": os.environ["KAFKA_GROUP"],
        "enable.auto.commit": False,
        "auto.offset.reset": "earliest",
        "ssl.ca.location": os.environ["KAFKA_CA_FILE"],
        # Cooperative rebalancing: scaling out or in moves only the partitions that change owner.
        "partition.assignment.strategy": "cooperative-sticky",
    }
    if os.environ.get("KAFKA_AUTH", "tls") == "tls":
        conf.update({"security.protocol": "SSL", "ssl.certificate.location": os.environ["KAFKA_CERT_FILE"],
                     "ssl.key.location": os.environ["KAFKA_KEY_FILE"]})
    else:
        with open(os.environ["KAFKA_PASSWORD_FILE"], encoding="utf-8") as f:
            password = f.read().strip()
        conf.update({"security.protocol": "SASL_SSL", "sasl.mechanism": "SCRAM-SHA-512", "sasl.username": os.environ["KAFKA_USERNAME"],
                     "sasl.password": password})
    return conf


def object_path(sink_url: str, now: float, unique: str) -> str:
    """One object per batch under the ingestion day; the unique part keeps concurrent replicas apart."""
    day = time.strftime("%Y-%m-%d", time.gmtime(now))
    return f"{sink_url.rstrip('/')}/dt={day}/{int(now)}-{unique}.json.gz"


def encode(records: list) -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb") as gz:
        for value in records:
            gz.write(value.rstrip(b"\n") + b"\n")
    return buf.getvalue()


def run(consumer, write, *, batch_records: int, batch_seconds: float, running, clock=time.monotonic, log=print) -> None:
    """Poll, write a batch, then commit it synchronously: the commit never precedes the write.

    consumer: poll(timeout) -> message | None, commit(asynchronous=False); write(records) stores one batch durably.
    """
    batch, started = [], clock()

    def flush():
        write(batch)
        consumer.commit(asynchronous=False)

    while running():
        msg = consumer.poll(1.0)
        if msg is not None:
            if msg.error():
                log(f"kafka error: {msg.error()}")
            else:
                batch.append(msg.value() or b"")
        if batch and (len(batch) >= batch_records or clock() - started >= batch_seconds):
            flush()
            batch, started = [], clock()
    if batch:
        flush()


def main() -> int:
    import fsspec
    from confluent_kafka import Consumer

    sink_url = os.environ["SINK_URL"]
    state = {"running": True}

    def stop(*_args):
        state["running"] = False

    def write(records):
        with fsspec.open(object_path(sink_url, time.time(), uuid.uuid4().hex), "wb") as f:
            f.write(encode(records))

    consumer = Consumer(kafka_config())
    consumer.subscribe(os.environ["KAFKA_TOPICS"].split(","))
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        run(consumer, write, batch_records=BATCH_RECORDS, batch_seconds=BATCH_SECONDS, running=lambda: state["running"],
            log=lambda m: print(m, file=sys.stderr))
    finally:
        # Leaves the group at once, so the remaining consumers take the partitions without waiting for a timeout.
        consumer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
