#!/usr/bin/env bash
# Keep-alive HTTP/1.1 throughput: wrk on a fixed set of connections, each sending its next request
# as soon as the answer arrives. Shows requests/s and latency as wrk saw them beside
# server_http_requests_total, the request-duration histogram and the (idle) accept path.
#
# usage: deploy/loadtest/keepalive.sh [SECONDS=10] [CONNECTIONS=64] [THREADS=1]
# Needs wrk (Debian: wrk), curl, python3. Server on SERVER_CPUS, wrk on CLIENT_CPUS; loopback only.
# Results (summary.md, report.html, samples.csv, raw outputs) in deploy/loadtest/results/keepalive-*/.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
scenario_args "$@"
seconds=${1:-10}
connections=${2:-64}
threads=${3:-1}
positive_int SECONDS "$seconds"
positive_int CONNECTIONS "$connections"
positive_int THREADS "$threads"
need wrk wrk
need curl curl
need python3 python3
need taskset util-linux
ensure_jar

begin_scenario keepalive "keep-alive throughput: wrk -c$connections for ${seconds}s"
start_usher "$SERVER_CPUS" "$RESULTS/usher.log"
start_sampler "$seconds"
url="http://127.0.0.1:$USHER_PORT/"

warm_up wrk -t1 -c8 -d"${WARMUP_SECONDS}s" "$url"
begin_phase wrk "wrk -t$threads -c$connections -d${seconds}s --latency $url"
run_client "$RESULTS/wrk.txt" wrk -t"$threads" -c"$connections" -d"${seconds}s" --timeout 5s --latency "$url"
end_phase
client_view wrk "$RESULTS/wrk.txt"

finish_scenario
