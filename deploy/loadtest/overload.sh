#!/usr/bin/env bash
# Overload: goodput and latency of GET /work?cpu=CPU_MICROS (the sample's route that keeps a worker
# loop busy) when more is asked of usher than it can do, with shedding off and on. First the
# capacity, measured with a closed-loop client (wrk: each connection sends its next request once
# the last is answered); then our open-loop client (OpenLoopClient, in the benchmarks jar: requests
# at a fixed arrival rate whatever the answers do, each given up after 1 s with its connection
# closed, as impatient clients do) at a light load (the unloaded latency) and at each multiple of
# the capacity, against two ushers taking turns rate by rate: one with no overload rule, one with
# SHED_OPTS; then the capacity once more. Prints one row per rate: offered rate, goodput (2xx
# answered within 1 s) as a share of the capacity, 503s, timeouts and resets, the p99 of the
# requests served against the unloaded p99, and usher's shed and refused counters; writes
# summary.md, report.html and chart.svg.
#
# usage: deploy/loadtest/overload.sh [SECONDS=10] [CPU_MICROS=1000]
#   SECONDS     how long each open-loop rate runs (and the capacity measurement)
#   CPU_MICROS  the work of one request on the event loop, in microseconds
# Environment:
#   MULTIPLES="0.5 1 2 4"   the offered rates, as multiples of the measured capacity
#   MODES="off on"          which of the two usher configurations run (the first measures the
#                           capacity and the unloaded p99)
#   UNLOADED=0.1            the light load the unloaded p99 is measured at, as a multiple
#   SHED_OPTS="-Dserver.overload.max-event-loop-lag=10ms -Dserver.overload.accept-queue-timeout=200ms"
#                           usher's options for the shedding-on runs
#   CAPACITY=N              skip the closed-loop measurement and take N requests/s as the capacity
#   TIMEOUT_MS=1000         when the client gives a request up (not goodput)
#   BENCH_JAR               the benchmarks jar (default benchmarks/target/usher-benchmarks.jar)
# Needs wrk (Debian: wrk), python3, curl. Server on SERVER_CPUS, clients on CLIENT_CPUS; loopback
# only. Results in deploy/loadtest/results/overload-*/.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
scenario_args "$@"
seconds=${1:-10}
cpu_micros=${2:-1000}
positive_int SECONDS "$seconds"
positive_int CPU_MICROS "$cpu_micros"
MULTIPLES=${MULTIPLES:-0.5 1 2 4}
MODES=${MODES:-off on}
UNLOADED=${UNLOADED:-0.1}
SHED_OPTS=${SHED_OPTS:--Dserver.overload.max-event-loop-lag=10ms -Dserver.overload.accept-queue-timeout=200ms}
TIMEOUT_MS=${TIMEOUT_MS:-1000}
positive_int TIMEOUT_MS "$TIMEOUT_MS"
for mode in $MODES; do
  if [ "$mode" != off ] && [ "$mode" != on ]; then
    echo "$(basename "$0"): MODES = '$MODES': expected off, on or both (see $(basename "$0") -h)" >&2
    exit 2
  fi
done
for multiple in $MULTIPLES $UNLOADED; do
  if ! [[ $multiple =~ ^[0-9]*\.?[0-9]+$ ]] || [ "$(python3 -c "print(float('$multiple') > 0)")" != True ]; then
    echo "$(basename "$0"): MULTIPLES/UNLOADED = '$multiple': expected numbers above 0 (see $(basename "$0") -h)" >&2
    exit 2
  fi
done
[ -z "${CAPACITY:-}" ] || positive_int CAPACITY "$CAPACITY"
need wrk wrk
need python3 python3
need curl curl
need taskset util-linux
ensure_jar
bench_jar
JAVA="$(java_home)/bin/java"
read -r -a shed_opts <<<"$SHED_OPTS"

begin_scenario overload "GET /work?cpu=$cpu_micros at ${MULTIPLES// /×, }× capacity, open loop, ${seconds}s each, shedding off and on"
run_note cpu_micros "$cpu_micros"
run_note seconds "$seconds"
run_note timeout_ms "$TIMEOUT_MS"
run_note shed_opts "$SHED_OPTS"
run_note usher_opts "${USHER_OPTS:-}"
run_note load_average_before "$(cut -d' ' -f1-3 /proc/loadavg)"

work_url() { # work_url MICROS
  echo "http://127.0.0.1:$USHER_PORT/work?cpu=$1"
}

# settle: waits until usher has worked off what the last rate left queued (a quick answer on a
# fresh connection and no loop shedding), at most 60 s, so that each rate starts from calm.
settle() {
  local scrape_file=$RESULTS/settle.prom
  for _ in $(seq 1 600); do
    local took
    took=$(curl -s -o /dev/null -w '%{time_total}' --max-time 2 "$(work_url 0)" || echo 9)
    if python3 -c "import sys; sys.exit(0 if float('$took') < 0.05 else 1)" && scrape "$scrape_file" &&
      awk -v v="$(metric "$scrape_file" server_event_loops_shedding)" 'BEGIN { exit !(v == "" || v + 0 == 0) }'; then
      return 0
    fi
    sleep 0.1
  done
  progress "usher did not settle within 60 s; going on"
}

# settle_all: settles every usher, not only the one the next phase drives: both share the server
# CPU, and one that collapsed at the last rate works off its queue for seconds after it.
settle_all() {
  local driven=$USHER_PID mode
  for mode in $MODES; do
    use_usher "$mode"
    settle
  done
  for mode in $MODES; do
    if [ "${usher_pid[$mode]}" = "$driven" ]; then
      use_usher "$mode"
    fi
  done
}

# open_loop PHASE RATE: one open-loop run at RATE requests/s, scraped before and after.
open_loop() {
  local phase=$1 rate=$2
  settle_all
  begin_phase "$phase" "OpenLoopClient --rate $rate --seconds $seconds --timeout-ms $TIMEOUT_MS $(work_url "$cpu_micros")"
  # A warm pool of one connection per 10 requests/s (at least 32), opened before the clock starts,
  # as a client at that rate keeps: with 32 at four times the capacity, the client's own connects
  # in the first second delayed its sends by up to 0.3 s, and the latency counted that.
  local pool
  pool=$(python3 -c "print(max(32, int($rate / 10)))")
  run_client "$RESULTS/$phase.client.out" "$JAVA" -Xms256m -Xmx1g -cp "$BENCH_JAR" dev.usher.bench.OpenLoopClient \
    --url "$(work_url "$cpu_micros")" --rate "$rate" --seconds "$seconds" --timeout-ms "$TIMEOUT_MS" \
    --connections "$pool" --out "$RESULTS/$phase.requests.csv" >/dev/null
  end_phase
}

# Each configuration runs in its own usher on SERVER_CPUS, all at once, and they take turns rate
# by rate (off, on, off, on, ...): this machine's neighbours change its speed from one minute to the
# next, and taking turns exposes every configuration to the same. The one not driven is idle.
declare -A usher_pid usher_port admin_port
use_usher() { # use_usher MODE: the usher the next phase drives
  USHER_PID=${usher_pid[$1]}
  USHER_PORT=${usher_port[$1]}
  ADMIN_PORT=${admin_port[$1]}
}
overload_cleanup() {
  local status=$? mode
  for mode in "${!usher_pid[@]}"; do
    USHER_PID=${usher_pid[$mode]}
    stop_usher
  done
  set +e # the next line only hands the status on to scenario_cleanup: under -e it would end the trap
  (exit "$status")
  scenario_cleanup
}
trap overload_cleanup EXIT

for mode in $MODES; do
  if [ "$mode" = off ]; then
    start_usher "$SERVER_CPUS" "$RESULTS/usher-$mode.log" -Dhttp.sample-load-routes=on
  else
    start_usher "$SERVER_CPUS" "$RESULTS/usher-$mode.log" -Dhttp.sample-load-routes=on "${shed_opts[@]}"
  fi
  usher_pid[$mode]=$USHER_PID
  usher_port[$mode]=$USHER_PORT
  admin_port[$mode]=$ADMIN_PORT
  warm_up wrk -t1 -c8 -d"${WARMUP_SECONDS}s" "$(work_url "$cpu_micros")"
done

# The capacity and the unloaded latency are measured on the first configuration (at a light load no
# overload rule should act, so they hold for both), and the capacity once more after the rates, to
# show how far the machine's speed moved meanwhile.
first_mode=${MODES%% *}
use_usher "$first_mode"
measure_capacity() { # measure_capacity PHASE: sets measured to wrk's requests/s
  begin_phase "$1" "wrk -t1 -c8 -d${seconds}s (closed loop) $(work_url "$cpu_micros")"
  run_client "$RESULTS/$1.wrk.txt" wrk -t1 -c8 -d"${seconds}s" --latency "$(work_url "$cpu_micros")" >/dev/null
  end_phase
  measured=$(wrk_rps "$RESULTS/$1.wrk.txt")
}
if [ -n "${CAPACITY:-}" ]; then
  capacity=$CAPACITY
else
  measure_capacity capacity
  capacity=$measured
fi
run_note capacity "$capacity"
progress "capacity: $capacity requests/s"
open_loop unloaded "$(python3 -c "print(round($capacity * $UNLOADED, 1))")"
for multiple in $MULTIPLES; do
  for mode in $MODES; do
    use_usher "$mode"
    open_loop "$mode-${multiple}x" "$(python3 -c "print(round($capacity * $multiple, 1))")"
  done
done
if [ -z "${CAPACITY:-}" ]; then
  use_usher "$first_mode"
  settle
  measure_capacity capacity-after
  run_note capacity_after "$measured"
fi
for mode in $MODES; do
  use_usher "$mode"
  stop_usher
  unset "usher_pid[$mode]"
done

run_note load_average_after "$(cut -d' ' -f1-3 /proc/loadavg)"
python3 "$LOADTEST_DIR/overload_report.py" "$RESULTS"
progress "report: $RESULTS/report.html"
