#!/usr/bin/env bash
# usher over HTTP/2 against the plainest Netty HTTP/2 server (RawNettyHttp2Hello: frame codec,
# stream multiplexer and one handler that answers) and nginx, measured in one run and interleaved:
# requests/s with h2load over h2c (prior knowledge; all three) and over h2 (TLS 1.3 with ALPN, the
# same EC P-256 certificate made here by openssl; usher and nginx), GET / answered with the same
# 17-byte body. Medians over ROUNDS, the ratios usher / raw Netty and usher / nginx beside issue 16's
# goals (at least 0.97 and 1.0), each server's CPU time per request and the same ratios from it
# (steadier than the rates on a shared machine), and h2load's own count of failed and errored
# requests (and answers other than 2xx) over every measured run.
#
# usage: deploy/loadtest/h2.sh [ROUNDS=3] [SECONDS=8]
# Environment: CONNECTIONS (default 64) and STREAMS (default 16: h2load -c CONNECTIONS -m STREAMS,
# the streams each connection keeps open), WARMUP_SECONDS (default 60, at least 1: the most load
# each server gets, unmeasured, before the rounds; the warm-up stops once the server's rate has
# settled, in slices of 3 s, or WARMUP_SECONDS when that is shorter: usher's rate took 36 s of load
# to settle where raw Netty's took 21), BENCH_JAR, USHER_OPTS (more -D options for usher).
# Every server gets one worker on SERVER_CPUS (usher and raw Netty: 1 boss + 1 worker thread, epoll,
# the same heap; nginx: 1 worker process), h2load one thread on CLIENT_CPUS (CPU 0 and 1 by
# default). Each round runs every server once, the first server moving one place from round to
# round. Loopback only; every load is bounded in time.
set -euo pipefail
warmup_seconds=${WARMUP_SECONDS:-60} # read before lib.sh, which has a default of its own
source "$(dirname "$0")/lib.sh"
scenario_args "$@"
need h2load nghttp2-client
need nginx nginx-light
need openssl openssl
need taskset util-linux
need curl curl
need python3 python3
rounds=${1:-3}
seconds=${2:-8}
connections=${CONNECTIONS:-64}
streams=${STREAMS:-16}
positive_int ROUNDS "$rounds"
positive_int SECONDS "$seconds"
positive_int CONNECTIONS "$connections"
positive_int STREAMS "$streams"
positive_int WARMUP_SECONDS "$warmup_seconds"
if [ -n "${BENCH_JAR:-}" ] && [ ! -f "$BENCH_JAR" ]; then
  echo "h2.sh: BENCH_JAR = '$BENCH_JAR': no such file" >&2
  exit 2
fi
ensure_jar
BENCH_JAR=${BENCH_JAR:-$LOADTEST_ROOT/benchmarks/target/usher-benchmarks.jar}
[ -f "$BENCH_JAR" ] || (cd "$LOADTEST_ROOT" && JAVA_HOME=$(java_home) ./mvnw -q -B package -DskipTests)
JAVA="$(java_home)/bin/java"
# The same fixed, pre-touched heap for both JVMs, as in peers-benchmark.sh.
JVM_HEAP=(-Xms512m -Xmx512m -XX:+AlwaysPreTouch)

work=$(mktemp -d)
usher_pids=()
raw_pid=""
nginx_pid=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  local pid
  for pid in "${usher_pids[@]}"; do
    USHER_PID=$pid
    stop_usher
  done
  [ -n "$raw_pid" ] && stop_pid "$raw_pid" 10
  [ -n "$nginx_pid" ] && stop_pid "$nginx_pid" 10
  if [ "$status" -ne 0 ]; then
    echo "h2.sh failed with status $status; the run's files (server logs, h2load output) are kept in $work" >&2
  else
    rm -rf "$work"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The certificate both TLS servers present.
self_signed_certificate "$work"

declare -A url
progress "starting usher (h2c and TLS), raw Netty and nginx (h2c and TLS) on CPU $SERVER_CPUS"

start_usher "$SERVER_CPUS" "$work/usher.log" "${JVM_HEAP[@]}" -Dserver.transport=epoll \
  -Dserver.worker-threads=1
usher_pids+=("$USHER_PID")
url[usher]="http://127.0.0.1:$USHER_PORT/"
start_usher "$SERVER_CPUS" "$work/usher-tls.log" "${JVM_HEAP[@]}" -Dserver.transport=epoll \
  -Dserver.worker-threads=1 -Dserver.tls.certificate="$work/cert.pem" \
  -Dserver.tls.private-key="$work/key.pem" -Dserver.tls.protocols=TLSv1.3
usher_pids+=("$USHER_PID")
url[usher-tls]="https://127.0.0.1:$USHER_PORT/"

raw_port=$(free_port)
taskset -c "$SERVER_CPUS" "$JAVA" "${JVM_HEAP[@]}" --enable-native-access=ALL-UNNAMED -cp "$BENCH_JAR" \
  dev.usher.bench.RawNettyHttp2Hello "$raw_port" epoll 1 1 >"$work/raw-netty.log" 2>&1 &
raw_pid=$!
url[raw-netty]="http://127.0.0.1:$raw_port/"

nginx_port=$(free_port)
nginx_tls_port=$(free_port)
mkdir -p "$work/nginx"
# keepalive_requests: nginx's default (1,000 requests, then a GOAWAY) would end h2load's
# connections mid-run, and the streams in flight then count as failed.
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 1;
worker_rlimit_nofile 65536;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 16384; }
http {
  access_log off;
  keepalive_requests 10000000;
  keepalive_timeout 600s;
  http2_max_concurrent_streams 100;
  client_body_temp_path $work/nginx;
  ssl_certificate $work/cert.pem;
  ssl_certificate_key $work/key.pem;
  ssl_protocols TLSv1.3;
  server {
    listen 127.0.0.1:$nginx_port http2 backlog=4096;
    listen 127.0.0.1:$nginx_tls_port ssl http2 backlog=4096;
    location / { default_type text/plain; return 200 "hello from usher\n"; }
  }
}
CONF
taskset -c "$SERVER_CPUS" nginx -c "$work/nginx/nginx.conf" -g 'daemon off;' >"$work/nginx/out.log" 2>&1 &
nginx_pid=$!
url[nginx]="http://127.0.0.1:$nginx_port/"
url[nginx-tls]="https://127.0.0.1:$nginx_tls_port/"

# await_h2 NAME PID LOG: waits (at most 30 s) until NAME answers GET / over HTTP/2 with a 200.
await_h2() {
  local name=$1 pid=$2 log=$3 mode=--http2-prior-knowledge
  case "${url[$name]}" in https:*) mode=--http2 ;; esac
  for _ in $(seq 1 300); do
    [ "$(curl -sk "$mode" -o /dev/null -w '%{http_version} %{http_code}' "${url[$name]}" || true)" = "2 200" ] && return 0
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "$name did not start:" >&2
      cat "$log" >&2
      exit 1
    fi
    sleep 0.1
  done
  echo "$name did not answer GET / over HTTP/2 within 30 s:" >&2
  cat "$log" >&2
  exit 1
}
await_h2 usher "${usher_pids[0]}" "$work/usher.log"
await_h2 usher-tls "${usher_pids[1]}" "$work/usher-tls.log"
await_h2 raw-netty "$raw_pid" "$work/raw-netty.log"
await_h2 nginx "$nginx_pid" "$work/nginx/error.log"
await_h2 nginx-tls "$nginx_pid" "$work/nginx/error.log"

# h2load_run NAME SECONDS OUT: h2load against NAME for SECONDS. Fails when h2load does, when the
# protocol is not HTTP/2 (h2c, or h2 through ALPN), or when not one request succeeded.
# h2load 1.52 can hang once its duration is over: seen once against nginx over TLS, after "Stopped
# all clients", 41 of its 64 connections and nginx's worker exchanged 101-byte records for 13
# minutes, both at full CPU. An h2load still running 30 s after its duration is stopped and run
# once more, and the report counts it. The server's CPU time over the run goes to OUT.cpu.
h2load_hangs=0
h2load_run() {
  local name=$1 duration=$2 out=$3 status expected=h2c attempt before
  case "${url[$name]}" in https:*) expected=h2 ;; esac
  for attempt in 1 2; do
    status=0
    before=$(cpu_ticks "$name")
    taskset -c "$CLIENT_CPUS" timeout -k 5 $((duration + 30)) \
      h2load -t1 -c "$connections" -m "$streams" -D "$duration" "${url[$name]}" >"$out" 2>&1 || status=$?
    echo $(($(cpu_ticks "$name") - before)) >"$out.cpu"
    # timeout's 124: stopped with SIGTERM; 137: killed 5 s later.
    [ "$status" -eq 124 ] || [ "$status" -eq 137 ] || break
    h2load_hangs=$((h2load_hangs + 1))
    echo "  h2load against $name still ran 30 s after its ${duration}s and was stopped (attempt $attempt of 2)"
  done
  if [ "$status" -ne 0 ] || ! grep -qx "Application protocol: $expected" "$out" || [ "$(succeeded "$out")" -eq 0 ]; then
    echo "h2load (status $status) against $name (${url[$name]}) failed, hung twice or got no HTTP/2 ($expected) answers:" >&2
    tail -n 20 "$out" >&2
    exit 1
  fi
}
# CPU time (user + system, in clock ticks) of NAME's processes: its JVM (JIT compiler and GC
# included), or nginx's master and worker.
cpu_ticks() { # cpu_ticks NAME
  local pids total=0 pid
  case "$1" in
    usher) pids=${usher_pids[0]} ;;
    usher-tls) pids=${usher_pids[1]} ;;
    raw-netty) pids=$raw_pid ;;
    nginx | nginx-tls) pids="$nginx_pid $(pgrep -P "$nginx_pid" | tr '\n' ' ')" ;;
  esac
  for pid in $pids; do
    total=$((total + $(awk '{ print $14 + $15 }' "/proc/$pid/stat")))
  done
  echo "$total"
}
clock_ticks=$(getconf CLK_TCK)
cpu_per_request() { # cpu_per_request OUT: the server's CPU time over the run (OUT.cpu) per request succeeded, in µs
  awk -v t="$(cat "$1.cpu")" -v n="$(succeeded "$1")" -v hz="$clock_ticks" 'BEGIN { if (n > 0) printf "%.2f\n", t / hz * 1e6 / n }'
}
rps() { awk '/^finished in/ { gsub(",", "", $4); print $4 }' "$1"; }
# requests: 1000 total, 1016 started, 1000 done, 1000 succeeded, 0 failed, 0 errored, 0 timeout
succeeded() { awk '/^requests:/ { print $8 + 0 }' "$1"; }
failed() { awk '/^requests:/ { print $10 + 0 }' "$1"; }
errored() { awk '/^requests:/ { print $12 + 0 }' "$1"; }
# status codes: 1000 2xx, 0 3xx, 0 4xx, 0 5xx
not_2xx() { awk '/^status codes:/ { print $5 + $7 + $9 }' "$1"; }

servers=(usher raw-netty nginx usher-tls nginx-tls)
echo "HTTP/2: usher, raw Netty (RawNettyHttp2Hello) and nginx over h2c; usher and nginx over h2 (TLS 1.3, ALPN);" \
  "one worker each on CPU $SERVER_CPUS, h2load on CPU $CLIENT_CPUS; $rounds rounds, ${seconds}s per load," \
  "h2load -t1 -c$connections -m$streams"
echo "  usher over TLS: $(grep -o 'TLS on main: .*' "$work/usher-tls.log" | head -1)"
progress "warm-up (not measured): until each server's rate settles, at most ${warmup_seconds}s"
warm_slice_seconds=$((warmup_seconds < 3 ? warmup_seconds : 3))
warm_slice() { # warm_slice NAME: one slice of warm-up load; prints its requests/s
  h2load_run "$1" "$warm_slice_seconds" "$work/warm-$1"
  rps "$work/warm-$1"
}
declare -A warmed
for name in "${servers[@]}"; do
  warmed[$name]=$(warm_until_steady "$work/warm-rates-$name" "$warmup_seconds" "$warm_slice_seconds" warm_slice "$name")
  echo "  warm-up $name: ${warmed[$name]} s of load (requests/s by slice: $(tr '\n' ' ' <"$work/warm-rates-$name"))"
done
for round in $(seq 1 "$rounds"); do
  # The first server moves one place each round, so that none always runs first or after the same one.
  shift_by=$(((round - 1) % ${#servers[@]}))
  order=("${servers[@]:shift_by}" "${servers[@]:0:shift_by}")
  for name in "${order[@]}"; do
    out="$work/$name-$round"
    h2load_run "$name" "$seconds" "$out"
    printf '  round %s %-10s requests/s %9s  server CPU %5s µs/request  succeeded %8s  failed %s  errored %s  not 2xx %s\n' \
      "$round" "$name" "$(rps "$out")" "$(cpu_per_request "$out")" "$(succeeded "$out")" "$(failed "$out")" "$(errored "$out")" "$(not_2xx "$out")"
  done
done

med() { # med NAME: the median requests/s over the rounds
  for round in $(seq 1 "$rounds"); do rps "$work/$1-$round"; done | median
}
med_cpu() { # med_cpu NAME: the median server CPU time per request over the rounds, in µs
  for round in $(seq 1 "$rounds"); do cpu_per_request "$work/$1-$round"; done | median
}
total() { # total NAME COUNTER: the counter (failed, errored, not_2xx) summed over the rounds
  local sum=0 round
  for round in $(seq 1 "$rounds"); do sum=$((sum + $("$2" "$work/$1-$round"))); done
  echo "$sum"
}
bad() { echo "$(total "$1" failed) / $(total "$1" errored) / $(total "$1" not_2xx)"; }
ratio() { # ratio A B: A / B, or a dash when either is missing or B is 0
  awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "—"; else printf "%.3f\n", a / b }'
}
fmt() { awk -v v="$1" 'BEGIN { if (v == "") print "—"; else if (v >= 100) printf "%.0f\n", v; else printf "%.1f\n", v }'; }
goal() { # goal RATIO MINIMUM: whether the ratio meets the goal
  awk -v r="$1" -v m="$2" 'BEGIN { if (r == "—") print "not measured"; else if (r + 0 >= m + 0) print "met"; else print "NOT met" }'
}

u=$(med usher); r=$(med raw-netty); n=$(med nginx); ut=$(med usher-tls); nt=$(med nginx-tls)
usher_raw=$(ratio "$u" "$r"); usher_nginx=$(ratio "$u" "$n"); usher_nginx_tls=$(ratio "$ut" "$nt")
cu=$(med_cpu usher); cr=$(med_cpu raw-netty); cn=$(med_cpu nginx); cut=$(med_cpu usher-tls); cnt=$(med_cpu nginx-tls)
echo
echo "Machine: $(nproc) cores ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), kernel $(uname -r); medians of $rounds interleaved rounds"
echo
echo "| measure | usher | raw Netty | nginx | usher / raw Netty | usher / nginx |"
echo "|---|---|---|---|---|---|"
printf '| requests/s, h2c prior knowledge (h2load -c%s -m%s) | %s | %s | %s | %s | %s |\n' \
  "$connections" "$streams" "$(fmt "$u")" "$(fmt "$r")" "$(fmt "$n")" "$usher_raw" "$usher_nginx"
printf '| requests/s, h2 over TLS 1.3 (ALPN) | %s | — | %s | — | %s |\n' "$(fmt "$ut")" "$(fmt "$nt")" "$usher_nginx_tls"
printf '| server CPU per request, h2c (µs; lower is better) | %s | %s | %s | %s | %s |\n' \
  "$(fmt "$cu")" "$(fmt "$cr")" "$(fmt "$cn")" "$(ratio "$cu" "$cr")" "$(ratio "$cu" "$cn")"
printf '| server CPU per request, h2 over TLS (µs; lower is better) | %s | — | %s | — | %s |\n' \
  "$(fmt "$cut")" "$(fmt "$cnt")" "$(ratio "$cut" "$cnt")"
printf '| load before the rate settled, h2c (s; lower is better) | %s | %s | %s | %s | %s |\n' \
  "${warmed[usher]}" "${warmed[raw-netty]}" "${warmed[nginx]}" "$(ratio "${warmed[usher]}" "${warmed[raw-netty]}")" "$(ratio "${warmed[usher]}" "${warmed[nginx]}")"
printf '| failed / errored / not 2xx, h2c (h2load, all rounds) | %s | %s | %s | | |\n' "$(bad usher)" "$(bad raw-netty)" "$(bad nginx)"
printf '| failed / errored / not 2xx, h2 over TLS (h2load, all rounds) | %s | — | %s | | |\n' "$(bad usher-tls)" "$(bad nginx-tls)"
echo "h2load runs that hung after their duration (stopped and run again): $h2load_hangs"
echo
echo "Goals (issue 16), by requests/s: usher / raw Netty >= 0.97 over h2c: $usher_raw, $(goal "$usher_raw" 0.97);" \
  "usher / nginx >= 1.0 over h2c: $usher_nginx, $(goal "$usher_nginx" 1.0); over h2 (TLS): $usher_nginx_tls, $(goal "$usher_nginx_tls" 1.0)"
# A server that is given a whole CPU serves 1 / (CPU per request) requests/s: the other's CPU per
# request over usher's is the ratio of those rates, which the neighbours' load moves far less.
cpu_raw=$(ratio "$cr" "$cu"); cpu_nginx=$(ratio "$cn" "$cu"); cpu_nginx_tls=$(ratio "$cnt" "$cut")
echo "The same by server CPU per request (the other's over usher's: the rates with a whole CPU each):" \
  "usher / raw Netty over h2c: $cpu_raw, $(goal "$cpu_raw" 0.97); usher / nginx over h2c: $cpu_nginx, $(goal "$cpu_nginx" 1.0);" \
  "over h2 (TLS): $cpu_nginx_tls, $(goal "$cpu_nginx_tls" 1.0)"
