#!/usr/bin/env bash
# Hostile clients, one attack after another, with the tools people use: slowloris, slow body and
# slow read (slowhttptest), a request-smuggling scanner (smuggle.py), clients that half-close,
# a connection flood far above the backlog and clients that never read (hostile_clients.py). A
# steady normal client (probe.py: GET / ten times a second on a kept-alive connection and ten times
# on new connections) runs throughout, so that "usher stays available" is measured. After each
# attack the script waits until usher has ended every hostile connection (open connections and
# descriptors back to the baseline) and says how long that took. It prints one row per attack:
# how many connections the attack opened and usher held at most, how they ended (usher's meters),
# the probe's latency beside the baseline, and resident memory and descriptors before and after;
# then the smuggling scanner's table. Fails when the kept-alive probe ever fails, the new-connection
# probe fails outside the flood, a smuggled request is answered, a half-closed client is not
# answered and closed, or usher does not return to its baseline.
#
# The limits are short so that the run takes about five minutes (the defaults in brackets):
#   server.idle-timeout=6s [60s]         a connection silent this long is closed (after 6-7.5 s)
#   http.request-timeout=3s [30s]        a request not whole this long after its first byte: 408
#   server.lingering-timeout=1s [5s]     after a refusal, close once the client is silent this long
#   server.lingering-time=3s [30s]       ... and at the latest after this long
#   server.max-connections=1000 [10000]  the flood opens 5,000
#   server.backlog=64 [somaxconn]        the flood is far above it
# With these, a connection closed after 1-5 s ended by the request timeout (408) and its linger,
# one closed after 5-10 s by the idle timeout (server_connection_duration_seconds' buckets).
#
# usage: deploy/loadtest/hostile.sh [SECONDS=20] [RATE=100]
#   SECONDS  how long each slow attack opens connections (and half-close runs)
#   RATE     new slow connections per second (slowhttptest -r)
# Needs slowhttptest (Debian: slowhttptest), python3, curl. Server on SERVER_CPUS, attackers and
# probe on CLIENT_CPUS; loopback only. USHER_OPTS adds JVM or usher options (e.g. a heap size);
# ATTACKS="slowloris flood ..." runs only those (in the order above; default: all, baseline first).
# Memory is read again IDLE_AFTER=30 s after the last attack (the probe alone meanwhile: does usher
# give memory back by itself?), and before the first attack and after the last after a full
# collection (jcmd GC.run), which shows the live heap beside RSS, and once more after the C library
# has returned its free memory (jcmd System.trim_native_heap): memory.csv, and nmt-*.txt when
# USHER_OPTS has -XX:NativeMemoryTracking=summary.
# Results (summary.md, report.html, probe.tsv, process.csv, each tool's output) in
# deploy/loadtest/results/hostile-*/.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
scenario_args "$@"
seconds=${1:-20}
rate=${2:-100}
positive_int SECONDS "$seconds"
positive_int RATE "$rate"
need slowhttptest slowhttptest
need python3 python3
need curl curl
need taskset util-linux
JAVA_HOME=$(java_home)
export JAVA_HOME # process_sampler.py runs the JDK's jcmd
ensure_jar

IDLE_TIMEOUT=6s
REQUEST_TIMEOUT=3s
LINGERING_TIMEOUT=1s
LINGERING_TIME=3s
MAX_CONNECTIONS=1000
BACKLOG=64
FLOOD_CONNECTIONS=5000
NEVER_READ_CONNECTIONS=50
# A client that never reads is ended by the idle timeout only once usher can write no more: after it
# has filled the kernel's send buffer (net.ipv4.tcp_wmem, up to 4 MiB here) with answers.
NEVER_READ_LIMIT=90
FLOOD_LIMIT=25 # SYN retries (1 + 2 + 4 + 8 s) and the idle timeout
HALF_CLOSE_CLIENTS=4
SETTLE_LIMIT=45 # seconds after an attack for usher to end every hostile connection
IDLE_AFTER=${IDLE_AFTER:-30} # the probe alone after the last attack, before memory is read again
if ! [[ $IDLE_AFTER =~ ^[0-9]+$ ]]; then
  echo "$(basename "$0"): IDLE_AFTER = '$IDLE_AFTER': expected a whole number of seconds" >&2
  exit 2
fi
ALL_ATTACKS="baseline slowloris slow-body slow-read smuggling half-close flood never-read"
ATTACKS=${ATTACKS:-$ALL_ATTACKS}
for name in $ATTACKS; do
  case " $ALL_ATTACKS " in
    *" $name "*) ;;
    *)
      echo "$(basename "$0"): ATTACKS names '$name'; the attacks are: $ALL_ATTACKS" >&2
      exit 2
      ;;
  esac
done

begin_scenario hostile "hostile clients, ${seconds}s per slow attack at $rate connections/s, with a probe client throughout"
run_note settings "server.idle-timeout=$IDLE_TIMEOUT http.request-timeout=$REQUEST_TIMEOUT server.lingering-timeout=$LINGERING_TIMEOUT server.lingering-time=$LINGERING_TIME server.max-connections=$MAX_CONNECTIONS server.backlog=$BACKLOG"
run_note usher_opts "${USHER_OPTS:-}"
start_usher "$SERVER_CPUS" "$RESULTS/usher.log" -Dserver.idle-timeout="$IDLE_TIMEOUT" \
  -Dhttp.request-timeout="$REQUEST_TIMEOUT" -Dserver.lingering-timeout="$LINGERING_TIMEOUT" \
  -Dserver.lingering-time="$LINGERING_TIME" -Dserver.max-connections="$MAX_CONNECTIONS" \
  -Dserver.backlog="$BACKLOG" -Dshutdown.drain-timeout=5s
run_note jvm "$("$(java_home)/bin/jcmd" "$USHER_PID" VM.flags 2>/dev/null | tail -n 1 | tr ' ' '\n' |
  grep -E 'Use[A-Za-z]*GC|MaxHeapSize|InitialHeapSize|MaxDirectMemorySize' | tr '\n' ' ')"

PROBE_PID=
PROCESS_SAMPLER_PID=
hostile_cleanup() {
  local status=$?
  [ -n "$PROBE_PID" ] && stop_pid "$PROBE_PID" 5
  [ -n "$PROCESS_SAMPLER_PID" ] && stop_pid "$PROCESS_SAMPLER_PID" 5
  PROBE_PID= PROCESS_SAMPLER_PID=
  set +e # the next line only hands the status on to scenario_cleanup: under -e it would end the trap
  (exit "$status")
  scenario_cleanup
}
trap hostile_cleanup EXIT

start_sampler $((seconds * 10 + 300))
python3 "$LOADTEST_DIR/process_sampler.py" "$USHER_PID" "http://127.0.0.1:$ADMIN_PORT/metrics" \
  "$RESULTS/process.csv" --max-seconds $((seconds * 10 + 600)) &
PROCESS_SAMPLER_PID=$!
warm_up python3 "$LOADTEST_DIR/hostile_clients.py" half-close 127.0.0.1 "$USHER_PORT" \
  --connections 2 --seconds "$WARMUP_SECONDS" --out "$RESULTS/warm-up.json"
# memory_snapshot LABEL: after a full collection, the live heap beside RSS (and the JVM's own
# account of its native memory, when NativeMemoryTracking is on): heap sizing or a leak?
# memory_snapshot LABEL [nogc|trim]: nogc takes it as it is; trim also has the JVM hand the C
# library's free memory back to the kernel first (jcmd System.trim_native_heap).
memory_snapshot() {
  local how=()
  case "${2:-}" in
    nogc) how=(--gc-every 0) ;;
    trim) how=(--gc-every 1 --trim) ;;
    *) how=(--gc-every 1) ;;
  esac
  python3 "$LOADTEST_DIR/process_sampler.py" "$USHER_PID" "http://127.0.0.1:$ADMIN_PORT/metrics" \
    "$RESULTS/memory.csv" --once "$1" "${how[@]}"
}
memory_snapshot "before the attacks"
taskset -c "$CLIENT_CPUS" python3 "$LOADTEST_DIR/probe.py" 127.0.0.1 "$USHER_PORT" "$RESULTS/probe.tsv" &
PROBE_PID=$!
sleep 1

fds() { ls "/proc/$USHER_PID/fd" | wc -l; }
active() {
  curl -sf --max-time 2 "http://127.0.0.1:$ADMIN_PORT/metrics" |
    awk '/^server_connections_active/ { sum += $2 } END { printf "%d\n", sum }'
}
# The probe keeps one connection open, and its new-connection request may be in flight.
baseline_fds=$(fds)
run_note baseline_descriptors "$baseline_fds"

# settle: waits until usher holds no hostile connection: at most the probe's two connections open
# and the descriptors back to the baseline (two over it for the probe's).
settle() {
  local waited=0
  while [ "$waited" -lt $((SETTLE_LIMIT * 10)) ] && kill -0 "$USHER_PID" 2>/dev/null; do
    if [ "$(active)" -le 2 ] && [ "$(fds)" -le $((baseline_fds + 2)) ]; then
      return 0
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  progress "usher still holds $(active) connections and $(fds) descriptors (baseline $baseline_fds) ${SETTLE_LIMIT}s after the attack"
  return 1
}

rss() { awk '/^VmRSS:/ { print $2 * 1024 }' "/proc/$USHER_PID/status"; }

# usher_died NAME RSS-BEFORE FDS-BEFORE: when usher's process is gone, records the attack as the one
# it died in (its last scrape is the one before the attack) and skips the attacks after it.
usher_died() {
  kill -0 "$USHER_PID" 2>/dev/null && return 1
  USHER_DIED=$1
  progress "usher died during $1: $(grep -m 1 -E 'Terminating|OutOfMemoryError|received SIG' "$RESULTS/usher.log" ||
    tail -n 1 "$RESULTS/usher.log")"
  printf '%s,%s,%s,,died,%s,%s,,\n' "$1" "$PHASE_START" "$attack_end" "$2" "$3" >>"$RESULTS/attacks.csv"
  cp "$RESULTS/$1.before.prom" "$RESULTS/$1.after.prom" # nothing to scrape any more
  printf '%s,%s,%s,"%s"\n' "$1" "$PHASE_START" "$attack_end" "$PHASE_CLIENT" >>"$RESULTS/phases.csv"
  return 0
}

# attack NAME DESCRIPTION COMMAND...: one phase: the attack, then the wait until usher has ended
# every hostile connection. attacks.csv gets name, start, end of the attack, when usher was back to
# its baseline (empty if it was not), the tool's exit status, and resident memory and descriptors
# at the start and once back to the baseline. Attacks not named in ATTACKS are skipped.
attack() {
  local name=$1 description=$2 status=0 attack_end settled="" rss_before fds_before
  shift 2
  case " $ATTACKS " in
    *" $name "*) ;;
    *) return 0 ;;
  esac
  [ -z "$USHER_DIED" ] || return 0
  rss_before=$(rss)
  fds_before=$(fds)
  begin_phase "$name" "$description"
  run_client "$RESULTS/$name.out" "$@" || status=$?
  attack_end=$(now)
  if usher_died "$name" "$rss_before" "$fds_before"; then
    return 0
  fi
  progress "$name: attack over (status $status), waiting for usher to end its connections"
  sleep 2 # what the attacker's exit sends (FINs, RSTs, late handshakes) reaches usher
  if settle; then
    settled=$(now)
  fi
  if usher_died "$name" "$rss_before" "$fds_before"; then
    return 0
  fi
  printf '%s,%s,%s,%s,%s,%s,%s,%s,%s\n' "$name" "$PHASE_START" "$attack_end" "$settled" "$status" \
    "$rss_before" "$fds_before" "$(rss)" "$(fds)" >>"$RESULTS/attacks.csv"
  end_phase
}

USHER_DIED=
url="http://127.0.0.1:$USHER_PORT"
slow_connections=$((seconds * rate))
slow_length=$((seconds + 10))
: >"$RESULTS/attacks.csv"

attack baseline "no attack: the probe alone for ${seconds}s" sleep "$seconds"
attack slowloris "slowhttptest -H -c $slow_connections -r $rate -i 1 (headers trickled, one line a second)" \
  slowhttptest -H -c "$slow_connections" -r "$rate" -i 1 -x 24 -l "$slow_length" -p 3 -u "$url/" \
  -g -o "$RESULTS/slowloris"
attack slow-body "slowhttptest -B -c $slow_connections -r $rate -i 1 -s 8192 (POST body trickled)" \
  slowhttptest -B -c "$slow_connections" -r "$rate" -i 1 -x 24 -s 8192 -l "$slow_length" -p 3 -u "$url/echo" \
  -g -o "$RESULTS/slow-body"
attack slow-read "slowhttptest -X -c $slow_connections -r $rate -k 10 -w 1 -y 64 -n 1 -z 32 (answers read 32 bytes a second)" \
  slowhttptest -X -c "$slow_connections" -r "$rate" -k 10 -w 1 -y 64 -n 1 -z 32 -l "$slow_length" -p 3 \
  -u "$url/" -g -o "$RESULTS/slow-read"
attack smuggling "smuggle.py: CL.TE, TE.CL, TE.TE, CL.CL variants, each with a hidden second request" \
  python3 "$LOADTEST_DIR/smuggle.py" "usher=127.0.0.1:$USHER_PORT" --require usher --out "$RESULTS/smuggling.json"
attack half-close "hostile_clients.py half-close: $rate clients a second, $HALF_CLOSE_CLIENTS at a time, for ${seconds}s" \
  python3 "$LOADTEST_DIR/hostile_clients.py" half-close 127.0.0.1 "$USHER_PORT" \
  --connections "$HALF_CLOSE_CLIENTS" --rate "$rate" --seconds "$seconds" --out "$RESULTS/half-close.json"
attack flood "hostile_clients.py flood: $FLOOD_CONNECTIONS connects at once, never sending (backlog $BACKLOG, max-connections $MAX_CONNECTIONS)" \
  python3 "$LOADTEST_DIR/hostile_clients.py" flood 127.0.0.1 "$USHER_PORT" \
  --connections "$FLOOD_CONNECTIONS" --seconds "$FLOOD_LIMIT" --out "$RESULTS/flood.json"
attack never-read "hostile_clients.py never-read: $NEVER_READ_CONNECTIONS connections pipelining GET / without reading" \
  python3 "$LOADTEST_DIR/hostile_clients.py" never-read 127.0.0.1 "$USHER_PORT" \
  --connections "$NEVER_READ_CONNECTIONS" --seconds "$NEVER_READ_LIMIT" --out "$RESULTS/never-read.json"

if [ -z "$USHER_DIED" ] && [ "$IDLE_AFTER" -gt 0 ]; then
  progress "the probe alone for ${IDLE_AFTER}s: does usher give memory back by itself?"
  sleep "$IDLE_AFTER"
  memory_snapshot "${IDLE_AFTER}s after the last attack" nogc
fi
stop_pid "$PROBE_PID" 5
PROBE_PID=
sleep 1
if [ -z "$USHER_DIED" ]; then
  memory_snapshot "after the attacks"
  memory_snapshot "after the attacks, and malloc_trim" trim
fi
stop_pid "$PROCESS_SAMPLER_PID" 5
PROCESS_SAMPLER_PID=
stop_sampler
python3 "$LOADTEST_DIR/hostile_report.py" "$RESULTS"
progress "report: $RESULTS/report.html"
