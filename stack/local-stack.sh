#!/usr/bin/env bash
# Local stack for memorization-circuits: a real Apache Kafka broker (KRaft, single node) and a real
# S3 API server (s3proxy, filesystem backend), each in its own background JVM, both resolved from
# Maven Central through stack/kafka/pom.xml and stack/s3/pom.xml. No Docker.
#
#   stack/local-stack.sh start    start both (idempotent; waits for readiness)
#   stack/local-stack.sh stop     stop both (SIGTERM, then SIGKILL after STACK_STOP_TIMEOUT)
#   stack/local-stack.sh restart  stop, then start (data kept: the broker is never reformatted)
#   start, stop and restart take an optional component, kafka or s3, to act on that server alone
#   stack/local-stack.sh status   print whether each is up (exit 0 only if both are up)
#   stack/local-stack.sh env      print export lines:  eval "$(stack/local-stack.sh env)"
#
# See stack/README.md for ports, environment variables and where the logs are.
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd -- "$SCRIPT_DIR/.." && pwd)

STACK_HOME=${STACK_HOME:-$REPO/.stack}
BIND_HOST=127.0.0.1
KAFKA_PORT=${KAFKA_PORT:-19092}
KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-19093}
S3_PORT=${S3_PORT:-19000}
# S3 credentials: the environment's pair when both are given, else a random pair generated into
# $STACK_HOME/credentials on first use and reused from then on (see resolve_credentials). No fixed default:
# a committed default would be the same, public secret on every machine.
S3_ACCESS_KEY=${S3_ACCESS_KEY:-}
S3_SECRET_KEY=${S3_SECRET_KEY:-}
CREDENTIALS_FILE=$STACK_HOME/credentials
CREDENTIALS_SOURCE=
S3_REGION=${S3_REGION:-us-east-1}
KAFKA_HEAP_OPTS=${KAFKA_HEAP_OPTS:--Xms128m -Xmx512m}
S3_HEAP_OPTS=${S3_HEAP_OPTS:--Xms64m -Xmx256m}
# C1-only JIT roughly halves JVM start time on a small, busy machine; fine for a local dev/test stack.
KAFKA_JVM_OPTS=${KAFKA_JVM_OPTS:--XX:+UseG1GC -XX:TieredStopAtLevel=1}
S3_JVM_OPTS=${S3_JVM_OPTS:--XX:+UseSerialGC -XX:TieredStopAtLevel=1}
STACK_START_TIMEOUT=${STACK_START_TIMEOUT:-60}
STACK_STOP_TIMEOUT=${STACK_STOP_TIMEOUT:-30}

if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then JAVA="$JAVA_HOME/bin/java"; else JAVA=java; fi

KAFKA_DIR="$STACK_HOME/kafka"
S3_DIR="$STACK_HOME/s3"

COMPONENTS=(kafka s3)
LAUNCH_T0=0   # set by launch(): epoch ms at which the last JVM was spawned

# ---------------------------------------------------------------------------------------------
# helpers

log()  { printf '[local-stack] %s\n' "$*"; }
err()  { printf '[local-stack] ERROR: %s\n' "$*" >&2; }
die()  { err "$*"; exit 1; }

now_ms() { date +%s%3N; }

usage() {
  cat <<EOF
usage: $(basename "$0") start|stop|restart [kafka|s3] | status | env
  start   start Kafka (127.0.0.1:$KAFKA_PORT) and s3proxy (127.0.0.1:$S3_PORT); no-op if already up
  stop    stop both (works if only one is running)
  restart stop, then start (keeps data; the broker is not reformatted)
          start/stop/restart with kafka or s3 act on that server alone
  status  show whether each is up; exit 0 only if both are up
  env     print export lines for a caller:  eval "\$($(basename "$0") env)"
state dir: $STACK_HOME   (override with STACK_HOME)
S3 credentials: S3_ACCESS_KEY/S3_SECRET_KEY from the environment, else $CREDENTIALS_FILE
  (a random pair written on the first start or env, reused afterwards)
EOF
}

require_port() {
  local name=$1 value=$2
  if ! [[ "$value" =~ ^[1-9][0-9]{0,4}$ ]] || (( value > 65535 )); then
    die "$name must be a TCP port number (1-65535), got '$value'"
  fi
}

check_config() {
  require_port KAFKA_PORT "$KAFKA_PORT"
  require_port KAFKA_CONTROLLER_PORT "$KAFKA_CONTROLLER_PORT"
  require_port S3_PORT "$S3_PORT"
  local p=("$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT" "$S3_PORT")
  [[ "${p[0]}" != "${p[1]}" && "${p[0]}" != "${p[2]}" && "${p[1]}" != "${p[2]}" ]] \
    || die "KAFKA_PORT, KAFKA_CONTROLLER_PORT and S3_PORT must differ (got ${p[*]})"
}

# ---------------------------------------------------------------------------------------------
# S3 credentials

# random_string <length> <tr character set>: from /dev/urandom; reading a fixed 1 KiB first (rather than
# piping tr into head) keeps pipefail from seeing tr die of SIGPIPE
random_string() {
  local n=$1 set=$2 s
  s=$(head -c 1024 /dev/urandom | LC_ALL=C tr -dc "$set")
  (( ${#s} >= n )) || die "could not read $n random characters from /dev/urandom"
  printf '%s' "${s:0:n}"
}

# read_credentials_file: sets S3_ACCESS_KEY/S3_SECRET_KEY from $CREDENTIALS_FILE (KEY=value lines, parsed,
# never sourced)
read_credentials_file() {
  local key value access='' secret=''
  while IFS='=' read -r key value; do
    case $key in
      S3_ACCESS_KEY) access=$value ;;
      S3_SECRET_KEY) secret=$value ;;
    esac
  done < "$CREDENTIALS_FILE"
  if [[ -z "$access" || -z "$secret" || "$access$secret" == *[[:space:]]* ]]; then
    die "$CREDENTIALS_FILE must hold the lines S3_ACCESS_KEY=<key> and S3_SECRET_KEY=<secret> (no spaces);" \
        "stop the stack and delete the file to have a new random pair generated, or set both variables in the environment"
  fi
  S3_ACCESS_KEY=$access S3_SECRET_KEY=$secret
}

# resolve_credentials <create: 0|1>: picks the pair in use. Explicit environment variables win (the test
# harness passes its own); otherwise the stack's credentials file, which is created with create=1 when
# missing. Creation goes through a private temp file and a hard link, so two concurrent first uses
# cannot end up with different pairs: the second link fails and that caller reads the first one's file.
resolve_credentials() {
  local create=$1 tmp access secret
  if [[ -n "$S3_ACCESS_KEY" && -n "$S3_SECRET_KEY" ]]; then
    [[ "$S3_ACCESS_KEY$S3_SECRET_KEY" != *[[:space:]]* ]] || die "S3_ACCESS_KEY and S3_SECRET_KEY must not contain whitespace"
    CREDENTIALS_SOURCE=environment
    return 0
  fi
  if [[ -n "$S3_ACCESS_KEY" || -n "$S3_SECRET_KEY" ]]; then
    die "only one of S3_ACCESS_KEY and S3_SECRET_KEY is set; set both, or unset both to use the stack's own pair in $CREDENTIALS_FILE"
  fi
  if [[ ! -f "$CREDENTIALS_FILE" ]]; then
    (( create )) || return 1
    ensure_home
    access=local-$(random_string 14 'a-z0-9')
    secret=$(random_string 40 'A-Za-z0-9')
    tmp=$(mktemp "$CREDENTIALS_FILE.XXXXXX")   # mode 600 from the start
    {
      echo "# S3 credentials of this local stack, generated by stack/local-stack.sh from /dev/urandom."
      echo "# Used by start/env/status whenever S3_ACCESS_KEY/S3_SECRET_KEY are not set in the environment."
      echo "S3_ACCESS_KEY=$access"
      echo "S3_SECRET_KEY=$secret"
    } > "$tmp"
    if ln "$tmp" "$CREDENTIALS_FILE" 2>/dev/null; then
      log "generated S3 credentials in $CREDENTIALS_FILE (mode 600)" >&2
    fi
    rm -f "$tmp"
  fi
  read_credentials_file
  CREDENTIALS_SOURCE=$CREDENTIALS_FILE
}

component_dir() { case $1 in kafka) echo "$KAFKA_DIR" ;; s3) echo "$S3_DIR" ;; esac; }
component_label() { case $1 in kafka) echo "Kafka" ;; s3) echo "s3proxy" ;; esac; }
pid_file() { echo "$(component_dir "$1")/$1.pid"; }
log_file() { echo "$(component_dir "$1")/$1.log"; }

# Every JVM we launch carries this marker on its command line (before the main class), so a pid can be
# checked against pid reuse and a lost pid file can be recovered. It includes STACK_HOME so two stacks
# with different state dirs never touch each other's processes.
marker() { echo "-Dmemcircuits.stack=$1@$STACK_HOME"; }

# true if pid is alive (not a zombie) and its command line carries the component's marker
pid_matches() {
  local pid=$1 comp=$2 state
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [[ -r "/proc/$pid/cmdline" ]] || return 1
  state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || true)
  [[ -n "$state" && "$state" != Z && "$state" != X ]] || return 1
  tr '\0' '\n' < "/proc/$pid/cmdline" 2>/dev/null | grep -qxF -- "$(marker "$comp")"
}

# pids of live processes carrying the component's marker (normally zero or one)
pids_by_marker() {
  local comp=$1 f pid
  # one grep over all command lines (NUL-separated args, so -z with an exact-line match per argument)
  for f in $(grep -lzxF -- "$(marker "$comp")" /proc/[0-9]*/cmdline 2>/dev/null || true); do
    pid=${f#/proc/}; pid=${pid%/cmdline}
    [[ "$pid" != "$$" && "$pid" != "$BASHPID" ]] || continue
    pid_matches "$pid" "$comp" && echo "$pid"
  done
  return 0
}

# prints the running pid of a component (from the pid file, else by marker); returns 1 if not running
running_pid() {
  local comp=$1 pf pid
  pf=$(pid_file "$comp")
  if [[ -f "$pf" ]]; then
    pid=$(tr -dc '0-9' < "$pf" || true)
    if pid_matches "$pid" "$comp"; then echo "$pid"; return 0; fi
  fi
  pid=$(pids_by_marker "$comp" | head -n1)
  if [[ -n "$pid" ]]; then echo "$pid"; return 0; fi
  return 1
}

tcp_open() { timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" >/dev/null 2>&1; }

# any HTTP status line means s3proxy is serving (an unsigned GET / answers 403)
http_code() { curl -s -o /dev/null -m 3 -w '%{http_code}' "http://$BIND_HOST:$1/" 2>/dev/null || true; }

kafka_healthy() { tcp_open "$BIND_HOST" "$KAFKA_PORT"; }
s3_healthy() { local c; c=$(http_code "$S3_PORT"); [[ -n "$c" && "$c" != 000 ]]; }
healthy() { case $1 in kafka) kafka_healthy ;; s3) s3_healthy ;; esac; }

show_log_tail() {
  local f
  f=$(log_file "$1")
  if [[ -s "$f" ]]; then
    err "last 40 lines of $f:"
    tail -n 40 "$f" | sed 's/^/    /' >&2
  else
    err "$f is empty or missing"
  fi
}

need_cmd() { command -v "$1" >/dev/null 2>&1 || die "required command '$1' not found on PATH${2:+ ($2)}"; }

check_java() {
  need_cmd "$JAVA" "install a JDK 17+ or set JAVA_HOME"
  local v
  v=$("$JAVA" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}')
  if ! [[ "$v" =~ ^[0-9]+$ ]] || (( v < 17 )); then
    die "Java 17+ is required (Kafka 4.x and s3proxy 4.x), found '${v:-unknown}' at $(command -v "$JAVA")"
  fi
}

# ---------------------------------------------------------------------------------------------
# classpath resolution (cached per component; re-resolved when the runner pom changes or a jar is gone)

maven_cmd() {
  if [[ -x "$REPO/mvnw" ]]; then echo "$REPO/mvnw"
  elif command -v mvn >/dev/null 2>&1; then command -v mvn
  else die "neither $REPO/mvnw nor mvn on PATH: cannot resolve the stack's classpath"
  fi
}

classpath_valid() {
  local cpf=$1 shaf=$2 pom=$3 jar
  [[ -s "$cpf" && -f "$shaf" ]] || return 1
  [[ "$(sha256sum "$pom" | cut -d' ' -f1)" == "$(cat "$shaf")" ]] || return 1
  while IFS= read -r jar; do
    [[ -z "$jar" || -f "$jar" ]] || return 1
  done < <(tr ':' '\n' < "$cpf")
  return 0
}

# resolve_classpath <comp>: prints the classpath file path
resolve_classpath() {
  local comp=$1 dir pom cpf shaf mlog mvn t0
  dir=$(component_dir "$comp")
  pom="$SCRIPT_DIR/$comp/pom.xml"
  [[ -f "$pom" ]] || die "missing runner pom $pom"
  cpf="$dir/classpath.txt"
  shaf="$dir/classpath.pom.sha256"
  if classpath_valid "$cpf" "$shaf" "$pom"; then echo "$cpf"; return 0; fi
  mvn=$(maven_cmd)
  mlog="$dir/maven-resolve.log"
  log "resolving $(component_label "$comp") classpath with $(basename "$mvn") (first run downloads from Maven Central; log: $mlog)" >&2
  t0=$(now_ms)
  rm -f "$cpf.tmp"
  if ! (cd "$REPO" && "$mvn" -B -q -Dstyle.color=never -f "$pom" dependency:build-classpath \
          -Dmdep.outputFile="$cpf.tmp" -Dmdep.includeScope=runtime) >"$mlog" 2>&1 || [[ ! -s "$cpf.tmp" ]]; then
    err "Maven could not resolve $pom; output:"
    sed 's/^/    /' "$mlog" >&2
    rm -f "$cpf.tmp"
    exit 1
  fi
  mv -f "$cpf.tmp" "$cpf"
  sha256sum "$pom" | cut -d' ' -f1 > "$shaf"
  log "$(component_label "$comp") classpath: $(tr ':' '\n' < "$cpf" | grep -c .) jars ($(( $(now_ms) - t0 )) ms)" >&2
  echo "$cpf"
}

# ---------------------------------------------------------------------------------------------
# configuration files (rewritten on every start so port/credential changes take effect)

write_kafka_config() {
  mkdir -p "$KAFKA_DIR/data"
  cat > "$KAFKA_DIR/server.properties" <<EOF
# generated by stack/local-stack.sh; rewritten on every start
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$BIND_HOST:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://$BIND_HOST:$KAFKA_PORT,CONTROLLER://$BIND_HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$BIND_HOST:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$KAFKA_DIR/data
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
EOF
}

write_s3_config() {
  mkdir -p "$S3_DIR/data"
  (umask 077 && cat > "$S3_DIR/s3proxy.conf") <<EOF
# generated by stack/local-stack.sh; rewritten on every start
s3proxy.endpoint=http://$BIND_HOST:$S3_PORT
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$S3_ACCESS_KEY
s3proxy.credential=$S3_SECRET_KEY
jclouds.provider=filesystem
jclouds.identity=$S3_ACCESS_KEY
jclouds.credential=$S3_SECRET_KEY
jclouds.filesystem.basedir=$S3_DIR/data
EOF
  chmod 600 "$S3_DIR/s3proxy.conf"
  # without a logback config s3proxy logs at DEBUG
  cat > "$S3_DIR/logback.xml" <<'EOF'
<configuration>
  <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n</pattern></encoder>
  </appender>
  <logger name="org.eclipse.jetty" level="WARN"/>
  <logger name="org.gaul.shaded.org.eclipse.jetty" level="WARN"/>
  <root level="INFO"><appender-ref ref="STDOUT"/></root>
</configuration>
EOF
}

s3_conf_has_credentials() {
  local conf="$S3_DIR/s3proxy.conf"
  [[ -f "$conf" ]] && grep -qxF "s3proxy.identity=$S3_ACCESS_KEY" "$conf" \
    && grep -qxF "s3proxy.credential=$S3_SECRET_KEY" "$conf"
}

format_kafka_storage() {
  local cpf=$1 cid flog
  if [[ -f "$KAFKA_DIR/data/meta.properties" ]]; then return 0; fi
  flog="$KAFKA_DIR/format.log"
  log "formatting KRaft storage in $KAFKA_DIR/data (first start)"
  if ! cid=$(CLASSPATH=$(cat "$cpf") "$JAVA" -Xmx256m kafka.tools.StorageTool random-uuid 2>"$flog"); then
    err "kafka.tools.StorageTool random-uuid failed:"; sed 's/^/    /' "$flog" >&2; exit 1
  fi
  cid=$(printf '%s\n' "$cid" | tail -n1 | tr -d '[:space:]')
  if ! CLASSPATH=$(cat "$cpf") "$JAVA" -Xmx256m kafka.tools.StorageTool format \
        -t "$cid" -c "$KAFKA_DIR/server.properties" >>"$flog" 2>&1; then
    err "kafka.tools.StorageTool format failed:"; sed 's/^/    /' "$flog" >&2; exit 1
  fi
  echo "$cid" > "$KAFKA_DIR/cluster.id"
}

# ---------------------------------------------------------------------------------------------
# launch and readiness

# launch <comp> <classpath file> <jvm/main args...>: starts a detached JVM, writes the pid file
launch() {
  local comp=$1 cpf=$2; shift 2
  local lf pf pid
  lf=$(log_file "$comp"); pf=$(pid_file "$comp")
  [[ -f "$lf" ]] && mv -f "$lf" "$lf.prev"
  : > "$lf"
  LAUNCH_T0=$(now_ms)
  # CLASSPATH via the environment keeps the command line short (jps/ps/pgrep stay usable).
  # setsid: own session, so the JVM does not get the caller's SIGINT/SIGHUP; nohup for good measure.
  # 9>&- : do not let the JVM inherit the lock fd, or it would hold the start/stop lock for its lifetime.
  CLASSPATH=$(cat "$cpf") setsid nohup "$JAVA" "$(marker "$comp")" "$@" </dev/null >>"$lf" 2>&1 9>&- &
  pid=$!
  # setsid only forks when the caller is a process-group leader; normally $! is the JVM itself.
  local i
  for i in 1 2 3 4 5 6 7 8 9 10; do
    pid_matches "$pid" "$comp" && break
    local alt; alt=$(pids_by_marker "$comp" | head -n1)
    if [[ -n "$alt" ]]; then pid=$alt; break; fi
    sleep 0.1
  done
  echo "$pid" > "$pf"
}

# check_ready <comp> <t0 ms>: 0 = ready (logs it), 1 = not yet, 2 = failed (exited or timed out; logs why)
check_ready() {
  local comp=$1 t0=$2 label pid lf
  label=$(component_label "$comp"); lf=$(log_file "$comp")
  if ! pid=$(running_pid "$comp"); then
    err "$label exited during startup"
    show_log_tail "$comp"; rm -f "$(pid_file "$comp")"
    return 2
  fi
  case $comp in
    kafka) if grep -q "Kafka Server started" "$lf" 2>/dev/null && kafka_healthy; then
             log "$label up (pid $pid) in $(( $(now_ms) - t0 )) ms"; return 0; fi ;;
    s3)    if s3_healthy; then log "$label up (pid $pid) in $(( $(now_ms) - t0 )) ms"; return 0; fi ;;
  esac
  if (( $(now_ms) > t0 + STACK_START_TIMEOUT * 1000 )); then
    err "$label (pid $pid) not ready after ${STACK_START_TIMEOUT}s"
    show_log_tail "$comp"
    return 2
  fi
  return 1
}

# wait_all <comp:t0>...: polls every component until all are ready; stops at the first failure
wait_all() {
  local pending=("$@") next item rc
  while (( ${#pending[@]} )); do
    next=()
    for item in "${pending[@]}"; do
      rc=0; check_ready "${item%%:*}" "${item#*:}" || rc=$?
      case $rc in 0) ;; 1) next+=("$item") ;; *) return 1 ;; esac
    done
    pending=("${next[@]+"${next[@]}"}")
    (( ${#pending[@]} )) && sleep 0.2
  done
  return 0
}

port_free_or_die() {
  local label=$1 var=$2 port=$3
  if tcp_open "$BIND_HOST" "$port"; then
    die "$label cannot start: $BIND_HOST:$port is already in use by another process (set $var to another port)"
  fi
}

start_kafka() {
  local cpf
  cpf=$(resolve_classpath kafka)
  write_kafka_config
  format_kafka_storage "$cpf"
  log "starting Kafka on $BIND_HOST:$KAFKA_PORT (controller $BIND_HOST:$KAFKA_CONTROLLER_PORT)"
  local opts; read -r -a opts <<< "$KAFKA_HEAP_OPTS $KAFKA_JVM_OPTS"
  launch kafka "$cpf" "${opts[@]}" -Djava.awt.headless=true \
    -Dorg.slf4j.simpleLogger.showDateTime=true -Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS \
    kafka.Kafka "$KAFKA_DIR/server.properties"
}

start_s3() {
  local cpf
  cpf=$(resolve_classpath s3)
  write_s3_config
  log "starting s3proxy on http://$BIND_HOST:$S3_PORT (data: $S3_DIR/data)"
  local opts; read -r -a opts <<< "$S3_HEAP_OPTS $S3_JVM_OPTS"
  launch s3 "$cpf" "${opts[@]}" -Djava.awt.headless=true \
    -Dlogback.configurationFile="$S3_DIR/logback.xml" \
    org.gaul.s3proxy.Main --properties "$S3_DIR/s3proxy.conf"
}

# ---------------------------------------------------------------------------------------------
# locking: start and stop must not interleave

ensure_home() {
  mkdir -p "$STACK_HOME"
  # keep the state dir (credentials included) out of git without touching the repository's own .gitignore
  [[ -f "$STACK_HOME/.gitignore" ]] || printf '# created by stack/local-stack.sh\n*\n' > "$STACK_HOME/.gitignore"
}

with_lock() {
  ensure_home
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$STACK_HOME/.lock"
    flock -w $(( STACK_START_TIMEOUT * 2 + STACK_STOP_TIMEOUT )) 9 || die "another local-stack.sh start/stop holds $STACK_HOME/.lock"
  fi
}

# ---------------------------------------------------------------------------------------------
# commands

cmd_start() {
  check_config
  with_lock
  need_cmd curl
  need_cmd setsid
  need_cmd nohup
  check_java
  mkdir -p "$KAFKA_DIR" "$S3_DIR"
  resolve_credentials 1
  # s3proxy keeps the pair it was started with; one running with another pair (changed variables, or a
  # stack started before it had its own credentials file) would refuse every client of this stack
  local s3pid
  if s3pid=$(running_pid s3) && ! s3_conf_has_credentials; then
    log "s3proxy (pid $s3pid) runs with other credentials than those in use (from $CREDENTIALS_SOURCE); restarting it"
    stop_components s3
    # `start kafka` alone must not leave s3proxy stopped after this
    [[ " ${COMPONENTS[*]} " == *" s3 "* ]] || COMPONENTS+=(s3)
  fi

  local comp pid to_wait=() t0s=() failed=0 label i
  for comp in "${COMPONENTS[@]}"; do
    label=$(component_label "$comp")
    if pid=$(running_pid "$comp"); then
      echo "$pid" > "$(pid_file "$comp")"
      if healthy "$comp"; then
        log "$label already running and healthy (pid $pid)"
        continue
      fi
      log "$label process exists (pid $pid) but is not answering yet; waiting"
      to_wait+=("$comp"); t0s+=("$(now_ms)")
      continue
    fi
    rm -f "$(pid_file "$comp")"
    case $comp in
      kafka) port_free_or_die Kafka KAFKA_PORT "$KAFKA_PORT"
             port_free_or_die "Kafka controller" KAFKA_CONTROLLER_PORT "$KAFKA_CONTROLLER_PORT" ;;
      s3)    port_free_or_die s3proxy S3_PORT "$S3_PORT" ;;
    esac
  done

  # resolve every missing classpath first (Maven would otherwise compete for CPU with a booting JVM),
  # then launch what is missing and wait for all of them (the two JVMs boot concurrently)
  local to_start=()
  for comp in "${COMPONENTS[@]}"; do
    running_pid "$comp" >/dev/null && continue
    to_start+=("$comp")
    resolve_classpath "$comp" >/dev/null
  done
  for comp in "${to_start[@]}"; do
    case $comp in kafka) start_kafka ;; s3) start_s3 ;; esac
    t0s+=("$LAUNCH_T0"); to_wait+=("$comp")
  done

  local waits=()
  for i in "${!to_wait[@]}"; do waits+=("${to_wait[$i]}:${t0s[$i]}"); done
  (( ${#waits[@]} )) && { wait_all "${waits[@]}" || failed=1; }
  if (( failed )); then
    # leave things as they were: stop what this invocation launched (not what was already running)
    if (( ${#to_start[@]} )); then
      err "start failed; stopping what this start launched (${to_start[*]})"
      stop_components "${to_start[@]}" >&2 || true
    fi
    err "start failed; logs: $KAFKA_DIR/kafka.log, $S3_DIR/s3.log"
    exit 1
  fi
  log "stack ready: Kafka $BIND_HOST:$KAFKA_PORT, S3 http://$BIND_HOST:$S3_PORT (state: $STACK_HOME)"
}

# stop_components <comp...>: SIGTERM all, wait up to STACK_STOP_TIMEOUT, then SIGKILL; removes pid files
stop_components() {
  local comp pid label pids=() comps=() i t0 deadline extra
  for comp in "$@"; do
    label=$(component_label "$comp")
    if pid=$(running_pid "$comp"); then
      log "stopping $label (pid $pid)"
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid"); comps+=("$comp")
    else
      log "$label not running"
    fi
  done
  t0=$(now_ms)
  deadline=$(( t0 + STACK_STOP_TIMEOUT * 1000 ))
  for i in "${!pids[@]}"; do
    pid=${pids[$i]}; comp=${comps[$i]}; label=$(component_label "$comp")
    while pid_matches "$pid" "$comp" && (( $(now_ms) < deadline )); do sleep 0.1; done
    if pid_matches "$pid" "$comp"; then
      err "$label (pid $pid) still alive after ${STACK_STOP_TIMEOUT}s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do pid_matches "$pid" "$comp" || break; sleep 0.1; done
      pid_matches "$pid" "$comp" && die "$label (pid $pid) survived SIGKILL"
      log "$label killed"
    else
      log "$label stopped ($(( $(now_ms) - t0 )) ms after SIGTERM)"
    fi
  done
  # belt and braces: anything else still carrying our marker (e.g. after a lost pid file)
  for comp in "$@"; do
    for extra in $(pids_by_marker "$comp"); do
      err "stray $(component_label "$comp") process $extra; sending SIGKILL"
      kill -KILL "$extra" 2>/dev/null || true
    done
    rm -f "$(pid_file "$comp")"
  done
}

cmd_stop() {
  with_lock
  stop_components "${COMPONENTS[@]}"
}

cmd_status() {
  local comp pid label all_up=0 where
  for comp in "${COMPONENTS[@]}"; do
    label=$(component_label "$comp")
    case $comp in kafka) where="$BIND_HOST:$KAFKA_PORT" ;; s3) where="http://$BIND_HOST:$S3_PORT" ;; esac
    if pid=$(running_pid "$comp"); then
      if healthy "$comp"; then
        printf '%-8s up        pid %-8s %s\n' "$label" "$pid" "$where"
      else
        printf '%-8s starting  pid %-8s %s (process alive, port not answering)\n' "$label" "$pid" "$where"; all_up=1
      fi
    else
      printf '%-8s down      %-12s %s\n' "$label" "" "$where"; all_up=1
    fi
  done
  printf 'state: %s\n' "$STACK_HOME"
  if resolve_credentials 0; then
    printf 'S3 credentials: access key %s from %s (%s env prints the secret)\n' "$S3_ACCESS_KEY" "$CREDENTIALS_SOURCE" "$(basename "$0")"
  else
    printf 'S3 credentials: none yet (the first start or env generates %s)\n' "$CREDENTIALS_FILE"
  fi
  return $all_up
}

cmd_env() {
  resolve_credentials 1
  printf 'export KAFKA_BOOTSTRAP_SERVERS=%q\n' "$BIND_HOST:$KAFKA_PORT"
  printf 'export S3_ENDPOINT=%q\n' "http://$BIND_HOST:$S3_PORT"
  printf 'export S3_ACCESS_KEY=%q\n' "$S3_ACCESS_KEY"
  printf 'export S3_SECRET_KEY=%q\n' "$S3_SECRET_KEY"
  printf 'export S3_REGION=%q\n' "$S3_REGION"
}

# select_component [kafka|s3]: narrows COMPONENTS to one server (start/stop/restart only)
select_component() {
  case ${1:-} in
    "") ;;
    kafka|s3) COMPONENTS=("$1") ;;
    *) err "unknown component '$1' (expected kafka or s3)"; usage >&2; exit 2 ;;
  esac
}

main() {
  local cmd=${1:-}
  case $cmd in
    start|stop|restart) select_component "${2:-}" ;;
    *) (( $# <= 1 )) || { err "'$cmd' takes no component"; usage >&2; exit 2; } ;;
  esac
  case $cmd in
    start)  cmd_start ;;
    stop)   cmd_stop ;;
    restart) ( cmd_stop ); cmd_start ;;
    status) cmd_status ;;
    env)    cmd_env ;;
    -h|--help|help) usage ;;
    "") usage >&2; exit 2 ;;
    *) err "unknown command '$cmd'"; usage >&2; exit 2 ;;
  esac
}

main "$@"
