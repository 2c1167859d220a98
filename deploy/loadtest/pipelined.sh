#!/usr/bin/env bash
# Pipelined HTTP/1.1: h2load --h1 with DEPTH requests outstanding on each connection (usher
# answers them in order). Shows requests/s and per-request latency (h2load's --log-file, so the
# time each request waited in its pipeline is included) beside server_http_requests_total and the
# request-duration histogram.
#
# usage: deploy/loadtest/pipelined.sh [SECONDS=10] [CONNECTIONS=16] [DEPTH=16]
# Needs h2load (Debian: nghttp2-client), curl, python3. Server on SERVER_CPUS, h2load on
# CLIENT_CPUS; loopback only. Results in deploy/loadtest/results/pipelined-*/.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
scenario_args "$@"
seconds=${1:-10}
connections=${2:-16}
depth=${3:-16}
positive_int SECONDS "$seconds"
positive_int CONNECTIONS "$connections"
positive_int DEPTH "$depth"
need h2load nghttp2-client
need curl curl
need python3 python3
need taskset util-linux
ensure_jar

begin_scenario pipelined "pipelined HTTP/1.1: h2load --h1 -c$connections -m$depth for ${seconds}s"
run_note pipeline_depth "$depth"
start_usher "$SERVER_CPUS" "$RESULTS/usher.log"
start_sampler "$seconds"
url="http://127.0.0.1:$USHER_PORT/"

warm_up h2load --h1 -c4 -m4 -D "$WARMUP_SECONDS" "$url"
begin_phase h2load "h2load --h1 -c$connections -m$depth -D $seconds $url"
run_client "$RESULTS/h2load.txt" h2load --h1 -c"$connections" -m"$depth" -D "$seconds" -T 5 \
  --log-file="$RESULTS/h2load-requests.tsv" "$url"
end_phase
client_view h2load "$RESULTS/h2load.txt" "$RESULTS/h2load-requests.tsv" "$connections"
run_note h2load_note "h2load-requests.tsv: one line a request (start µs, status, µs to the answer)"

finish_scenario
