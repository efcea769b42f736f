"""Pure logic of the streaming run: no Spark, no Kafka client, no Kubernetes client (stream_events.py wires those).

Invariant (README "Streaming data path"): one sink path, one checkpoint, one writer. The sink path and its
checkpoint come from the pod spec; the Lease that makes the run single-writer is named after the sink path. None of
them depends on the scaling limits, so changing how many executors a run may use never starts a new checkpoint.
"""
import dataclasses
import datetime as dt
import hashlib
import json
import math
import threading
from typing import Callable, Dict, Iterable, List, Optional, Tuple

TopicPartition = Tuple[str, int]
Offsets = Dict[TopicPartition, int]

# Spark's Kafka source: -2 in startingOffsets means "earliest" for that partition.
EARLIEST = -2
# A batch is sized to take at most this share of the run's deadline, so a run always finishes a few of them.
BATCHES_PER_DEADLINE = 4
# Share of the deadline a run spends on work; the rest covers JVM and executor start-up and the final commit.
WORK_SHARE = 0.5

# Columns of the lake dataset written by the run: the schema-managed table raw.events
# (schemas/bigquery/raw/events.json) plus `dt` (lake partition, the event day) and `raw` (the Kafka value, kept only
# when it does not parse). tests/python checks this list against the schema file.
EVENT_COLUMNS = ["event_id", "event_ts", "ingest_ts", "event_type", "customer_id", "session_id", "source", "kafka", "attributes"]
REQUIRED_COLUMNS = ["event_id", "event_ts", "ingest_ts", "event_type", "source", "kafka"]
LAKE_ONLY_COLUMNS = ["dt", "raw"]


@dataclasses.dataclass(frozen=True)
class RunPaths:
    sink: str
    checkpoint: str
    lease: str


def run_paths(sink_url: str, checkpoint_url: str) -> RunPaths:
    """The sink path, its checkpoint and the Lease of its single writer: one triple, never per shard or per scale."""
    sink = sink_url.rstrip("/")
    digest = hashlib.sha256(sink.encode()).hexdigest()[:16]
    return RunPaths(sink=sink, checkpoint=checkpoint_url.rstrip("/"), lease=f"stream-writer-{digest}")


@dataclasses.dataclass(frozen=True)
class Sizing:
    deadline_seconds: int
    records_per_core_second: int
    executor_cores: int
    min_executors: int
    max_executors: int


@dataclasses.dataclass(frozen=True)
class RunPlan:
    executors: int
    max_offsets_per_trigger: int
    batch_seconds: float


def plan_run(backlog: int, s: Sizing) -> RunPlan:
    """Executors from the backlog (the lag KEDA saw), batch size from the deadline: one batch never nears it."""
    per_executor = s.records_per_core_second * s.executor_cores
    work = s.deadline_seconds * WORK_SHARE
    wanted = math.ceil(max(backlog, 0) / (per_executor * work)) if backlog > 0 else s.min_executors
    executors = min(max(wanted, s.min_executors, 1), s.max_executors)
    batch_seconds = s.deadline_seconds / BATCHES_PER_DEADLINE
    return RunPlan(executors=executors, max_offsets_per_trigger=max(1, int(per_executor * executors * batch_seconds)), batch_seconds=batch_seconds)


def should_stop(elapsed: float, deadline: float, last_batch_seconds: float, planned_batch_seconds: float) -> bool:
    """Stop between batches when the next one might not finish before the Job's activeDeadlineSeconds.

    The next batch is expected to take as long as the last one (the planned length before any), with a 50 % margin;
    10 % of the deadline is kept for the time the Job spent before the driver started and for the final commit.
    """
    expected = last_batch_seconds if last_batch_seconds > 0 else planned_batch_seconds
    return elapsed + 1.5 * expected >= 0.9 * deadline


def backlog(latest: Offsets, committed: Offsets, earliest: Offsets) -> int:
    """Records between the group's committed offsets (or the earliest retained one) and the end of each partition."""
    total = 0
    for tp, end in latest.items():
        start = committed.get(tp)
        if start is None or start < 0:
            start = earliest.get(tp, 0)
        start = max(start, earliest.get(tp, 0))
        total += max(end - start, 0)
    return total


def starting_offsets(partitions: Iterable[TopicPartition], committed: Offsets) -> str:
    """startingOffsets for a new checkpoint: continue where the group is, earliest where it has nothing."""
    out: Dict[str, Dict[str, int]] = {}
    for t, p in sorted(partitions):
        o = committed.get((t, p))
        out.setdefault(t, {})[str(p)] = o if o is not None and o >= 0 else EARLIEST
    return json.dumps(out, sort_keys=True)


def parse_source_offsets(text) -> Offsets:
    """A Kafka source offset as Spark writes it: {"topic": {"partition": offset}} (progress endOffset, offset log)."""
    if not text:
        return {}
    data = json.loads(text) if isinstance(text, str) else text
    return {(t, int(p)): int(o) for t, parts in data.items() for p, o in parts.items()}


def checkpoint_committed_offsets(offset_logs: Dict[int, str], commit_ids: Iterable[int]) -> Offsets:
    """End offsets of the newest batch the sink committed (offsets/<id> is written ahead, commits/<id> after).

    An offset log file is "v1", a metadata line, then one line per source; the streaming run has one source.
    """
    done = sorted(set(commit_ids) & set(offset_logs))
    if not done:
        return {}
    lines = [ln for ln in offset_logs[done[-1]].splitlines() if ln.strip()]
    if len(lines) < 3 or not lines[0].startswith("v"):
        raise ValueError(f"unexpected offset log for batch {done[-1]}: {lines[:1]}")
    return parse_source_offsets(lines[2])


class OffsetBook:
    """What the sink has durably written, per partition, and what the group has been told: commits only move forward."""

    def __init__(self, committed: Offsets):
        self.committed: Offsets = dict(committed)
        self.written: Offsets = {}
        self._seen_batches: set = set()

    def observe_written(self, offsets: Offsets) -> None:
        for tp, o in offsets.items():
            if o > self.written.get(tp, -1):
                self.written[tp] = o

    def observe_progress(self, progresses: Iterable[dict]) -> None:
        """Query progress (JSON dicts of StreamingQueryProgress): each reported batch is committed in the sink."""
        for p in progresses:
            if p.get("batchId") in self._seen_batches:
                continue
            self._seen_batches.add(p.get("batchId"))
            for src in p.get("sources", []):
                self.observe_written(parse_source_offsets(src.get("endOffset")))

    def pending(self) -> Offsets:
        return {tp: o for tp, o in self.written.items() if o > self.committed.get(tp, -1)}

    def commit(self, commit: Callable[[Offsets], None]) -> Offsets:
        """Commits what is written and not yet committed; `commit` must be synchronous (raises on failure)."""
        todo = self.pending()
        if todo:
            commit(todo)
            self.committed.update(todo)
        return todo


class LeaseLost(Exception):
    pass


class Conflict(Exception):
    """The Lease changed since it was read (HTTP 409) or already exists."""


@dataclasses.dataclass
class LeaseRecord:
    holder: Optional[str]
    renew_time: Optional[dt.datetime]
    duration_seconds: int
    version: Optional[str] = None


class Lease:
    """Single writer per sink path through a coordination.k8s.io Lease.

    `api` has get(name) -> LeaseRecord | None, create(name, record), replace(name, record) (raises Conflict when the
    resourceVersion moved). The holder renews every duration/3; if it cannot renew before the lease could expire,
    `on_lost` is called to stop writing, since another run may then take the path.
    """

    def __init__(self, api, name: str, me: str, duration_seconds: int = 60, clock: Callable[[], dt.datetime] = None, log=print):
        self.api, self.name, self.me, self.duration = api, name, me, duration_seconds
        self.clock = clock or (lambda: dt.datetime.now(dt.timezone.utc))
        self.log = log
        self.last_renewed: Optional[dt.datetime] = None
        self.lost = threading.Event()
        self.stop = threading.Event()

    def _record(self, version=None) -> LeaseRecord:
        return LeaseRecord(holder=self.me, renew_time=self.clock(), duration_seconds=self.duration, version=version)

    def acquire(self) -> bool:
        now = self.clock()
        cur = self.api.get(self.name)
        try:
            if cur is None:
                self.api.create(self.name, self._record())
            else:
                expired = cur.renew_time is None or cur.renew_time + dt.timedelta(seconds=cur.duration_seconds) < now
                if cur.holder != self.me and not expired:
                    return False
                self.api.replace(self.name, self._record(cur.version))
        except Conflict:
            return False
        self.last_renewed = now
        return True

    def renew_once(self) -> bool:
        """One renewal attempt; False once the lease is lost (taken, or not renewed in time)."""
        if self.lost.is_set():
            return False
        now = self.clock()
        try:
            cur = self.api.get(self.name)
            if cur is None or cur.holder != self.me:
                return self._lose(f"lease {self.name} is held by {cur.holder if cur else 'nobody'}")
            self.api.replace(self.name, self._record(cur.version))
            self.last_renewed = now
            return True
        except Conflict:
            return self._lose(f"lease {self.name} changed under us")
        except Exception as e:  # API errors are retried until the lease could have expired
            # Give up a third of the duration before expiry: the writer must stop before anyone else can start.
            if self.last_renewed is None or now - self.last_renewed >= dt.timedelta(seconds=self.duration * 2 / 3):
                return self._lose(f"lease {self.name} not renewed since {self.last_renewed}: {e}")
            self.log(f"lease {self.name}: renewal failed, retrying: {e}")
            return True

    def _lose(self, why: str) -> bool:
        self.log(why)
        self.lost.set()
        return False

    def keep(self, on_lost: Callable[[], None], interval: Optional[float] = None) -> threading.Thread:
        """Renews in a daemon thread; any failure that outlives the lease calls `on_lost` (the thread never dies silently)."""
        wait = interval if interval is not None else self.duration / 6

        def loop():
            while not self.stop.wait(wait):
                if not self.renew_once():
                    on_lost()
                    return

        t = threading.Thread(target=loop, daemon=True, name=f"lease-{self.name}")
        t.start()
        return t

    def release(self) -> None:
        self.stop.set()
        if self.lost.is_set():
            return
        try:
            cur = self.api.get(self.name)
            if cur is not None and cur.holder == self.me:
                self.api.replace(self.name, LeaseRecord(holder=None, renew_time=None, duration_seconds=self.duration, version=cur.version))
        except Exception as e:  # the lease expires on its own
            self.log(f"lease {self.name}: release failed: {e}")


def drain(*, kafka, engine, lease: Lease, topics: List[str], sizing: Sizing, clock: Callable[[], float],
          poll_seconds: float = 10.0, log=print) -> int:
    """One bounded run. Returns the exit code; raises if the query or a commit fails (the Job then retries).

    kafka:   partitions(topics), earliest(tps), latest(tps), committed(tps), commit(offsets) (synchronous)
    engine:  open(plan) -> session (executors sized by the plan) with checkpoint_offsets() (Offsets of the newest
             batch the sink committed, {} for a new checkpoint) and start(starting_offsets_json) -> query with
             is_active(), await_termination(seconds), progress() (list of progress dicts), stop(), exception()
    """
    started = clock()
    if not lease.acquire():
        log(f"another run holds {lease.name}; nothing to do")
        return 0
    # Renewal starts at once: Spark's start-up alone can outlast a lease duration.
    stop_query, running = threading.Event(), []

    def on_lost():
        stop_query.set()
        for q in running:
            q.stop()
    lease.keep(on_lost=on_lost)
    try:
        tps = kafka.partitions(topics)
        committed = kafka.committed(tps)
        # Sized from the group's lag, the figure KEDA scaled on.
        plan = plan_run(backlog(kafka.latest(tps), committed, kafka.earliest(tps)), sizing)
        log(f"plan: {plan}")
        session = engine.open(plan)
        book = OffsetBook(committed)
        # A run that wrote a batch and died before committing it: the checkpoint knows, the group does not yet.
        book.observe_written(session.checkpoint_offsets())
        if book.commit(kafka.commit):
            log("committed offsets a previous run had written but not committed")
        # Ignored by Spark when the checkpoint exists (it is the source of truth); used for a new checkpoint.
        if stop_query.is_set():
            raise LeaseLost(f"lost {lease.name} before writing")
        query = session.start(starting_offsets(tps, book.committed))
        running.append(query)
        last_batch = 0.0
        while query.is_active():
            query.await_termination(poll_seconds)
            progress = query.progress()
            book.observe_progress(progress)
            book.commit(kafka.commit)
            if progress:
                last_batch = progress[-1].get("durationMs", {}).get("triggerExecution", 0) / 1000
            if stop_query.is_set():
                query.stop()
                raise LeaseLost(f"lost {lease.name}; stopped writing")
            if should_stop(clock() - started, sizing.deadline_seconds, last_batch, plan.batch_seconds):
                log("stopping before the deadline; the next run continues from the checkpoint")
                query.stop()
        err = query.exception()
        # The last batch's progress may arrive after the poll above: commit it before the process exits.
        book.observe_progress(query.progress())
        book.commit(kafka.commit)
        if err:
            raise RuntimeError(f"streaming query failed: {err}")
        if stop_query.is_set():
            raise LeaseLost(f"lost {lease.name}; stopped writing")
        return 0
    finally:
        lease.release()
