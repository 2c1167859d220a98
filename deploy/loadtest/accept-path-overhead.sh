#!/usr/bin/env bash
# What the accept-path meters cost: keep-alive requests/s and new connections/s with
# metrics.accept-path on and off, interleaved in one run (on, off, on, off, ...), medians and ratio.
# Then the time of one /metrics scrape with 0 and with HELD_CONNECTIONS (default 10,000) open
# connections.
# With FEATURE=access-log, the same interleaved rounds price the access log instead: log.access on
# vs off (its lines go to usher's log file in a temporary directory, as stdout to a file would),
# and no scrape timing.
#
# usage: [FEATURE=accept-path|access-log] [TRANSPORT=epoll] [HELD_CONNECTIONS=10000] deploy/loadtest/accept-path-overhead.sh [ROUNDS=3] [SECONDS=8]
# Server on CPU 0 (1 boss + 1 worker thread), wrk on CPU 1. Loopback only.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
scenario_args "$@"
rounds=${1:-3}
seconds=${2:-8}
held=${HELD_CONNECTIONS:-10000}
feature=${FEATURE:-accept-path}
case "$feature" in
  accept-path) feature_on=-Dmetrics.accept-path=true feature_off=-Dmetrics.accept-path=false ;;
  access-log) feature_on=-Dlog.access=on feature_off=-Dlog.access=off ;;
  *)
    echo "FEATURE = '$feature': expected accept-path or access-log" >&2
    exit 2
    ;;
esac
positive_int ROUNDS "$rounds"
positive_int SECONDS "$seconds"
positive_int HELD_CONNECTIONS "$held"
need wrk wrk
need curl curl
need bc bc
need python3 python3
need taskset util-linux
ensure_jar
work=$(mktemp -d)
trap 'stop_usher 2>/dev/null || true; rm -rf "$work"' EXIT

run_case() { # run_case on|off ROUND
  local mode=$1 round=$2 option=$feature_on
  [ "$mode" = off ] && option=$feature_off
  start_usher 0 "$work/usher-$mode-$round.log" "$option" \
    -Dserver.transport="${TRANSPORT:-auto}" \
    -Dserver.worker-threads=1
  local url="http://127.0.0.1:$USHER_PORT/"
  [ "$WARMUP_SECONDS" -eq 0 ] || taskset -c 1 wrk -t1 -c64 -d"${WARMUP_SECONDS}s" "$url" >/dev/null
  taskset -c 1 wrk -t1 -c64 -d"${seconds}s" "$url" >"$work/ka-$mode-$round.txt"
  taskset -c 1 wrk -t1 -c64 -d"${seconds}s" -H 'Connection: close' "$url" >"$work/nc-$mode-$round.txt"
  scrape "$work/dropped-$round.prom"
  stop_usher
  if [ "$feature" = access-log ] && [ "$mode" = on ]; then
    printf '  round %s: %s access lines written, %s dropped\n' "$round" \
      "$(grep -c ' HTTP/1.1" ' "$work/usher-$mode-$round.log" || true)" \
      "$(awk '/^server_access_log_dropped_total/ { print $2 }' "$work/dropped-$round.prom")"
  fi
  printf '  round %s, %s %-3s: keep-alive %8s req/s, new connections %8s conn/s\n' "$round" "$feature" "$mode" \
    "$(wrk_rps "$work/ka-$mode-$round.txt")" "$(wrk_rps "$work/nc-$mode-$round.txt")"
}

echo "$feature on vs off: $rounds rounds of ${seconds}s per client, interleaved"
for round in $(seq 1 "$rounds"); do
  run_case on "$round"
  run_case off "$round"
done

summary() { # summary ka|nc on|off
  for f in "$work/$1-$2-"*.txt; do wrk_rps "$f"; done | median
}
ka_on=$(summary ka on); ka_off=$(summary ka off)
nc_on=$(summary nc on); nc_off=$(summary nc off)
echo
echo "| load (wrk -t1 -c64, loopback) | $feature on | $feature off | on / off |"
echo "|---|---|---|---|"
printf '| keep-alive requests/s | %.0f | %.0f | %.3f |\n' "$ka_on" "$ka_off" "$(echo "$ka_on / $ka_off" | bc -l)"
printf '| new connections/s (Connection: close) | %.0f | %.0f | %.3f |\n' "$nc_on" "$nc_off" "$(echo "$nc_on / $nc_off" | bc -l)"
[ "$feature" = accept-path ] || exit 0

echo
echo "time of one /metrics scrape (median of 50 after 200 warm-up scrapes), with 0 and $held open idle connections"
start_usher 0 "$work/usher-scrape.log" -Dserver.max-connections=$((held + 1000)) -Dserver.idle-timeout=10m
scrape_ms() {
  for _ in $(seq 1 200); do # warm-up: the scrape path is JIT-compiled by then
    curl -s -o /dev/null "http://127.0.0.1:$ADMIN_PORT/metrics"
  done
  for _ in $(seq 1 50); do
    curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$ADMIN_PORT/metrics"
  done | median | awk '{ printf "%.2f", $1 * 1000 }'
}
idle=$(scrape_ms)
python3 "$(dirname "$0")/hold_connections.py" 127.0.0.1 "$USHER_PORT" "$held" 60 "$work/held" &
holder=$!
for _ in $(seq 1 600); do [ -f "$work/held" ] && break; sleep 0.1; done
# The kernel completes handshakes before usher accepts them: wait until usher holds them all.
for _ in $(seq 1 300); do
  active=$(curl -s "http://127.0.0.1:$ADMIN_PORT/metrics" | awk '/^server_connections_active/ { print $2 }')
  [ "${active%.*}" -ge "$held" ] && break
  sleep 0.1
done
loaded=$(scrape_ms)
kill "$holder" 2>/dev/null || true
wait "$holder" 2>/dev/null || true
stop_usher
echo "| open connections | scrape time (ms) |"
echo "|---|---|"
echo "| 0 | $idle |"
echo "| ${active%.*} | $loaded |"
