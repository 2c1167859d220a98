#!/usr/bin/env bash
# Replacing usher under load, three ways side by side. In each, restart_client.py opens new
# connections back to back as fast as it can (WORKERS at a time, one request each) and keeps one
# keep-alive connection busy, while usher is replaced RESTARTS times, PAUSE seconds apart:
#
#   handover      the new usher takes the listening sockets over (lifecycle.handover-path); the old
#                 one drains and exits 0. Expected: nothing refused, reset or lost.
#   stop-start    SIGTERM, wait for the exit, start the next: what a plain restart loses (connects
#                 refused while no usher listens; whatever was queued at the close, reset).
#   reuseport     server.accept-mode = reuseport: the new usher binds the port beside the old one
#                 (SO_REUSEPORT), then the old one gets SIGTERM. What its queue loses at the close
#                 depends on net.ipv4.tcp_migrate_req (recorded in run.env; usher's own start-up
#                 line says what to expect). This machine's setting is used as it is.
#
# Prints one table: per way, the new connections answered and failed by reason, the keep-alive
# requests answered and failed, and each replaced usher's exit status. Every run is written to
# results/restart-*/ (client JSON per way, every usher's log, summary.txt).
#
# usage: deploy/loadtest/restart.sh [RESTARTS=3] [WORKERS=16] [PAUSE=2]
# Needs python3, curl, taskset. Server on SERVER_CPUS, client on CLIENT_CPUS; loopback only.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
scenario_args "$@"
restarts=${1:-3}
workers=${2:-16}
pause=${3:-2}
positive_int RESTARTS "$restarts"
positive_int WORKERS "$workers"
positive_int PAUSE "$pause"
need python3 python3
need curl curl
need taskset util-linux
ensure_jar

begin_scenario restart "usher replaced $restarts times under new connections (x$workers) and one keep-alive: hand-over vs stop-then-start vs reuseport overlap"
migrate_req=$(cat /proc/sys/net/ipv4/tcp_migrate_req 2>/dev/null || echo unavailable)
run_note tcp_migrate_req "$migrate_req"

# Ushers being replaced are tracked here too, so that an interrupted run stops them as well.
REPLACED_PIDS=()
stop_replaced() {
  local pid
  for pid in "${REPLACED_PIDS[@]}"; do
    stop_pid "$pid" 5
  done
  REPLACED_PIDS=()
}
trap 'status=$?; stop_replaced; (exit $status); scenario_cleanup' EXIT

# await_exit PID: waits (at most 45 s: a drain is bounded by 30 s) and appends the exit status
# to EXITS ("running" if it has not ended).
await_exit() {
  local pid=$1 status=0
  for _ in $(seq 1 450); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    EXITS+=(running)
    return
  fi
  wait "$pid" 2>/dev/null || status=$?
  EXITS+=("$status")
}

run_way() { # run_way WAY [-Dkey=value ...]
  local way=$1 old generation=0
  EXITS=()
  shift
  local stop_file=$RESULTS/$way.stop
  USHER_PORT=$(free_port)
  ADMIN_PORT=$(free_port)
  start_usher_on "$SERVER_CPUS" "$RESULTS/$way-usher-0.log" "$@"
  progress "$way: usher $USHER_PID serving on $USHER_PORT; client starting"
  start_background_client "$RESULTS/$way.client.log" python3 "$LOADTEST_DIR/restart_client.py" \
    127.0.0.1 "$USHER_PORT" --out "$RESULTS/$way.json" --stop-file "$stop_file" --workers "$workers"
  sleep "$pause"
  for generation in $(seq 1 "$restarts"); do
    old=$USHER_PID
    REPLACED_PIDS+=("$old")
    case "$way" in
      handover)
        start_usher_on "$SERVER_CPUS" "$RESULTS/$way-usher-$generation.log" "$@"
        await_exit "$old"
        ;;
      stop-start)
        kill -TERM "$old"
        await_exit "$old"
        start_usher_on "$SERVER_CPUS" "$RESULTS/$way-usher-$generation.log" "$@"
        ;;
      reuseport)
        ADMIN_PORT=$(free_port) # the admin listener is no SO_REUSEPORT socket: the new one needs its own
        start_usher_on "$SERVER_CPUS" "$RESULTS/$way-usher-$generation.log" "$@"
        kill -TERM "$old"
        await_exit "$old"
        ;;
    esac
    REPLACED_PIDS=()
    progress "$way: replaced $generation of $restarts (old usher exited ${EXITS[-1]}); usher $USHER_PID serving"
    sleep "$pause"
  done
  touch "$stop_file"
  await_background_client
  stop_usher
  echo "${EXITS[*]}" >"$RESULTS/$way.exits"
}

run_way handover -Dlifecycle.handover-path="$RESULTS/handover.sock"
run_way stop-start
run_way reuseport -Dserver.accept-mode=reuseport

python3 - "$RESULTS" "$migrate_req" <<'EOF' | tee "$RESULTS/summary.txt"
import json
import sys

results, migrate_req = sys.argv[1], sys.argv[2]
ways = ["handover", "stop-start", "reuseport"]
rows = [("", *ways)]


def row(name, pick):
    rows.append((name, *(str(pick(way)) for way in ways)))


views = {way: json.load(open(f"{results}/{way}.json")) for way in ways}
exits = {way: open(f"{results}/{way}.exits").read().split() for way in ways}
new = {way: views[way]["new_connections"] for way in ways}
keep = {way: views[way]["keepalive"] for way in ways}
row("seconds", lambda w: f"{views[w]['seconds']:.1f}")
row("new connections answered", lambda w: new[w]["answered"])
row("  of which not 200", lambda w: new[w]["answered"] - new[w]["statuses"].get("200", 0))
for error in ["connect_refused", "connect_timeout", "connect_other", "reset", "closed_without_answer",
              "answer_timeout"]:
    row(f"  failed: {error}", lambda w, e=error: new[w]["errors"][e])
row("keep-alive requests answered", lambda w: keep[w]["answered"])
row("  failed", lambda w: keep[w]["failed"])
row("  failed by reason", lambda w: ",".join(f"{k}={v}" for k, v in keep[w]["errors"].items() if v) or "-")
row("  connections", lambda w: views[w]["keepalive_connections"])
row("  ended after Connection: close", lambda w: views[w]["closed_between_requests"])
row("  sent again: ended while idle", lambda w: views[w]["retried_after_close"])
row("replaced ushers' exit status", lambda w: " ".join(exits[w]))
widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
print(f"net.ipv4.tcp_migrate_req = {migrate_req} (the reuseport way depends on it)")
for r in rows:
    print("  ".join(cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(r)))
EOF
progress "results: $RESULTS"
