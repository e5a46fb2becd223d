#!/usr/bin/env bash
# The main job on the embedded default: a real Kafka broker and S3 server (stack/local-stack.sh),
# the pipeline's services as local JVMs, the built-in model, and a corpus built for it with
# documents it memorizes by construction. Submits the job, follows it, prints the summary.
#
#   deploy/local/pipeline.sh [--documents N] [--memorized M] [--shard-size S] [--score-only] [--keep]
#
# By default all four stages run (score -> contrastive -> discover -> verify, each service with its
# defaults, chained through the request's `next` stages) and the verification report is fetched
# to .stack/pipeline/; --score-only runs the scorer alone and prints the scores summary.
# --keep leaves the stack and services running (stop with: deploy/local/pipeline.sh --stop).
# A service not answering /q/health/ready within PIPELINE_READY_TIMEOUT seconds (default 120) ends
# the run with exit 1 and its log's tail.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO"
STATE="$REPO/.stack/pipeline"
DOCS=40 MEMORIZED=10 SHARD=10 KEEP=0 MODEL=builtin:tiny FULL=1 STOP=0
ALL_SERVICES=(scorer-service contrastive-service discovery-service verifier-service)
ALL_PORTS=(8081 8082 8083 8084)
# seconds each service gets to answer /q/health/ready once launched
READY_TIMEOUT=${PIPELINE_READY_TIMEOUT:-120}

# prints the pid from the service's pid file if that process is still this service's JVM: not exited
# (a zombie's command line is empty) and not a reused pid now running something else
service_pid() {
  local s=$1 pid cmd
  [[ -f "$STATE/$s.pid" ]] || return 1
  pid=$(tr -dc '0-9' < "$STATE/$s.pid")
  [[ -n $pid ]] || return 1
  cmd=$(tr '\0' '\n' 2>/dev/null < "/proc/$pid/cmdline") || return 1
  grep -qxF "$s/target/quarkus-app/quarkus-run.jar" <<< "$cmd" || return 1
  echo "$pid"
}
alive() { local st; st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) && [[ -n $st && $st != Z ]]; }

# Services leave their consumer groups on a clean exit; waiting for that before the broker stops
# spares the next start a 45 s session timeout for members that never said goodbye. All are signalled
# first so their shutdowns overlap; one still alive after 30 s is killed, so none outlives the stack.
stop_services() {
  local s pid pids=() names=()
  for s in "${ALL_SERVICES[@]}"; do
    if pid=$(service_pid "$s"); then
      echo "pipeline: stopping $s (pid $pid)" >&2
      kill "$pid" 2>/dev/null || true
      pids+=("$pid") names+=("$s")
    fi
    rm -f "$STATE/$s.pid"
  done
  for i in "${!pids[@]}"; do
    pid=${pids[$i]}
    for _ in $(seq 1 60); do alive "$pid" || break; sleep 0.5; done
    if alive "$pid"; then
      echo "pipeline: ${names[$i]} (pid $pid) still running 30 s after SIGTERM; sending SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --documents) DOCS=$2; shift 2 ;;
    --memorized) MEMORIZED=$2; shift 2 ;;
    --shard-size) SHARD=$2; shift 2 ;;
    --model) MODEL=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --score-only) FULL=0; shift ;;
    --stop) STOP=1; shift ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

# --stop stops every service a run may have left (whatever --score-only said then), then the stack
if [[ $STOP == 1 ]]; then
  stop_services
  stack/local-stack.sh stop >&2
  exit 0
fi
if [[ $FULL == 1 ]]; then
  SERVICES=("${ALL_SERVICES[@]}") PORTS=("${ALL_PORTS[@]}")
else
  SERVICES=(scorer-service) PORTS=(8081)
fi
mkdir -p "$STATE"
for s in "${SERVICES[@]}"; do
  if [[ ! -f "$s/target/quarkus-app/quarkus-run.jar" || ! -f circuits-cli/target/circuits-cli.jar ]]; then
    echo "pipeline: building the services and the command line..." >&2
    ./mvnw -B -q -Dstyle.color=never package -DskipTests >&2
    break
  fi
done

stack/local-stack.sh start >&2
# an assignment, not eval "$(...)": eval would carry on with an empty environment if env failed
stack_env=$(stack/local-stack.sh env)
eval "$stack_env"
if [[ -z ${S3_ACCESS_KEY:-} || -z ${S3_SECRET_KEY:-} ]]; then
  echo "pipeline: stack/local-stack.sh env gave no S3_ACCESS_KEY/S3_SECRET_KEY; the services need both (see stack/README.md)" >&2
  exit 1
fi
export OPT_OUT_TRACKING=true DJL_OFFLINE=true DJL_CACHE_DIR="${DJL_CACHE_DIR:-$REPO/.cache/djl}"
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-1}" # one malloc arena for libtorch's buffers (see NativeAllocator)

if [[ $KEEP == 0 ]]; then
  trap 'stop_services; stack/local-stack.sh stop >&2' EXIT
fi
for i in "${!SERVICES[@]}"; do
  s=${SERVICES[$i]} port=${PORTS[$i]}
  if service_pid "$s" >/dev/null; then
    continue
  fi
  java -Dai.djl.offline=true -Dquarkus.http.port="$port" -Dquarkus.http.host=127.0.0.1 \
    -jar "$s/target/quarkus-app/quarkus-run.jar" > "$STATE/$s.log" 2>&1 &
  echo $! > "$STATE/$s.pid"
  echo "pipeline: $s starting on :$port (log $STATE/$s.log)" >&2
done
# Any service not ready in time ends the run (exit 1); without --keep the EXIT trap then stops what it
# started. Each service gets READY_TIMEOUT s of waiting of its own, as the services boot side by side
# and compete for the CPUs.
not_ready() {
  local s=$1 port=$2 why=$3
  echo "pipeline: $s on :$port $why" >&2
  if [[ -s $STATE/$s.log ]]; then
    echo "pipeline: last 40 lines of $STATE/$s.log:" >&2
    tail -n 40 "$STATE/$s.log" | sed "s/^/    /" >&2 || true
  else
    echo "pipeline: $STATE/$s.log is empty: the JVM has written nothing yet" >&2
  fi
  if [[ $KEEP == 1 ]]; then
    echo "pipeline: --keep: leaving the stack and services running; stop them with: deploy/local/pipeline.sh --stop" >&2
  else
    echo "pipeline: stopping the services and the stack" >&2
  fi
  exit 1
}
launched=$(date +%s)
for i in "${!SERVICES[@]}"; do
  s=${SERVICES[$i]} port=${PORTS[$i]}
  deadline=$(( $(date +%s) + READY_TIMEOUT ))
  until curl -fsS -m 5 "http://127.0.0.1:$port/q/health/ready" >/dev/null 2>&1; do
    service_pid "$s" >/dev/null || not_ready "$s" "$port" "exited before it was ready"
    (( $(date +%s) < deadline )) || not_ready "$s" "$port" \
      "not ready $(( $(date +%s) - launched )) s after launch (waited ${READY_TIMEOUT} s for it; PIPELINE_READY_TIMEOUT sets that) at http://127.0.0.1:$port/q/health/ready"
    sleep 1
  done
done
echo "pipeline: services ready $(( $(date +%s) - launched )) s after launch" >&2

corpus="$STATE/corpus-$MODEL-$DOCS-$MEMORIZED.jsonl"
corpus=${corpus//:/_}
[[ -f $corpus ]] || ./circuits make-corpus --model "$MODEL" --documents "$DOCS" --memorized "$MEMORIZED" --out "$corpus" >&2
# A fresh job id per run: a request's derived id is the same on every run, and the services answer
# a job they have already finished with "already finished" rather than running the chain again.
run_id="pipeline-$(date +%s)-$$"
if [[ $FULL == 1 ]]; then
  job=$(./circuits submit score --job-id "$run_id" --model "$MODEL" --dataset "$corpus" --shard-size "$SHARD" \
    --next contrastive,discover,verify | sed -E 's/.*"jobId":"([^"]+)".*/\1/')
  echo "pipeline: submitted job $job (then contrastive, discover, verify)" >&2
  ./circuits watch "$job" --stage score --timeout 1800 >/dev/null
  # Each later stage derives its own job id; follow the status topic until a verify job ends.
  final=$(./circuits watch "" --stage verify --any-job --timeout 1800)
  echo "$final"
  uri=$(echo "$final" | sed -nE 's/.*report at (s3:[^"]+)".*/\1/p')
  [[ -n $uri ]] || exit 1
  ./circuits fetch "$uri" --out "$STATE/report.html" >/dev/null
  ./circuits fetch "${uri%report.html}result.json" --out "$STATE/verify-result.json" >/dev/null
  echo "pipeline: verification report at $STATE/report.html" >&2
  exit 0
fi
job=$(./circuits submit score --job-id "$run_id" --model "$MODEL" --dataset "$corpus" --shard-size "$SHARD" \
  | sed -E 's/.*"jobId":"([^"]+)".*/\1/')
echo "pipeline: submitted job $job" >&2
final=$(./circuits watch "$job" --stage score --timeout 1800)
echo "$final"
uri=$(echo "$final" | sed -nE 's/.*scores at (s3:[^"]+)".*/\1/p')
if [[ -n $uri ]]; then
  ./circuits fetch "${uri%scores.jsonl}summary.json" --out "$STATE/$job-summary.json" >/dev/null
  cat "$STATE/$job-summary.json"
fi
