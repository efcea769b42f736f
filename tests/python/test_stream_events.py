"""The streaming run against in-memory Kafka, Kubernetes and Spark (fakes.py): nothing lost, one writer per path."""
import collections
import datetime as dt
import json
import os
import threading

import pytest

import stream_core as core
from fakes import Clock, Crash, FakeEngine, FakeKafka, FakeLeaseApi, Storage

TOPIC = "events.raw"
SINK, CKPT = "gs://lake-curated/events", "gs://lake-curated/_checkpoints/events"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def sizing(max_executors=2, deadline=3600):
    return core.Sizing(deadline_seconds=deadline, records_per_core_second=1, executor_cores=1, min_executors=1, max_executors=max_executors)


class Run:
    """One KEDA-started Job: its own pod name, the shared lake and Kafka."""

    def __init__(self, kafka, storage, api, pod, max_executors=2, crash=None, deadline=3600):
        self.paths = core.run_paths(SINK, CKPT)
        self.engine = FakeEngine(kafka, storage, self.paths, crash=crash)
        self.lease = core.Lease(api, self.paths.lease, pod, log=lambda m: None)
        self.kafka, self.sizing = kafka, sizing(max_executors, deadline)

    def __call__(self):
        return core.drain(kafka=self.kafka, engine=self.engine, lease=self.lease, topics=[TOPIC], sizing=self.sizing,
                          clock=lambda: 0.0, poll_seconds=0, log=lambda m: None)


def landed(storage):
    return collections.Counter(v for _, _, v in storage.sink(SINK)["rows"])


def produced(kafka):
    return collections.Counter(v for recs in kafka.log.values() for v in recs)


@pytest.fixture
def world():
    return FakeKafka([(TOPIC, p) for p in range(6)]), Storage(), FakeLeaseApi()


def test_a_run_lands_every_record_once_and_commits_the_end_offsets(world):
    kafka, storage, api = world
    kafka.produce(5000)
    assert Run(kafka, storage, api, "job-a")() == 0
    assert landed(storage) == produced(kafka)
    assert kafka.lag() == 0


def test_batches_are_bounded_by_max_offsets_per_trigger(world):
    kafka, storage, api = world
    kafka.produce(5000)
    run = Run(kafka, storage, api, "job-a", deadline=400)
    run()
    plan = run.engine.plans[0]
    assert plan.max_offsets_per_trigger < 5000
    assert len(storage.checkpoint(CKPT)["commits"]) > 1


def test_changing_the_scaling_limit_between_runs_keeps_path_checkpoint_and_lease(world):
    kafka, storage, api = world
    kafka.produce(3000, "first")
    first = Run(kafka, storage, api, "job-a", max_executors=2)
    first()
    kafka.produce(12000, "second")
    second = Run(kafka, storage, api, "job-b", max_executors=6)
    second()
    assert (first.paths, second.paths) == (core.run_paths(SINK, CKPT),) * 2
    assert [first.engine.plans[0].executors, second.engine.plans[0].executors] == [2, 6]
    # The second run continued the one checkpoint: its batch ids follow the first run's, so the sink skips none.
    assert landed(storage) == produced(kafka)
    assert kafka.lag() == 0


def test_old_layout_a_checkpoint_per_shard_into_one_sink_loses_batches(world):
    """Why the layout is one checkpoint per sink path: a second checkpoint into the same path restarts at batch 0,
    and the file sink skips the batch ids it already holds while the offsets still get committed."""
    kafka, storage, api = world
    kafka.produce(1200, "a")
    Run(kafka, storage, api, "job-a")()
    kafka.produce(1200, "b")
    shard = Run(kafka, storage, api, "job-b")
    shard.engine.paths = core.RunPaths(sink=SINK, checkpoint=CKPT + "/shard-0-of-2", lease="other")
    shard.lease = core.Lease(api, "other", "job-b", log=lambda m: None)
    shard()
    assert kafka.lag() == 0
    assert landed(storage) != produced(kafka)  # committed, yet missing from the lake


def test_crash_after_the_write_before_the_offset_commit_loses_nothing(world):
    kafka, storage, api = world
    kafka.produce(500)  # one batch: the next run has nothing new to read, only the commit to catch up
    kafka.fail_next_commit = True
    with pytest.raises(Crash):
        Run(kafka, storage, api, "job-a")()
    assert kafka.lag() == 500  # written, not committed: KEDA starts another run
    api.leases.clear()  # the dead pod's lease expired
    assert Run(kafka, storage, api, "job-b")() == 0
    assert kafka.lag() == 0
    assert set(landed(storage)) == set(produced(kafka))  # at-least-once; here even exactly once


def test_crash_after_the_sink_write_before_the_checkpoint_commit_loses_nothing(world):
    kafka, storage, api = world
    kafka.produce(3000)
    with pytest.raises(Crash):
        Run(kafka, storage, api, "job-a", crash={"after_sink_write": 0}, deadline=400)()
    api.leases.clear()
    Run(kafka, storage, api, "job-b", deadline=400)()
    assert landed(storage) == produced(kafka)
    assert kafka.lag() == 0


def test_the_final_batch_is_committed_before_the_run_returns(world):
    kafka, storage, api = world
    kafka.produce(100)
    Run(kafka, storage, api, "job-a")()
    last = max(storage.checkpoint(CKPT)["commits"])
    end = core.checkpoint_committed_offsets(storage.checkpoint(CKPT)["offsets"], [last])
    assert {tp: kafka.group[tp] for tp in end} == end


def test_a_second_concurrent_run_does_not_write(world):
    kafka, storage, api = world
    kafka.produce(100)
    holder = core.Lease(api, core.run_paths(SINK, CKPT).lease, "job-a", log=lambda m: None)
    assert holder.acquire()
    second = Run(kafka, storage, api, "job-b")
    assert second() == 0
    assert second.engine.plans == [] and storage.sink(SINK)["rows"] == []


def test_a_run_after_a_lost_lease_stops_writing():
    api, clock = FakeLeaseApi(), Clock()
    lease = core.Lease(api, "l", "job-a", duration_seconds=60, clock=clock, log=lambda m: None)
    assert lease.acquire()
    api.errors = 100
    clock.advance(20)
    assert lease.renew_once()  # one failed renewal is retried
    clock.advance(25)
    assert not lease.renew_once()  # 45 s without renewal: stop before the 60 s lease can expire
    assert lease.lost.is_set()


def test_renewal_errors_never_kill_the_keeper_silently():
    """The old keeper thread died on its first API error and the run kept writing without a lease."""
    api, clock = FakeLeaseApi(), Clock()
    lease = core.Lease(api, "l", "job-a", duration_seconds=60, clock=clock, log=lambda m: None)
    assert lease.acquire()
    api.errors = 1
    lost = threading.Event()
    lease.keep(on_lost=lost.set, interval=0.001)
    deadline = dt.datetime.now() + dt.timedelta(seconds=5)
    while api.errors and dt.datetime.now() < deadline:
        pass
    clock.advance(10)
    while api.leases["l"].renew_time != clock() and dt.datetime.now() < deadline:
        pass
    assert api.leases["l"].renew_time == clock(), "renewal continued after the error"
    api.errors = 10**9
    clock.advance(50)
    assert lost.wait(5), "the run was told to stop writing"
    lease.release()


def test_taken_lease_is_lost_at_once():
    api, clock = FakeLeaseApi(), Clock()
    a = core.Lease(api, "l", "job-a", clock=clock, log=lambda m: None)
    assert a.acquire()
    clock.advance(120)  # expired: another run may take it
    assert core.Lease(api, "l", "job-b", clock=clock, log=lambda m: None).acquire()
    assert not a.renew_once()


def test_lease_lost_mid_run_stops_the_query(world):
    kafka, storage, api = world
    kafka.produce(3000)
    run = Run(kafka, storage, api, "job-a", deadline=400)
    run.lease.keep = lambda on_lost, interval=None: on_lost()  # lost as soon as it is kept
    with pytest.raises(core.LeaseLost):
        run()
    assert storage.sink(SINK)["rows"] == []


def test_executors_follow_the_backlog_within_the_limits():
    s = core.Sizing(deadline_seconds=3600, records_per_core_second=1000, executor_cores=2, min_executors=1, max_executors=8)
    small, big, huge = core.plan_run(10, s), core.plan_run(20_000_000, s), core.plan_run(10**12, s)
    assert (small.executors, huge.executors) == (1, 8)
    assert 1 < big.executors < 8


def test_a_batch_takes_at_most_a_quarter_of_the_deadline_at_the_configured_rate():
    for deadline in (600, 3600):
        s = core.Sizing(deadline_seconds=deadline, records_per_core_second=500, executor_cores=4, min_executors=1, max_executors=4)
        p = core.plan_run(10**9, s)
        seconds = p.max_offsets_per_trigger / (500 * 4 * p.executors)
        assert seconds <= deadline / 4
    assert core.plan_run(10**9, core.Sizing(600, 500, 4, 1, 4)).max_offsets_per_trigger != core.plan_run(10**9, core.Sizing(3600, 500, 4, 1, 4)).max_offsets_per_trigger


def test_the_run_stops_between_batches_before_the_deadline():
    assert not core.should_stop(elapsed=2000, deadline=3600, last_batch_seconds=60, planned_batch_seconds=900)
    assert core.should_stop(elapsed=3200, deadline=3600, last_batch_seconds=60, planned_batch_seconds=900)
    assert core.should_stop(elapsed=2000, deadline=3600, last_batch_seconds=0, planned_batch_seconds=900)


def test_a_run_near_its_deadline_stops_and_the_next_run_continues(world):
    kafka, storage, api = world
    kafka.produce(3000)
    run = Run(kafka, storage, api, "job-a", deadline=400)
    t = [0.0]

    def clock():
        t[0] += 100  # every look at the clock: another 100 s gone
        return t[0]
    run.kafka = kafka
    code = core.drain(kafka=kafka, engine=run.engine, lease=run.lease, topics=[TOPIC], sizing=run.sizing, clock=clock,
                      poll_seconds=0, log=lambda m: None)
    assert code == 0 and 0 < kafka.lag() < 3000  # stopped early, what it wrote is committed
    api.leases.clear()
    Run(kafka, storage, api, "job-b", deadline=400)()
    assert landed(storage) == produced(kafka) and kafka.lag() == 0


def test_starting_offsets_continue_the_group_or_start_at_earliest():
    got = json.loads(core.starting_offsets([(TOPIC, 0), (TOPIC, 1)], {(TOPIC, 0): 42, (TOPIC, 1): -1001}))
    assert got == {TOPIC: {"0": 42, "1": -2}}


def test_offset_book_commits_only_forward_and_each_batch_once():
    book = core.OffsetBook({(TOPIC, 0): 10})
    calls = []
    book.observe_progress([{"batchId": 1, "sources": [{"endOffset": json.dumps({TOPIC: {"0": 5}})}]}])
    assert book.commit(calls.append) == {} and calls == []
    book.observe_progress([{"batchId": 2, "sources": [{"endOffset": json.dumps({TOPIC: {"0": 20}})}]}])
    assert book.commit(calls.append) == {(TOPIC, 0): 20}
    assert book.commit(calls.append) == {}


def test_backlog_counts_from_committed_or_earliest():
    assert core.backlog({(TOPIC, 0): 100, (TOPIC, 1): 50}, {(TOPIC, 0): 40, (TOPIC, 1): -1001}, {(TOPIC, 1): 10}) == 100


def test_lake_columns_are_the_schema_managed_table():
    with open(os.path.join(ROOT, "schemas", "bigquery", "raw", "events.json"), encoding="utf-8") as f:
        table = json.load(f)
    assert core.EVENT_COLUMNS == [c["name"] for c in table["fields"]]
    assert sorted(core.REQUIRED_COLUMNS) == sorted(c["name"] for c in table["fields"] if c["mode"] == "REQUIRED")
    assert not set(core.LAKE_ONLY_COLUMNS) & set(core.EVENT_COLUMNS)


def test_checkpoint_offsets_come_from_the_newest_committed_batch():
    logs = {0: 'v1\n{}\n{"t":{"0":5}}', 1: 'v1\n{}\n{"t":{"0":9}}'}
    assert core.checkpoint_committed_offsets(logs, {0}) == {("t", 0): 5}
    assert core.checkpoint_committed_offsets(logs, {0, 1}) == {("t", 0): 9}
    assert core.checkpoint_committed_offsets({}, set()) == {}


def test_the_spark_glue_bounds_batches_and_commits_from_the_main_thread():
    """stream_events.py needs Spark to run; its source must still wire the planned bound and no async commit path."""
    import ast
    with open(os.path.join(ROOT, "jobs", "stream_events.py"), encoding="utf-8") as f:
        tree = ast.parse(f.read())
    options = {n.args[0].value for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "attr", "") == "option"
               and n.args and isinstance(n.args[0], ast.Constant)}
    assert {"maxOffsetsPerTrigger", "checkpointLocation", "path", "startingOffsets"} <= options
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    assert "StreamingQueryListener" not in names and "addListener" not in names
    assert "drain" in names
