#!/usr/bin/env bash
# A connection storm against a small listen queue: usher with server.backlog=BACKLOG and one worker
# thread, and connect_burst.py (Python standard library) opening CONNECTIONS connections at once,
# each timing its own connect() and sending one request. The queue fills, the kernel drops
# handshakes, and clients wait for their SYN to be retransmitted (~1 s, then ~3 s, ~7 s): the
# summary shows the client's connect-time percentiles and histogram (the 1 s / 3 s clusters)
# beside the server's listen-queue peak, overflow and drop deltas, refusals and accept-queue wait.
#
# usage: deploy/loadtest/backlog-storm.sh [CONNECTIONS=2000] [TIMEOUT_SECONDS=10] [BACKLOG=8]
# Needs python3, curl. Server on SERVER_CPUS, client on CLIENT_CPUS; loopback only.
# Results in deploy/loadtest/results/backlog-storm-*/.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
scenario_args "$@"
connections=${1:-2000}
timeout=${2:-10}
backlog=${3:-8}
positive_int CONNECTIONS "$connections"
positive_int TIMEOUT_SECONDS "$timeout"
positive_int BACKLOG "$backlog"
need python3 python3
need curl curl
need taskset util-linux
ensure_jar

begin_scenario backlog-storm "connection storm: $connections connects at once against server.backlog=$backlog"
run_note backlog "$backlog"
start_usher "$SERVER_CPUS" "$RESULTS/usher.log" -Dserver.backlog="$backlog" -Dserver.worker-threads=1
start_sampler "$timeout"

begin_phase burst "connect_burst.py 127.0.0.1 $USHER_PORT --connections $connections --timeout $timeout"
run_client "$RESULTS/connect_burst.out" python3 "$LOADTEST_DIR/connect_burst.py" 127.0.0.1 "$USHER_PORT" \
  --connections "$connections" --timeout "$timeout" --out "$RESULTS/burst.client.json"
end_phase
sleep 1 # a quiet second after the storm, visible in the charts

finish_scenario
