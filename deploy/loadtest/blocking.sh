#!/usr/bin/env bash
# Blocking work on virtual threads (issue 19): CONNECTIONS concurrent clients of GET /sleep?ms=SLEEP_MS
# (a handler that blocks its virtual thread), with wrk. Reports the throughput against the ideal
# CONNECTIONS / SLEEP_MS (2,000 / 0.1 s = 20,000 requests/s; goal: within 20 %), the worker loops'
# lag p99 from usher's server_event_loop_lag_seconds over the load (goal: under 5 ms), and the
# latency of GET / on one connection of its own during the load beside its latency alone.
#
# usage: deploy/loadtest/blocking.sh [SECONDS=10] [CONNECTIONS=2000] [SLEEP_MS=100]
# Needs wrk (Debian: wrk), curl, python3. usher (http.sample-load-routes=on, blocking bound above
# CONNECTIONS) on SERVER_CPUS, both wrk clients on CLIENT_CPUS; loopback only.
# Results (summary.md, blocking.md, report.html, raw outputs) in deploy/loadtest/results/blocking-*/.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
scenario_args "$@"
seconds=${1:-10}
connections=${2:-2000}
sleep_ms=${3:-100}
positive_int SECONDS "$seconds"
positive_int CONNECTIONS "$connections"
positive_int SLEEP_MS "$sleep_ms"
need wrk wrk
need curl curl
need python3 python3
need taskset util-linux
ensure_jar

begin_scenario blocking "$connections clients of GET /sleep?ms=$sleep_ms for ${seconds}s, and GET / beside them"
run_note ideal_rps "$((connections * 1000 / sleep_ms))"
start_usher "$SERVER_CPUS" "$RESULTS/usher.log" -Dhttp.sample-load-routes=on \
  -Dhttp.blocking.max-concurrent=$((connections * 2)) -Dserver.max-connections=$((connections + 1000))
start_sampler "$((2 * seconds))"
base="http://127.0.0.1:$USHER_PORT"
sleep_url="$base/sleep?ms=$sleep_ms"

warm_up wrk -t1 -c200 -d"${WARMUP_SECONDS}s" "$sleep_url"
begin_phase alone "wrk -t1 -c1 -d${seconds}s --latency $base/"
run_client "$RESULTS/alone.txt" wrk -t1 -c1 -d"${seconds}s" --latency "$base/"
end_phase
client_view wrk "$RESULTS/alone.txt"

# The probe starts a second after the load and ends a second before it: it measures the load's
# steady state, not wrk's connecting.
begin_phase blocking "wrk -t2 -c$connections -d${seconds}s --latency $sleep_url"
start_background_client "$RESULTS/blocking.txt" wrk -t2 -c"$connections" -d"${seconds}s" --timeout 10s --latency "$sleep_url"
sleep 1
run_client "$RESULTS/during.txt" wrk -t1 -c1 -d"$((seconds > 2 ? seconds - 2 : 1))s" --latency "$base/"
await_background_client
cat "$RESULTS/blocking.txt"
end_phase
client_view wrk "$RESULTS/blocking.txt"

PYTHONPATH="$LOADTEST_DIR" python3 - "$RESULTS" "$connections" "$sleep_ms" <<'PY' | tee "$RESULTS/blocking.md"
import json, os, re, sys
import promtext

results, connections, sleep_ms = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def wrk(name):
    text = open(os.path.join(results, name), encoding="utf-8").read()
    rps = float(re.search(r"^Requests/sec:\s+([\d.]+)", text, re.M).group(1))
    unit = {"us": 1e-3, "ms": 1.0, "s": 1e3}
    pct = {p: float(v) * unit[u] for p, v, u in re.findall(r"^\s+(\d+)%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    socket_errors = re.search(r"Socket errors: (.*)$", text, re.M)
    return rps, pct, int(errors.group(1)) if errors else 0, socket_errors.group(1) if socket_errors else "none"
before = promtext.Metrics.read(os.path.join(results, "blocking.before.prom"))
after = promtext.Metrics.read(os.path.join(results, "blocking.after.prom"))
delta = after.minus(before)
lag_p99 = delta.quantile(0.99, "server_event_loop_lag_seconds", group="worker")
lag_max = after.value("server_event_loop_lag_seconds_max", group="worker")
wait_p99 = delta.quantile(0.99, "server_blocking_task_wait_seconds")
shed = delta.value("server_http_requests_shed_total") or 0
ideal = connections * 1000 / sleep_ms
rps, sleep_pct, non2xx, socket_errors = wrk("blocking.txt")
alone_rps, alone, _, _ = wrk("alone.txt")
during_rps, during, _, _ = wrk("during.txt")
ms = lambda v: "n/a" if v is None else f"{v * 1e3:.2f}"
print(f"| measure | value | goal |")
print(f"|---|---|---|")
print(f"| GET /sleep?ms={sleep_ms} requests/s, {connections} connections | {rps:,.0f} ({rps / ideal:.1%} of the ideal {ideal:,.0f}) | within 20 % |")
print(f"| its latency p50 / p99 (ms) | {sleep_pct.get('50', 0):.1f} / {sleep_pct.get('99', 0):.1f} | {sleep_ms} + a little |")
print(f"| non-2xx answers, socket errors, shed (server_http_requests_shed_total) | {non2xx}, {socket_errors}, {shed:.0f} | 0 |")
print(f"| worker event-loop lag p99 (ms; server_event_loop_lag_seconds, over the load) | {ms(lag_p99)} (max {ms(lag_max)}) | under 5 |")
print(f"| blocking task wait p99 (ms; submitted to started) | {ms(wait_p99)} | |")
print(f"| GET / on its own connection, alone: p50 / p99 (ms), requests/s | {alone.get('50', 0):.3f} / {alone.get('99', 0):.3f}, {alone_rps:,.0f} | |")
print(f"| GET / on its own connection, during the load: p50 / p99 (ms), requests/s | {during.get('50', 0):.3f} / {during.get('99', 0):.3f}, {during_rps:,.0f} | |")
PY

finish_scenario
