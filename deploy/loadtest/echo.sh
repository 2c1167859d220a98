#!/usr/bin/env bash
# TCP echo: usher with server.protocol=echo, and our own client (echo_client.py, Python standard
# library) holding CONNECTIONS connections, each sending a MESSAGE_BYTES message and timing its echo,
# again and again. Shows messages/s and round-trip percentiles beside usher's byte counters and
# connection meters.
#
# usage: deploy/loadtest/echo.sh [SECONDS=10] [CONNECTIONS=32] [MESSAGE_BYTES=64]
# Needs python3, curl. Server on SERVER_CPUS, client on CLIENT_CPUS; loopback only.
# Results in deploy/loadtest/results/echo-*/.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
scenario_args "$@"
seconds=${1:-10}
connections=${2:-32}
size=${3:-64}
positive_int SECONDS "$seconds"
positive_int CONNECTIONS "$connections"
positive_int MESSAGE_BYTES "$size"
need python3 python3
need curl curl
need taskset util-linux
ensure_jar

begin_scenario echo "TCP echo: $connections connections, $size-byte messages, ${seconds}s"
start_usher "$SERVER_CPUS" "$RESULTS/usher.log" -Dserver.protocol=echo
start_sampler "$seconds"

warm_up python3 "$LOADTEST_DIR/echo_client.py" 127.0.0.1 "$USHER_PORT" --connections 4 --size "$size" \
  --seconds "$WARMUP_SECONDS" --out "$RESULTS/warm-up.json"
begin_phase echo_client "echo_client.py 127.0.0.1 $USHER_PORT --connections $connections --size $size --seconds $seconds"
run_client "$RESULTS/echo_client.out" python3 "$LOADTEST_DIR/echo_client.py" 127.0.0.1 "$USHER_PORT" \
  --connections "$connections" --size "$size" --seconds "$seconds" --out "$RESULTS/echo_client.client.json"
end_phase

finish_scenario
