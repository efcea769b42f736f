#!/usr/bin/env bash
# Integration smoke test against a deployed stack (staging), run by the deploy workflow after `pulumi up`.
#
# What it checks, end to end, with nothing but the platform's own wiring:
#   1. mTLS produce: a client pod in the producer's namespace mounts the Secret that the Strimzi Access
#      Operator wrote for the producer's KafkaAccess (cluster CA, client certificate and key) and produces
#      N messages tagged with this run's id over the TLS listener. Success proves the listener, the client
#      certificate, the KafkaUser ACLs (Write) and the NetworkPolicy admitting that namespace.
#   2. Lag-driven scale-up: the produced backlog is consumer-group lag on the topic; KEDA's Kafka scaler
#      (reading lag with the monitor user) must activate the ScaledJob and start at least one Job, and
#      the HPA that KEDA owns for a ScaledObject (if given) must want more than its minimum replicas.
#   3. The backlog drains: with the lag reader's own credentials (Describe only), the consumer group's lag
#      must fall back below the activation threshold: the KEDA-started Spark runs consumed the messages and
#      committed their offsets to the group, which is the contract the autoscaler depends on. The smoke test
#      never consumes with the production group itself, so it cannot move its offsets.
#   4. The data arrived, not just the lag: a one-off Job built from the streaming run's own pod spec (same image,
#      identity and lake settings, Spark in local mode) counts the distinct event_ids of this run in the lake
#      dataset the run writes (its SINK_URL): all N must be there. Lag alone passes while data is lost.
#   5. After compaction (SMOKE_BIGQUERY=1, default): a one-off SparkApplication from the compact-curated template
#      loads today's event day, and the same verifier counts N distinct event_ids of this run in its BigQuery table.
# Exit 0 when all checks pass; the first failing check exits non-zero with the reason.
#
# Requires: kubectl and jq, with a context on the cluster (the workflow gets credentials by OIDC).
set -euo pipefail

N="${SMOKE_MESSAGES:-30000}"                      # above the stack's lagThreshold, so KEDA must scale
CLUSTER="${KAFKA_CLUSTER:-events}"                 # kafka.clusterName
TOPIC="${SMOKE_TOPIC:-events.raw}"
PRODUCER="${SMOKE_PRODUCER:-ingestion}"            # kafka user with Write on TOPIC
PRODUCER_NS="${SMOKE_PRODUCER_NS:-ingestion}"
LAG_READER="${SMOKE_LAG_READER:-keda-lag-reader}"  # kafka user with Describe on TOPIC and GROUP
LAG_READER_NS="${SMOKE_LAG_READER_NS:-keda}"       # its credentials are delivered beside KEDA
CONSUMER_NS="${SMOKE_CONSUMER_NS:-spark-jobs}"
DRAINED_BELOW="${SMOKE_DRAINED_BELOW:-100}"        # autoscaling.activationLagThreshold
GROUP="${SMOKE_GROUP:-spark-streaming}"
SCALED_JOB="${SMOKE_SCALED_JOB:-stream-events}"    # ScaledJob in CONSUMER_NS scaled on GROUP's lag
SCALED_OBJECT="${SMOKE_SCALED_OBJECT:-}"           # optional: ScaledObject (ns/name) whose HPA must scale up
IMAGE="${KAFKA_CLIENT_IMAGE:-quay.io/strimzi/kafka:1.2.0-kafka-4.3.1}"
TIMEOUT="${SMOKE_TIMEOUT_SECONDS:-600}"
COMPACTION="${SMOKE_COMPACTION:-compact-curated}"  # ScheduledSparkApplication in CONSUMER_NS
BIGQUERY="${SMOKE_BIGQUERY:-1}"                    # 0: stop after the lake check
RUN_ID="smoke-$(date +%s)-$RANDOM"
TS="$(date -u +%Y-%m-%dT%H:%M:%SZ)"                 # event_ts of every smoke event
TODAY="${TS%%T*}"                                  # their event day: lake partition and BigQuery partition
command -v jq >/dev/null || { echo "jq is required" >&2; exit 1; }

log() { printf '[smoke %s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }
fail() { log "FAIL: $*"; exit 1; }

# Client pod with the KafkaAccess Secret (<cluster>-<user>) mounted; its client config uses the PEM CA and
# a PEM keystore (key + certificate) built from the Secret's ssl.keystore.key and ssl.keystore.crt.
client_pod() { # name namespace user
    local name=$1 ns=$2 user=$3 secret="${CLUSTER}-$3"
    kubectl -n "$ns" get secret "$secret" >/dev/null || fail "KafkaAccess Secret $ns/$secret not found (is the KafkaAccess of user $user ready?)"
    kubectl -n "$ns" apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: $name
  labels: { app.kubernetes.io/name: kafka-smoke, app.kubernetes.io/part-of: dataplatform }
spec:
  restartPolicy: Never
  securityContext: { runAsNonRoot: true, seccompProfile: { type: RuntimeDefault } }
  containers:
    - name: client
      image: $IMAGE
      command: [sleep, "3600"]
      resources: { requests: { cpu: 250m, memory: 512Mi }, limits: { memory: 1Gi } }
      securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: [ALL] } }
      volumeMounts: [{ name: access, mountPath: /access, readOnly: true }]
  volumes:
    - name: access
      secret: { secretName: $secret }
YAML
    kubectl -n "$ns" wait --for=condition=Ready "pod/$name" --timeout=180s >/dev/null || fail "client pod $ns/$name not ready"
    kubectl -n "$ns" exec "$name" -- sh -c 'cat /access/ssl.keystore.key /access/ssl.keystore.crt > /tmp/keystore.pem && cat > /tmp/client.properties <<P
bootstrap.servers=$(cat /access/bootstrap.servers)
security.protocol=SSL
ssl.truststore.type=PEM
ssl.truststore.location=/access/ssl.truststore.crt
ssl.keystore.type=PEM
ssl.keystore.location=/tmp/keystore.pem
P'
}

cleanup() {
    kubectl -n "$PRODUCER_NS" delete pod "smoke-producer" --ignore-not-found --wait=false >/dev/null 2>&1 || true
    kubectl -n "$LAG_READER_NS" delete pod "smoke-lag" --ignore-not-found --wait=false >/dev/null 2>&1 || true
    kubectl -n "$CONSUMER_NS" delete job -l app.kubernetes.io/name=smoke-verify --ignore-not-found --wait=false >/dev/null 2>&1 || true
    kubectl -n "$CONSUMER_NS" delete sparkapplication "smoke-compact-$RUN_ID" --ignore-not-found --wait=false >/dev/null 2>&1 || true
}
trap cleanup EXIT

# 1. produce N events over mTLS as the producer, each with a distinct event_id "<run id>-<n>" (raw.events layout)
log "producing $N messages to $TOPIC as $PRODUCER ($PRODUCER_NS), run $RUN_ID"
client_pod smoke-producer "$PRODUCER_NS" "$PRODUCER"
kubectl -n "$PRODUCER_NS" exec smoke-producer -- sh -c \
    "seq 1 $N | sed 's/.*/{\"event_id\":\"$RUN_ID-&\",\"event_ts\":\"$TS\",\"event_type\":\"smoke\",\"source\":\"smoke\",\"attributes\":{\"run\":\"$RUN_ID\"}}/' | /opt/kafka/bin/kafka-console-producer.sh --bootstrap-server \$(cat /access/bootstrap.servers) --producer.config /tmp/client.properties --topic $TOPIC --producer-property acks=all" \
    || fail "produce over mTLS failed"
log "produced $N messages"

# 2. KEDA must react to the lag: ScaledJob active with at least one Job; optional ScaledObject HPA above min
deadline=$((SECONDS + TIMEOUT))
until [ "$(kubectl -n "$CONSUMER_NS" get scaledjob "$SCALED_JOB" -o jsonpath='{.status.conditions[?(@.type=="Active")].status}')" = "True" ] \
    && [ "$(kubectl -n "$CONSUMER_NS" get jobs -l "scaledjob.keda.sh/name=$SCALED_JOB" -o name | wc -l)" -gt 0 ]; do
    [ $SECONDS -lt $deadline ] || fail "ScaledJob $CONSUMER_NS/$SCALED_JOB did not activate on the lag of group $GROUP within ${TIMEOUT}s"
    sleep 10
done
log "ScaledJob $SCALED_JOB is active: $(kubectl -n "$CONSUMER_NS" get jobs -l "scaledjob.keda.sh/name=$SCALED_JOB" -o name | wc -l) job(s)"
if [ -n "$SCALED_OBJECT" ]; then
    so_ns=${SCALED_OBJECT%%/*}; so_name=${SCALED_OBJECT#*/}
    hpa=$(kubectl -n "$so_ns" get scaledobject "$so_name" -o jsonpath='{.status.hpaName}')
    until [ "$(kubectl -n "$so_ns" get hpa "$hpa" -o jsonpath='{.status.desiredReplicas}')" -gt "$(kubectl -n "$so_ns" get hpa "$hpa" -o jsonpath='{.spec.minReplicas}')" ]; do
        [ $SECONDS -lt $deadline ] || fail "HPA $so_ns/$hpa of ScaledObject $so_name did not scale above its minimum"
        sleep 10
    done
    log "HPA $hpa wants $(kubectl -n "$so_ns" get hpa "$hpa" -o jsonpath='{.status.desiredReplicas}') replicas"
fi

# 3. the runs drain the backlog and commit it to the group: its lag falls below the activation threshold
log "waiting for group $GROUP to drain (read as $LAG_READER)"
client_pod smoke-lag "$LAG_READER_NS" "$LAG_READER"
lag() {
    kubectl -n "$LAG_READER_NS" exec smoke-lag -- sh -c \
        "/opt/kafka/bin/kafka-consumer-groups.sh --bootstrap-server \$(cat /access/bootstrap.servers) --command-config /tmp/client.properties --describe --group $GROUP 2>/dev/null" \
        | awk -v t="$TOPIC" '$2 == t { n++; s += ($6 ~ /^[0-9]+$/) ? $6 : 1e9 } END { print (n ? s : 1e9) }'
    # A partition without a committed offset ("-"), or a group that does not exist, counts as not drained.
}
until [ "$(lag)" -lt "$DRAINED_BELOW" ]; do
    [ $SECONDS -lt $deadline ] || fail "group $GROUP still lags $(lag) messages on $TOPIC after ${TIMEOUT}s: the runs did not consume or did not commit"
    sleep 15
done
log "group $GROUP drained (lag $(lag) < $DRAINED_BELOW): OK"

# 4. the N records are in the lake: count them with the streaming run's own pod spec (identity, image, lake conf)
template=$(kubectl -n "$CONSUMER_NS" get scaledjob "$SCALED_JOB" -o json | jq '.spec.jobTargetRef') || fail "cannot read ScaledJob $SCALED_JOB"
SINK_URL=$(jq -r '.template.spec.containers[0].env[] | select(.name == "SINK_URL") | .value' <<<"$template")
[ -n "$SINK_URL" ] || fail "the streaming Job template sets no SINK_URL"
verify() { # name, extra verifier arguments...; prints the verifier's log
    local name=$1; shift
    local extra
    extra=$(printf '%s\n' "$@" | jq -R . | jq -s .)
    jq --arg name "$name" --argjson extra "$extra" '
        .template.spec.containers[0].args as $a
        | ([range(0; $a | length; 2) | select($a[.] == "--conf") | [$a[.], $a[. + 1]]] | flatten) as $conf
        | {apiVersion: "batch/v1", kind: "Job",
           metadata: {name: $name, labels: {"app.kubernetes.io/name": "smoke-verify"}},
           spec: (. | .backoffLimit = 0 | .activeDeadlineSeconds = 900 | .ttlSecondsAfterFinished = 600
                  | .template.metadata.labels = {"app.kubernetes.io/name": "smoke-verify"}
                  | .template.spec.containers[0].args = ($conf + ["--conf", "spark.master=local[2]", "local:///opt/spark/jobs/verify_run.py"] + $extra))}' \
        <<<"$template" | kubectl -n "$CONSUMER_NS" apply -f - >/dev/null || fail "cannot start verifier Job $name"
    kubectl -n "$CONSUMER_NS" wait --for=condition=complete "job/$name" --timeout=900s >/dev/null || fail "verifier Job $name did not complete"
    kubectl -n "$CONSUMER_NS" logs "job/$name"
}
lake=$(verify "smoke-lake-${RUN_ID#smoke-}" --source "$SINK_URL" --run-id "$RUN_ID" | sed -n 's/^lake=//p')
[ "$lake" = "$N" ] || fail "the lake ($SINK_URL) holds ${lake:-no} distinct records of run $RUN_ID, expected $N: data was lost or not written"
log "lake holds $N distinct records of run $RUN_ID: OK"

# 5. after compaction: load today's event day and count the run's records in the BigQuery table
[ "$BIGQUERY" = "1" ] || { log "BigQuery check skipped (SMOKE_BIGQUERY=$BIGQUERY)"; exit 0; }
kubectl -n "$CONSUMER_NS" get scheduledsparkapplication "$COMPACTION" -o json \
    | jq --arg name "smoke-compact-$RUN_ID" --arg date "$TODAY" '{apiVersion: "sparkoperator.k8s.io/v1beta2", kind: "SparkApplication",
        metadata: {name: $name}, spec: (.spec.template | .arguments += ["--date", $date] | .restartPolicy = {type: "Never"})}' \
    | kubectl -n "$CONSUMER_NS" apply -f - >/dev/null || fail "cannot start a compaction of $TODAY"
TABLE=$(kubectl -n "$CONSUMER_NS" get sparkapplication "smoke-compact-$RUN_ID" -o json | jq -r '.spec.arguments as $a | $a[($a | index("--table")) + 1]')
until [ "$(kubectl -n "$CONSUMER_NS" get sparkapplication "smoke-compact-$RUN_ID" -o jsonpath='{.status.applicationState.state}')" = "COMPLETED" ]; do
    state=$(kubectl -n "$CONSUMER_NS" get sparkapplication "smoke-compact-$RUN_ID" -o jsonpath='{.status.applicationState.state}')
    case "$state" in FAILED|SUBMISSION_FAILED) fail "compaction of $TODAY ended $state" ;; esac
    [ $SECONDS -lt $((deadline + 1800)) ] || fail "compaction of $TODAY did not complete"
    sleep 15
done
bq=$(verify "smoke-bq-${RUN_ID#smoke-}" --source "$SINK_URL" --run-id "$RUN_ID" --table "$TABLE" --date "$TODAY" | sed -n 's/^bigquery=//p')
[ "$bq" = "$N" ] || fail "BigQuery $TABLE holds ${bq:-no} distinct records of run $RUN_ID for $TODAY, expected $N"
log "BigQuery $TABLE holds $N distinct records of run $RUN_ID: OK"
