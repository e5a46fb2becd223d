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
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO"
STATE="$REPO/.stack/pipeline"
DOCS=40 MEMORIZED=10 SHARD=10 KEEP=0 MODEL=builtin:tiny
SERVICES=(scorer-service)
PORTS=(8081)
FULL=1

# Services leave their consumer groups on a clean exit; waiting for that before the broker stops
# spares the next start a 45 s session timeout for members that never said goodbye.
stop_services() {
  for s in "${SERVICES[@]}"; do
    if [[ -f "$STATE/$s.pid" ]]; then
      pid=$(cat "$STATE/$s.pid")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      rm -f "$STATE/$s.pid"
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
    --stop) stop_services; stack/local-stack.sh stop; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

if [[ $FULL == 1 ]]; then
  SERVICES=(scorer-service contrastive-service discovery-service verifier-service)
  PORTS=(8081 8082 8083 8084)
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
eval "$(stack/local-stack.sh env)"
export OPT_OUT_TRACKING=true DJL_OFFLINE=true DJL_CACHE_DIR="${DJL_CACHE_DIR:-$REPO/.cache/djl}"
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-1}" # one malloc arena for libtorch's buffers (see NativeAllocator)

if [[ $KEEP == 0 ]]; then
  trap 'stop_services; stack/local-stack.sh stop >&2' EXIT
fi
for i in "${!SERVICES[@]}"; do
  s=${SERVICES[$i]} port=${PORTS[$i]}
  if [[ -f "$STATE/$s.pid" ]] && kill -0 "$(cat "$STATE/$s.pid")" 2>/dev/null; then
    continue
  fi
  java -Dai.djl.offline=true -Dquarkus.http.port="$port" -Dquarkus.http.host=127.0.0.1 \
    -jar "$s/target/quarkus-app/quarkus-run.jar" > "$STATE/$s.log" 2>&1 &
  echo $! > "$STATE/$s.pid"
  echo "pipeline: $s starting on :$port (log $STATE/$s.log)" >&2
done
for i in "${!SERVICES[@]}"; do
  for _ in $(seq 1 120); do
    curl -fsS "http://127.0.0.1:${PORTS[$i]}/q/health/ready" >/dev/null 2>&1 && break
    kill -0 "$(cat "$STATE/${SERVICES[$i]}.pid")" 2>/dev/null || { tail -40 "$STATE/${SERVICES[$i]}.log" >&2; exit 1; }
    sleep 1
  done
done

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
