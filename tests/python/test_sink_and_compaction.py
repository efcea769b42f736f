"""The archive sink and the compaction's arguments, without Kafka, object storage or Spark."""
import gzip

import pytest

import compact_curated
import curated_sink


class Msg:
    def __init__(self, v):
        self.v = v

    def error(self):
        return None

    def value(self):
        return self.v


class Crash(Exception):
    pass


class FakeConsumer:
    """One partition: poll hands out records from the committed position; close and re-create = a restart."""

    def __init__(self, log, committed):
        self.log, self.committed, self.pos = log, committed, committed[0]
        self.crash_on_commit = False

    def poll(self, _timeout):
        if self.pos < len(self.log):
            self.pos += 1
            return Msg(self.log[self.pos - 1])
        return None

    def commit(self, asynchronous=True):
        assert asynchronous is False
        if self.crash_on_commit:
            raise Crash()
        self.committed[0] = self.pos


def polls(n):
    left = [n]

    def running():
        left[0] -= 1
        return left[0] >= 0
    return running


def test_crash_after_write_before_commit_redelivers_the_batch():
    log = [f"r{i}".encode() for i in range(10)]
    committed, stored = [0], []
    c = FakeConsumer(log, committed)
    c.crash_on_commit = True
    with pytest.raises(Crash):
        curated_sink.run(c, stored.append, batch_records=4, batch_seconds=1e9, running=polls(100), clock=lambda: 0)
    assert committed == [0] and stored
    curated_sink.run(FakeConsumer(log, committed), stored.append, batch_records=4, batch_seconds=1e9, running=polls(100), clock=lambda: 0)
    assert set(r for b in stored for r in b) == set(log)  # at-least-once: nothing lost
    assert committed == [10]


def test_the_last_partial_batch_is_written_and_committed_on_shutdown():
    log = [b"a", b"b", b"c"]
    committed, stored = [0], []
    curated_sink.run(FakeConsumer(log, committed), stored.append, batch_records=100, batch_seconds=1e9, running=polls(5), clock=lambda: 0)
    assert stored == [log] and committed == [3]


def test_object_paths_are_unique_per_replica_and_under_the_sink_prefix():
    a = curated_sink.object_path("gs://archive/kafka/events.curated/", 86400, "x1")
    assert a == "gs://archive/kafka/events.curated/dt=1970-01-02/86400-x1.json.gz"
    assert a != curated_sink.object_path("gs://archive/kafka/events.curated/", 86400, "x2")
    assert gzip.decompress(curated_sink.encode([b"a\n", b"b"])) == b"a\nb\n"


def test_compaction_needs_a_fully_qualified_table_and_reads_the_given_dataset():
    args = compact_curated.parse_args(["--source", "gs://c/events", "--table", "p.raw_staging.events", "--date", "2026-01-02"])
    assert (args.source, args.table, args.date) == ("gs://c/events", "p.raw_staging.events", "2026-01-02")
    with pytest.raises(SystemExit):
        compact_curated.parse_args(["--source", "gs://c/events", "--table", "events"])


def test_compaction_loads_only_rows_with_every_required_column():
    pred = compact_curated.loadable(["event_id", "event_ts", "ingest_ts", "event_type", "source", "kafka", "dt", "raw"])
    assert "event_id IS NOT NULL" in pred and "raw" not in pred and "dt" not in pred


def test_smoke_verifier_requires_a_partition_filter_for_bigquery():
    import verify_run
    assert verify_run.parse_args(["--source", "gs://c/events", "--run-id", "smoke-1"]).table is None
    with pytest.raises(SystemExit):
        verify_run.parse_args(["--source", "gs://c/events", "--run-id", "smoke-1", "--table", "p.raw_staging.events"])
    start, end = verify_run.day_bounds("2026-03-01")
    assert (end - start).days == 1 and start.utcoffset().total_seconds() == 0


def test_smoke_script_calls_the_verifier_with_arguments_it_accepts():
    import os
    import re
    import shlex
    import verify_run
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    with open(os.path.join(root, "tests", "integration", "smoke.sh"), encoding="utf-8") as f:
        calls = re.findall(r'^\S+=\$\(verify "[^"]+" (.*?) \|', f.read(), re.M)
    assert len(calls) == 2  # the lake check and the BigQuery check
    for call in calls:
        args = verify_run.parse_args(shlex.split(re.sub(r'"\$[A-Z_]+"', "x", call)))
        assert args.source == "x" and args.run_id == "x"
