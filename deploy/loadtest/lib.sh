# Shared by the load-test scripts: build, start and stop usher, scrape it, check tools, and the
# frame every scenario runs in (results directory, cleanup, metric sampling, phases, the report).
# Every server started here listens on 127.0.0.1 only, and every load is bounded in time.

LOADTEST_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LOADTEST_ROOT=$(cd "$LOADTEST_DIR/../.." && pwd)
USHER_JAR_CHOSEN=${USHER_JAR:+yes} # a jar named in the environment is run as it is
USHER_JAR=${USHER_JAR:-$LOADTEST_ROOT/server/target/usher-server.jar}
export PYTHONDONTWRITEBYTECODE=1 # the Python helpers leave no __pycache__ in the source tree

need() { # need PROGRAM DEBIAN-PACKAGE
  if ! command -v "$1" >/dev/null 2>&1; then
    echo "$1 is missing: apt-get install $2" >&2
    exit 3
  fi
}

java_home() {
  if [ -n "${JAVA_HOME:-}" ] && "$JAVA_HOME/bin/java" -version 2>&1 | grep -q 'version "2[5-9]'; then
    echo "$JAVA_HOME"
  elif [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]; then
    echo /usr/lib/jvm/temurin-25-jdk-amd64
  else
    echo "no JDK 25: set JAVA_HOME" >&2
    exit 3
  fi
}

# Builds the jars when they are missing or older than anything they are built from (main sources,
# the embedded defaults, the poms): a load test of an earlier build measures the wrong code.
ensure_jar() {
  local stale=""
  if [ -f "$USHER_JAR" ] && [ -z "$USHER_JAR_CHOSEN" ]; then
    stale=$(find "$LOADTEST_ROOT/server/src/main" "$LOADTEST_ROOT/benchmarks/src/main" \
      "$LOADTEST_ROOT/config" "$LOADTEST_ROOT/pom.xml" "$LOADTEST_ROOT/server/pom.xml" \
      "$LOADTEST_ROOT/benchmarks/pom.xml" -newer "$USHER_JAR" -type f -print -quit 2>/dev/null || true)
  fi
  if [ ! -f "$USHER_JAR" ] || [ -n "$stale" ]; then
    echo "building $USHER_JAR${stale:+ ($stale is newer than it)} ..."
    (cd "$LOADTEST_ROOT" && JAVA_HOME=$(java_home) ./mvnw -q -B package -DskipTests)
  fi
}

# bench_jar: sets BENCH_JAR (from the environment, or benchmarks/target/usher-benchmarks.jar, built
# with the project when missing): the jar of the clients and servers this directory runs from the
# benchmarks module.
bench_jar() {
  if [ -n "${BENCH_JAR:-}" ]; then
    if [ ! -f "$BENCH_JAR" ]; then
      echo "$(basename "$0"): BENCH_JAR = '$BENCH_JAR': no such file" >&2
      exit 2
    fi
    return 0
  fi
  BENCH_JAR=$LOADTEST_ROOT/benchmarks/target/usher-benchmarks.jar
  [ -f "$BENCH_JAR" ] || (cd "$LOADTEST_ROOT" && JAVA_HOME=$(java_home) ./mvnw -q -B package -DskipTests)
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# The server runs on SERVER_CPUS, the clients on CLIENT_CPUS: the first two CPUs this process may
# use, or both on the one CPU there is. Either can be overridden from the environment.
allowed_cpus=$(python3 -c 'import os; print(" ".join(map(str, sorted(os.sched_getaffinity(0)))))')
read -r -a allowed_cpus <<<"$allowed_cpus"
SERVER_CPUS=${SERVER_CPUS:-${allowed_cpus[0]}}
CLIENT_CPUS=${CLIENT_CPUS:-${allowed_cpus[1]:-${allowed_cpus[0]}}}
unset allowed_cpus

# start_usher CPUSET LOGFILE [-Dkey=value ...]: starts usher pinned to CPUSET on free ports and
# sets USHER_PID, USHER_PORT, ADMIN_PORT once it accepts. USHER_OPTS (from the environment) adds
# options to every start, e.g. USHER_OPTS=-Dserver.transport=epoll.
start_usher() {
  local cpus=$1 log=$2
  shift 2
  USHER_PORT=$(free_port)
  ADMIN_PORT=$(free_port)
  start_usher_on "$cpus" "$log" "$@"
}

# start_usher_on CPUSET LOGFILE [-Dkey=value ...]: as start_usher, on the ports USHER_PORT and
# ADMIN_PORT already hold (a second usher on the same ports: restart.sh).
start_usher_on() {
  local cpus=$1 log=$2 extra=()
  shift 2
  read -r -a extra <<<"${USHER_OPTS:-}"
  taskset -c "$cpus" "$(java_home)/bin/java" -Dserver.host=127.0.0.1 -Dadmin.host=127.0.0.1 \
    -Dserver.port="$USHER_PORT" -Dadmin.port="$ADMIN_PORT" "$@" "${extra[@]}" -jar "$USHER_JAR" >"$log" 2>&1 &
  USHER_PID=$!
  for _ in $(seq 1 300); do
    if grep -qs "accepting connections" "$log"; then
      return 0
    fi
    if ! kill -0 "$USHER_PID" 2>/dev/null; then
      echo "usher did not start:" >&2
      cat "$log" >&2
      exit 1
    fi
    sleep 0.1
  done
  echo "usher did not start within 30 s" >&2
  exit 1
}

# stop_pid PID [SECONDS]: SIGTERM, then SIGKILL if PID still runs after SECONDS; reaps it.
stop_pid() {
  local pid=$1 limit=${2:-10}
  if kill -TERM "$pid" 2>/dev/null; then
    for _ in $(seq 1 $((limit * 10))); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

# stop_usher: SIGTERM (usher drains), a second SIGTERM after 15 s (usher exits at once), SIGKILL
# after 5 s more.
stop_usher() {
  local pid=${USHER_PID:-}
  [ -n "$pid" ] || return 0
  USHER_PID=
  if kill -TERM "$pid" 2>/dev/null; then
    for _ in $(seq 1 150); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -TERM "$pid" 2>/dev/null; then
      sleep 5
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  wait "$pid" 2>/dev/null || true
}

# A self-signed EC P-256 certificate for 127.0.0.1 and localhost, good for two days: DIR/cert.pem
# and DIR/key.pem, for the TLS servers a scenario starts.
self_signed_certificate() { # self_signed_certificate DIR
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$1/key.pem" -out "$1/cert.pem" 2>/dev/null
}

# A scrape on a machine saturated by the load itself may be slow: three tries of up to 10 s each.
scrape() { # scrape FILE
  curl -sf --max-time 10 --retry 2 --retry-all-errors "http://127.0.0.1:$ADMIN_PORT/metrics" >"$1"
}

# metric FILE NAME [LABEL-FILTER]: the first sample of NAME whose labels match LABEL-FILTER.
metric() {
  local file=$1 name=$2 filter=${3:-}
  awk -v name="$name" -v filter="$filter" '
    $0 !~ /^#/ {
      split($1, parts, "{")
      if (parts[1] == name && index($1, filter) > 0) { print $2; exit }
    }' "$file"
}

median() {
  sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# warm_until_steady OUT MAX-SECONDS SLICE-SECONDS RATE-COMMAND...: warms a server with its load
# until the rate has settled, and prints the seconds of load that took. RATE-COMMAND runs one slice
# of load (SLICE-SECONDS long) and prints its requests/s; slices run until two in a row do not beat
# the best before them by 5 % (at least three slices), or MAX-SECONDS of load have run. Each rate
# goes to OUT, one per line. A JVM's JIT compiles on the server's one CPU: over HTTP/2 usher, with
# more code on its request path, took 36 s of load to settle where raw Netty took 21, and a fixed
# warm-up of 10 s measured usher's compiler as much as its code.
warm_until_steady() {
  local out=$1 max=$2 slice=$3
  shift 3
  local best=0 misses=0 slices=0 rate
  : >"$out"
  while [ $((slices * slice)) -lt "$max" ]; do
    rate=$("$@")
    slices=$((slices + 1))
    echo "$rate" >>"$out"
    if awk -v r="${rate:-0}" -v b="$best" 'BEGIN { exit !(r > b * 1.05) }'; then
      misses=0
    else
      misses=$((misses + 1))
    fi
    best=$(awk -v r="${rate:-0}" -v b="$best" 'BEGIN { print (r > b ? r : b) }')
    if [ "$slices" -ge 3 ] && [ "$misses" -ge 2 ]; then
      break
    fi
  done
  echo $((slices * slice))
}

# wrk_rps OUTPUT: requests/s from wrk's summary.
wrk_rps() {
  awk '/^Requests\/sec:/ { print $2 }' "$1"
}

# ---------------------------------------------------------------------------------------------
# The scenario frame. A scenario script calls, in this order:
#   scenario_args "$@"                      (-h prints the script's header comment)
#   begin_scenario NAME "what it runs"      (results directory, cleanup trap)
#   start_usher "$SERVER_CPUS" "$RESULTS/usher.log" -D...
#   start_sampler LOAD-SECONDS              (scrapes /metrics every SAMPLE_INTERVAL into a CSV)
#   warm_up client...                       (optional, not measured)
#   begin_phase NAME "client command"; run_client OUTPUT client...; end_phase
#   finish_scenario                         (summary table, report.html)
# Results go to $LOADTEST_RESULTS/NAME-TIMESTAMP/ (default deploy/loadtest/results/).

CLIENT_PID=
BACKGROUND_CLIENT_PID=
SAMPLER_PID=

# scenario_args "$@": answers -h/--help with the header comment of the calling script.
scenario_args() {
  SCENARIO_ARGS="$*"
  case "${1:-}" in
    -h | --help)
      sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"
      exit 0
      ;;
  esac
}

# positive_int NAME VALUE: exits with status 2 unless VALUE is a whole number above 0.
positive_int() {
  if ! [[ $2 =~ ^[1-9][0-9]*$ ]]; then
    echo "$(basename "$0"): $1 = '$2': expected a whole number above 0, without leading zeros (see $(basename "$0") -h)" >&2
    exit 2
  fi
}

# progress MESSAGE: one timestamped progress line on stderr.
progress() {
  printf '[%s %s] %s\n' "${SCENARIO:-loadtest}" "$(date +%H:%M:%S)" "$*" >&2
}

begin_scenario() { # begin_scenario NAME DESCRIPTION
  SCENARIO=$1
  local base=${LOADTEST_RESULTS:-$LOADTEST_DIR/results}
  RESULTS=$base/$SCENARIO-$(date +%Y%m%d-%H%M%S)
  [ -e "$RESULTS" ] && RESULTS=$RESULTS-$$
  mkdir -p "$RESULTS"
  trap scenario_cleanup EXIT
  trap 'progress "interrupted: stopping what this run started"; exit 130' INT
  trap 'progress "terminated: stopping what this run started"; exit 143' TERM
  {
    echo "scenario=$SCENARIO"
    echo "description=$2"
    echo "command=deploy/loadtest/$(basename "$0") ${SCENARIO_ARGS:-}"
    echo "server_cpus=$SERVER_CPUS"
    echo "client_cpus=$CLIENT_CPUS"
    echo "started=$(date -Is)"
  } >"$RESULTS/run.env"
  : >"$RESULTS/phases.csv"
  progress "$2"
  progress "results in $RESULTS (server on CPU $SERVER_CPUS, clients on CPU $CLIENT_CPUS)"
}

# run_note KEY VALUE: one more line in run.env, shown in the report's header.
run_note() {
  echo "$1=$2" >>"$RESULTS/run.env"
}

# run_client OUTPUT COMMAND...: runs a load client on CLIENT_CPUS with its stdout in OUTPUT (its
# stderr, where progress goes, stays on the terminal), then prints OUTPUT and returns the client's
# status. The client runs in the background and is waited for, so that Ctrl-C or SIGTERM reaches
# the cleanup at once, which stops the client too.
run_client() {
  local output=$1 status=0
  shift
  taskset -c "$CLIENT_CPUS" "$@" >"$output" &
  CLIENT_PID=$!
  wait "$CLIENT_PID" || status=$?
  CLIENT_PID=
  cat "$output"
  return "$status"
}

# start_background_client OUTPUT COMMAND...: a second load client on CLIENT_CPUS, running beside
# the one run_client runs (the cleanup stops it too); await_background_client waits for its end.
start_background_client() {
  local output=$1
  shift
  taskset -c "$CLIENT_CPUS" "$@" >"$output" &
  BACKGROUND_CLIENT_PID=$!
}

await_background_client() {
  local status=0
  wait "$BACKGROUND_CLIENT_PID" || status=$?
  BACKGROUND_CLIENT_PID=
  return "$status"
}

# warm_up COMMAND...: runs a client before the measured phase (COMMAND should run for
# $WARMUP_SECONDS), so that the JIT has compiled usher's request path; skipped when WARMUP_SECONDS=0.
WARMUP_SECONDS=${WARMUP_SECONDS:-2}
if ! [[ $WARMUP_SECONDS =~ ^[0-9]+$ ]]; then
  echo "WARMUP_SECONDS = '$WARMUP_SECONDS': expected a whole number of seconds (0 skips the warm-up)" >&2
  exit 2
fi
warm_up() {
  [ "$WARMUP_SECONDS" -gt 0 ] || return 0
  progress "warm-up for ${WARMUP_SECONDS}s (not measured): $*"
  run_client "$RESULTS/warm-up.txt" "$@" >/dev/null
}

scenario_cleanup() {
  local status=$?
  trap - EXIT INT TERM
  [ -n "${CLIENT_PID:-}" ] && stop_pid "$CLIENT_PID" 5
  [ -n "${BACKGROUND_CLIENT_PID:-}" ] && stop_pid "$BACKGROUND_CLIENT_PID" 5
  [ -n "${SAMPLER_PID:-}" ] && stop_pid "$SAMPLER_PID" 5
  stop_usher
  if [ "$status" -ne 0 ]; then
    progress "failed with status $status; usher's log: ${RESULTS:-?}/usher.log"
  fi
  exit "$status"
}

# start_sampler LOAD-SECONDS: scrapes /metrics every SAMPLE_INTERVAL (default 0.25 s) into
# $RESULTS/samples.csv, printing a progress line a second, until it is stopped or LOAD-SECONDS plus
# the warm-up plus a minute have passed. Returns after a quiet second, the charts' baseline.
start_sampler() {
  python3 "$LOADTEST_DIR/sample_metrics.py" "http://127.0.0.1:$ADMIN_PORT/metrics" "$RESULTS/samples.csv" \
    --interval "${SAMPLE_INTERVAL:-0.25}" --max-seconds "$(($1 + WARMUP_SECONDS + 60))" &
  SAMPLER_PID=$!
  sleep 1
}

stop_sampler() {
  [ -n "$SAMPLER_PID" ] && stop_pid "$SAMPLER_PID" 5
  SAMPLER_PID=
}

now() {
  date +%s.%N
}

# begin_phase NAME CLIENT-COMMAND: scrapes /metrics into NAME.before.prom and marks the start.
begin_phase() {
  PHASE=$1
  PHASE_CLIENT=$2
  scrape "$RESULTS/$PHASE.before.prom"
  PHASE_START=$(now)
  progress "phase $PHASE: $PHASE_CLIENT"
}

# end_phase: scrapes /metrics into NAME.after.prom and records the phase in phases.csv.
end_phase() {
  local end
  end=$(now)
  scrape "$RESULTS/$PHASE.after.prom"
  printf '%s,%s,%s,"%s"\n' "$PHASE" "$PHASE_START" "$end" "${PHASE_CLIENT//\"/\'}" >>"$RESULTS/phases.csv"
  progress "phase $PHASE done"
}

# client_view PARSER OUTPUT [ARGS...]: turns a client tool's output into $RESULTS/$PHASE.client.json.
client_view() {
  python3 "$LOADTEST_DIR/client_view.py" "$@" >"$RESULTS/$PHASE.client.json"
}

# finish_scenario: stops the sampler, prints the summary table, writes report.html.
finish_scenario() {
  stop_sampler
  python3 "$LOADTEST_DIR/report.py" "$RESULTS"
  progress "report: $RESULTS/report.html"
}
