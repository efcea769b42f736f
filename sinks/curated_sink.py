"""Kafka → lake sink: consume the curated topic as consumer group KAFKA_GROUP, write NDJSON batches to SINK_URL.

Runs as a Deployment scaled by a KEDA ScaledObject on the group's lag. Contract with the autoscaler: offsets are
committed to the group only after the batch that contains them is durably written, so the committed lag KEDA
reads is exactly the data not yet in the lake (at-least-once; a batch may be written twice after a crash, never
lost). Credentials: mTLS (or SCRAM) files from the KafkaAccess Secret; the lake through the pod's workload
identity (gcsfs / s3fs default credentials), never a key.
"""
import gzip
import io
import os
import signal
import sys
import time
import uuid

import fsspec
from confluent_kafka import Consumer, KafkaError

env = os.environ
BATCH_RECORDS = int(env.get("SINK_BATCH_RECORDS", "50000"))
BATCH_SECONDS = float(env.get("SINK_BATCH_SECONDS", "60"))
running = True


def kafka_config() -> dict:
    conf = {
        "bootstrap.servers": env["KAFKA_BOOTSTRAP_SERVERS"],
        "group.id": env["KAFKA_GROUP"],
        "enable.auto.commit": False,
        "auto.offset.reset": "earliest",
        "ssl.ca.location": env["KAFKA_CA_FILE"],
        # Cooperative rebalancing: scaling out or in moves only the partitions that change owner.
        "partition.assignment.strategy": "cooperative-sticky",
    }
    if env.get("KAFKA_AUTH", "tls") == "tls":
        conf.update({"security.protocol": "SSL", "ssl.certificate.location": env["KAFKA_CERT_FILE"], "ssl.key.location": env["KAFKA_KEY_FILE"]})
    else:
        with open(env["KAFKA_PASSWORD_FILE"], encoding="utf-8") as f:
            password = f.read().strip()
        conf.update({"security.protocol": "SASL_SSL", "sasl.mechanism": "SCRAM-SHA-512", "sasl.username": env["KAFKA_USERNAME"], "sasl.password": password})
    return conf


def write_batch(records: list, sink_url: str) -> None:
    """One gzip NDJSON object per batch, partitioned by ingestion date."""
    day = time.strftime("%Y-%m-%d", time.gmtime())
    path = f"{sink_url.rstrip('/')}/dt={day}/{int(time.time())}-{uuid.uuid4().hex}.json.gz"
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb") as gz:
        for value in records:
            gz.write(value.rstrip(b"\n") + b"\n")
    with fsspec.open(path, "wb") as f:
        f.write(buf.getvalue())


def stop(*_args) -> None:
    global running
    running = False


def main() -> int:
    sink_url = env["SINK_URL"]
    consumer = Consumer(kafka_config())
    consumer.subscribe(env["KAFKA_TOPICS"].split(","))
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    batch, started = [], time.monotonic()
    try:
        while running:
            msg = consumer.poll(1.0)
            if msg is not None:
                if msg.error():
                    if msg.error().code() != KafkaError._PARTITION_EOF:
                        print(f"kafka error: {msg.error()}", file=sys.stderr)
                    continue
                batch.append(msg.value() or b"")
            if batch and (len(batch) >= BATCH_RECORDS or time.monotonic() - started >= BATCH_SECONDS):
                write_batch(batch, sink_url)
                consumer.commit(asynchronous=False)
                batch, started = [], time.monotonic()
        if batch:
            write_batch(batch, sink_url)
            consumer.commit(asynchronous=False)
    finally:
        # Leaves the group at once, so the remaining consumers take the partitions without waiting for a timeout.
        consumer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
