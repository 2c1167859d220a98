#!/usr/bin/env bash
# A new connection per request: the accept path under load. Two phases against one server:
# wrk with 'Connection: close' (usher closes after each answer), then ab without -k (HTTP/1.0, one
# connection per request). Shows requests/s, connect errors and latency as each client saw them
# beside accepted/refused counts, the accept-queue wait and hand-off histograms, the listen
# queue's depth and peak, and the kernel's overflow counters.
#
# usage: deploy/loadtest/new-connections.sh [SECONDS=10] [CONNECTIONS=32]
# Needs wrk (Debian: wrk), ab (Debian: apache2-utils), curl, python3. Server on SERVER_CPUS,
# clients on CLIENT_CPUS; loopback only. Results in deploy/loadtest/results/new-connections-*/.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
scenario_args "$@"
seconds=${1:-10}
connections=${2:-32}
positive_int SECONDS "$seconds"
positive_int CONNECTIONS "$connections"
need wrk wrk
need ab apache2-utils
need curl curl
need python3 python3
need taskset util-linux
ensure_jar

begin_scenario new-connections "a new connection per request: wrk -H 'Connection: close' then ab, -c$connections, ${seconds}s each"
start_usher "$SERVER_CPUS" "$RESULTS/usher.log"
start_sampler $((2 * seconds))
url="http://127.0.0.1:$USHER_PORT/"

warm_up wrk -t1 -c8 -d"${WARMUP_SECONDS}s" -H 'Connection: close' "$url"
begin_phase wrk-close "wrk -t1 -c$connections -d${seconds}s -H 'Connection: close' --latency $url"
run_client "$RESULTS/wrk.txt" wrk -t1 -c"$connections" -d"${seconds}s" --timeout 5s -H 'Connection: close' --latency "$url"
end_phase
client_view wrk "$RESULTS/wrk.txt" --per-request-connections

sleep 1 # one quiet second between the phases, visible in the charts
# ab stops at -t seconds or -n requests, whichever comes first; -r keeps it going after a reset.
begin_phase ab "ab -r -c $connections -t $seconds -n 10000000 $url"
run_client "$RESULTS/ab.txt" ab -r -q -c "$connections" -t "$seconds" -n 10000000 "$url" 2>"$RESULTS/ab.stderr" \
  || progress "ab exited with an error: see $RESULTS/ab.stderr"
end_phase
client_view ab "$RESULTS/ab.txt" "$RESULTS/ab.stderr"

finish_scenario
