"""In-memory Kafka, Kubernetes Lease API and a Spark engine that keeps the semantics the streaming run relies on:
the checkpoint's write-ahead offset log and commit log, and the file sink's _spark_metadata, which skips a batch id
it has already committed (FileStreamSink.addBatch: "Skipping already committed batch")."""
import datetime as dt
import json

import stream_core as core


class Crash(Exception):
    """The process dies here (nothing after it runs)."""


class FakeKafka:
    def __init__(self, partitions):
        self.log = {tp: [] for tp in partitions}
        self.group = {}
        self.commits = []
        self.fail_next_commit = False

    def produce(self, n, prefix="r"):
        tps = sorted(self.log)
        for i in range(n):
            tp = tps[i % len(tps)]
            self.log[tp].append(f"{prefix}-{i}")

    def partitions(self, topics):
        return sorted(tp for tp in self.log if tp[0] in topics)

    def earliest(self, tps):
        return {tp: 0 for tp in tps}

    def latest(self, tps):
        return {tp: len(self.log[tp]) for tp in tps}

    def committed(self, tps):
        return {tp: self.group.get(tp, -1001) for tp in tps}

    def commit(self, offsets):
        if self.fail_next_commit:
            self.fail_next_commit = False
            raise Crash("killed before the offset commit")
        self.commits.append(dict(offsets))
        self.group.update(offsets)

    def lag(self):
        return sum(len(v) - max(self.group.get(tp, 0), 0) for tp, v in self.log.items())


class FakeLeaseApi:
    def __init__(self):
        self.leases = {}
        self.version = 0
        self.errors = 0

    def _err(self):
        if self.errors:
            self.errors -= 1
            raise RuntimeError("apiserver unavailable")

    def get(self, name):
        self._err()
        r = self.leases.get(name)
        return None if r is None else core.LeaseRecord(r.holder, r.renew_time, r.duration_seconds, r.version)

    def create(self, name, r):
        self._err()
        if name in self.leases:
            raise core.Conflict("exists")
        self.version += 1
        self.leases[name] = core.LeaseRecord(r.holder, r.renew_time, r.duration_seconds, str(self.version))

    def replace(self, name, r):
        self._err()
        if self.leases[name].version != r.version:
            raise core.Conflict("resourceVersion moved")
        self.version += 1
        self.leases[name] = core.LeaseRecord(r.holder, r.renew_time, r.duration_seconds, str(self.version))


class Clock:
    def __init__(self):
        self.t = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)

    def __call__(self):
        return self.t

    def advance(self, seconds):
        self.t += dt.timedelta(seconds=seconds)


class Storage:
    """The lake: checkpoints and sink paths, shared by every run."""

    def __init__(self):
        self.checkpoints = {}
        self.sinks = {}

    def checkpoint(self, path):
        return self.checkpoints.setdefault(path, {"offsets": {}, "commits": set()})

    def sink(self, path):
        return self.sinks.setdefault(path, {"batches": set(), "rows": []})


class FakeEngine:
    def __init__(self, kafka, storage, paths, crash=None, batch_seconds=1.0):
        self.kafka, self.storage, self.paths = kafka, storage, paths
        self.crash = crash or {}
        self.batch_seconds = batch_seconds
        self.plans = []

    def open(self, plan):
        self.plans.append(plan)
        return FakeSession(self, plan)


class FakeSession:
    def __init__(self, engine, plan):
        self.e, self.plan = engine, plan

    def checkpoint_offsets(self):
        c = self.e.storage.checkpoint(self.e.paths.checkpoint)
        return core.checkpoint_committed_offsets(c["offsets"], c["commits"])

    def start(self, starting_json):
        return FakeQuery(self.e, self.plan, starting_json)


class FakeQuery:
    def __init__(self, e, plan, starting_json):
        self.e, self.plan = e, plan
        self.ck = e.storage.checkpoint(e.paths.checkpoint)
        self.sink = e.storage.sink(e.paths.sink)
        self._progress = []
        self.active = True
        self.error = None
        self.stopped = False
        tps = sorted(e.kafka.log)
        if self.ck["offsets"]:
            last = max(self.ck["offsets"])
            if last in self.ck["commits"]:
                self.next_id, self.pos = last + 1, core.checkpoint_committed_offsets(self.ck["offsets"], [last])
            else:  # Spark re-runs the planned, uncommitted batch with the same offsets
                self.next_id, self.pos = last, None
                self.replan = core.parse_source_offsets(self.ck["offsets"][last].splitlines()[2])
                prev = [i for i in self.ck["commits"] if i < last]
                self.pos = core.checkpoint_committed_offsets(self.ck["offsets"], prev) if prev else {}
        else:
            start = core.parse_source_offsets(starting_json)
            self.next_id = 0
            self.pos = {tp: (0 if start.get(tp, -2) < 0 else start[tp]) for tp in tps}
        for tp in tps:
            self.pos.setdefault(tp, 0)
        self.end = {tp: len(e.kafka.log[tp]) for tp in tps}  # AvailableNow: the backlog seen at start

    def _batch(self):
        replan = getattr(self, "replan", None)
        if replan is not None:
            target, self.replan = replan, None
        else:
            budget, target = self.plan.max_offsets_per_trigger, dict(self.pos)
            while budget > 0 and any(target[tp] < self.end[tp] for tp in target):
                for tp in sorted(target):
                    if budget and target[tp] < self.end[tp]:
                        target[tp] += 1
                        budget -= 1
            if target == self.pos:
                return False
        bid = self.next_id
        body = json.dumps({t: {str(p): o for (tt, p), o in target.items() if tt == t} for t in {t for t, _ in target}})
        self.ck["offsets"][bid] = f"v1\n{{}}\n{body}"
        rows = [(tp, o, self.e.kafka.log[tp][o]) for tp in sorted(target) for o in range(self.pos.get(tp, 0), target[tp])]
        if bid in self.sink["batches"]:
            pass  # FileStreamSink: "Skipping already committed batch"
        else:
            self.sink["rows"].extend(rows)
            self.sink["batches"].add(bid)
        if self.e.crash.get("after_sink_write") == bid:
            raise Crash(f"killed after writing batch {bid}, before the checkpoint commit")
        self.ck["commits"].add(bid)
        self.pos, self.next_id = target, bid + 1
        self._progress.append({"batchId": bid, "sources": [{"endOffset": body}], "durationMs": {"triggerExecution": self.e.batch_seconds * 1000}})
        return True

    def is_active(self):
        return self.active

    def await_termination(self, seconds):
        if not self.active:
            return
        if not self._batch():
            self.active = False

    def progress(self):
        return list(self._progress)

    def stop(self):
        self.stopped = True
        self.active = False

    def exception(self):
        return self.error
