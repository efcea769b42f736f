import { KAFKA_ENV } from "./kafka-client";

/**
 * Environment variable names the pod specs set for the platform's own Python (jobs/, sinks/). The Python reads
 * exactly these (tests/contract.test.ts parses its sources and compares both ways), so a rename on either side
 * fails the tests instead of a pod at runtime. Kafka client variables: KAFKA_ENV (contracts/kafka-client.ts).
 */

/** The streaming run (jobs/stream_events.py, jobs/stream_core.py). */
export const STREAM_ENV = {
    ...KAFKA_ENV,
    podName: "POD_NAME",
    /** Read by the pod spec itself ($(POD_IP) in spark.driver.host), not by the Python. */
    podIp: "POD_IP",
    podNamespace: "POD_NAMESPACE",
    checkpoint: "CHECKPOINT_LOCATION",
    sink: "SINK_URL",
    deadlineSeconds: "RUN_DEADLINE_SECONDS",
    recordsPerCoreSecond: "RECORDS_PER_CORE_SECOND",
    executorCores: "EXECUTOR_CORES",
    minExecutors: "MIN_EXECUTORS",
    maxExecutors: "MAX_EXECUTORS",
} as const;

/** The archive sink (sinks/curated_sink.py). */
export const SINK_ENV = {
    ...KAFKA_ENV,
    sink: "SINK_URL",
} as const;

/** Python sources of each workload, relative to the repository root. */
export const PYTHON_SOURCES = {
    stream: ["jobs/stream_events.py", "jobs/stream_core.py"],
    compaction: ["jobs/compact_curated.py"],
    sink: ["sinks/curated_sink.py"],
} as const;
