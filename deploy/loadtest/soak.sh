#!/usr/bin/env bash
# A soak: a steady mix of every kind of client for SECONDS, with usher's memory and descriptors
# sampled once a second, and a fitted growth rate for each that must stay under a stated bound.
# The mix (on CLIENT_CPUS):
#   keep-alive   h2load --h1 -c 8 -m 1 --rps 50          about 400 requests/s on 8 connections
#   pipelined    h2load --h1 -c 2 -m 16 --rps 100        about 200 requests/s, 16 in flight
#   slow clients slowhttptest -H at 2/s (slowloris: 408 after http.request-timeout) and -X at 1/s
#                (slow read: ended by the idle timeout)
#   soak_mix.py  new connections 20/s, bad requests 5/s (400, 414, 431, 413, 417 and close),
#                half-closes 5/s, a never-reader every 5 s, /metrics scrapes 2/s
# process_sampler.py records, once a second: RSS (/proc/PID/status), descriptors (/proc/PID/fd),
# threads, the JDK's direct buffers and the direct memory Netty's allocator holds (/metrics), and
# open connections (server_connections_active); every 10 s it first has the JVM run a full
# collection (jcmd GC.run) and hand the C library's free memory back (jcmd
# System.trim_native_heap), and those rows give the heap after GC (jvm_gc_live_data_size_bytes)
# and the RSS the process really holds, without the heap's and malloc's ups and downs.
#
# The bounds, on least-squares slopes fitted from WARMUP_FIT=20 s after the start to the end; a
# slope fails when it minus twice its standard error reaches the bound (growth beyond the series'
# own noise). In its first two minutes the JVM still compiles and G1 still sizes the heap, and RSS
# takes a step or two of about 10 MiB: a 90-second run reports RSS's slope without judging it.
#   heap after GC                               < 1 MiB/min
#   direct memory (JDK direct buffers + Netty)  < 1 MiB/min
#   RSS (after the collection and the trim)    < 2 MiB/min, judged from 300 s of fit (10-minute run)
#   descriptors not explained by connections    < 1 a minute  (descriptors - open connections)
#   open connections                            < 1 a minute
# and, once the mix has stopped and usher has closed every connection, descriptors back to their
# count before the mix. A leak of one descriptor per minute, or of a 1 KiB buffer per request at
# 10 requests/s, fails a 10-minute run.
#
# usher runs as the container image runs it, sized as deploy/kubernetes sizes it: the options of
# deploy/container/jvm.options, with -XX:MaxRAM=512m standing in for the pod's 512 MiB memory limit
# (USHER_OPTS adds or overrides), and short timeouts so that the slow clients churn:
# server.idle-timeout=6s, http.request-timeout=3s, server.lingering-timeout=1s,
# server.lingering-time=3s.
#
# usage: deploy/loadtest/soak.sh [SECONDS=600]
# Needs h2load (Debian: nghttp2-client), slowhttptest, python3, curl, and jcmd from the JDK.
# Results (summary.md, report.html, process.csv, growth.json, each tool's output) in
# deploy/loadtest/results/soak-*/. Exits 1 when a bound is exceeded or a client of the mix got an
# answer it should not have.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
scenario_args "$@"
seconds=${1:-600}
positive_int SECONDS "$seconds"
if [ "$seconds" -lt 60 ]; then
  echo "$(basename "$0"): SECONDS = $seconds: at least 60, so that the slopes are fitted over 40 s or more" >&2
  exit 2
fi
need h2load nghttp2-client
need slowhttptest slowhttptest
need python3 python3
need curl curl
need taskset util-linux
JAVA_HOME=$(java_home)
export JAVA_HOME # process_sampler.py runs the JDK's jcmd
ensure_jar

WARMUP_FIT=20
GC_EVERY=10

begin_scenario soak "soak: a mix of every kind of client for ${seconds}s, growth fitted after ${WARMUP_FIT}s"
run_note fit_from "${WARMUP_FIT}s"
start_usher "$SERVER_CPUS" "$RESULTS/usher.log" "@$LOADTEST_ROOT/deploy/container/jvm.options" -XX:MaxRAM=512m \
  -Dserver.idle-timeout=6s -Dhttp.request-timeout=3s -Dserver.lingering-timeout=1s -Dserver.lingering-time=3s \
  -Dshutdown.drain-timeout=5s
run_note usher_opts "@deploy/container/jvm.options -XX:MaxRAM=512m ${USHER_OPTS:-}"
run_note jvm "$("$(java_home)/bin/jcmd" "$USHER_PID" VM.flags 2>/dev/null | tail -n 1 | tr ' ' '\n' |
  grep -E 'Use[A-Za-z]*GC|MaxHeapSize|InitialHeapSize|MaxDirectMemorySize|G1PeriodicGCInterval' | tr '\n' ' ')"

MIX_PIDS=()
PROCESS_SAMPLER_PID=
soak_cleanup() {
  local status=$? pid
  for pid in "${MIX_PIDS[@]}"; do
    stop_pid "$pid" 5
  done
  MIX_PIDS=()
  [ -n "$PROCESS_SAMPLER_PID" ] && stop_pid "$PROCESS_SAMPLER_PID" 5
  PROCESS_SAMPLER_PID=
  set +e # the next line only hands the status on to scenario_cleanup: under -e it would end the trap
  (exit "$status")
  scenario_cleanup
}
trap soak_cleanup EXIT

fds() { ls "/proc/$USHER_PID/fd" | wc -l; }
active() {
  curl -sf --max-time 2 "http://127.0.0.1:$ADMIN_PORT/metrics" |
    awk '/^server_connections_active/ { sum += $2 } END { printf "%d\n", sum }'
}
baseline_fds=$(fds)
run_note descriptors_before "$baseline_fds"
url="http://127.0.0.1:$USHER_PORT"

# mix COMMAND...: one client of the mix, in the background on CLIENT_CPUS, its output in a file.
mix() {
  local name=$1
  shift
  taskset -c "$CLIENT_CPUS" "$@" >"$RESULTS/$name.out" 2>&1 &
  MIX_PIDS+=($!)
}

begin_phase mix "keep-alive, pipelined, new connections, bad requests, half-closes, slow clients, scrapes for ${seconds}s"
python3 "$LOADTEST_DIR/process_sampler.py" "$USHER_PID" "http://127.0.0.1:$ADMIN_PORT/metrics" \
  "$RESULTS/process.csv" --gc-every "$GC_EVERY" --trim --max-seconds $((seconds + 120)) &
PROCESS_SAMPLER_PID=$!
mix keepalive h2load --h1 -c 8 -m 1 --rps 50 -D "$seconds" "$url/"
mix pipelined h2load --h1 -c 2 -m 16 --rps 100 -D "$seconds" "$url/"
mix slowloris slowhttptest -H -c $((seconds * 2)) -r 2 -i 1 -x 24 -l "$seconds" -p 3 -u "$url/"
mix slow-read slowhttptest -X -c "$seconds" -r 1 -k 10 -w 1 -y 64 -n 1 -z 32 -l "$seconds" -p 3 -u "$url/"
mix soak-mix python3 "$LOADTEST_DIR/soak_mix.py" 127.0.0.1 "$USHER_PORT" "$ADMIN_PORT" --seconds "$seconds" \
  --out "$RESULTS/soak-mix.json"
mix_start=$(now)
for ((elapsed = 0; elapsed < seconds; elapsed += 10)); do
  sleep 10
  progress "$((elapsed + 10))s of ${seconds}s: $(tail -n 1 "$RESULTS/process.csv" |
    awk -F, '{ printf "RSS %.0f MiB, heap after GC %.1f MiB, Netty direct %.1f MiB, %d descriptors, %d connections", $2 / 1048576, $7 / 1048576, $9 / 1048576, $3, $10 }')"
done
status=0
for pid in "${MIX_PIDS[@]}"; do
  wait "$pid" || status=$?
done
MIX_PIDS=()
[ "$status" -eq 0 ] || progress "a client of the mix exited with status $status"

# The slow clients' last connections end by usher's timeouts; then descriptors must be back.
settled=""
for _ in $(seq 1 300); do
  if [ "$(active)" -eq 0 ] && [ "$(fds)" -le "$baseline_fds" ]; then
    settled=$(now)
    break
  fi
  sleep 0.1
done
run_note descriptors_after "$(fds)"
run_note connections_after "$(active)"
stop_pid "$PROCESS_SAMPLER_PID" 5
PROCESS_SAMPLER_PID=
end_phase

# The fit ends where the mix was meant to: after it, its clients finish one by one.
python3 "$LOADTEST_DIR/soak_report.py" "$RESULTS" --from "$mix_start" --to "$(python3 -c "print($mix_start + $seconds)")" --fit-after "$WARMUP_FIT" \
  --settled "$settled" --mix-status "$status"
progress "report: $RESULTS/report.html"
