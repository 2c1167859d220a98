#!/usr/bin/env bash
# More clients than usher admits: usher with server.max-connections=MAX_CONNECTIONS, and
# connection_census.py (Python standard library) connecting CLIENTS keep-alive clients at once, each
# sending a request a second for SECONDS. usher accepts the connections above the limit and resets
# them at once (SO_LINGER 0): the summary shows what each client saw (served, reset or closed right
# after connect, unanswered) beside server_connections_refused_total by reason, the accepted count
# and the active connections, and says where the two sides agree or disagree.
#
# usage: deploy/loadtest/max-connections.sh [SECONDS=10] [CLIENTS=200] [MAX_CONNECTIONS=50]
# Needs python3, curl. Server on SERVER_CPUS, clients on CLIENT_CPUS; loopback only.
# Results in deploy/loadtest/results/max-connections-*/.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
scenario_args "$@"
seconds=${1:-10}
clients=${2:-200}
limit=${3:-50}
positive_int SECONDS "$seconds"
positive_int CLIENTS "$clients"
positive_int MAX_CONNECTIONS "$limit"
need python3 python3
need curl curl
need taskset util-linux
ensure_jar

begin_scenario max-connections "$clients clients against server.max-connections=$limit for ${seconds}s"
run_note max_connections "$limit"
start_usher "$SERVER_CPUS" "$RESULTS/usher.log" -Dserver.max-connections="$limit"
start_sampler "$seconds"

begin_phase census "connection_census.py 127.0.0.1 $USHER_PORT --connections $clients --seconds $seconds"
run_client "$RESULTS/connection_census.out" python3 "$LOADTEST_DIR/connection_census.py" 127.0.0.1 "$USHER_PORT" \
  --connections "$clients" --seconds "$seconds" --out "$RESULTS/census.client.json"
end_phase
grep -h 'refus' "$RESULTS/usher.log" | head -n 5 || true

finish_scenario
