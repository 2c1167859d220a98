#!/usr/bin/env bash
# usher against its peers, measured in one run and interleaved (usher, raw Netty, nginx, usher, ...):
# keep-alive, pipelined and new-connection rates, p99 latency, memory per idle connection at
# 20,000 open connections (never used, and idle after one request), and start-to-ready time
# (plain, and with each JVM's ahead-of-time cache). Medians over ROUNDS, and ratios.
#
# usage: deploy/loadtest/peers-benchmark.sh [ROUNDS=3] [SECONDS=8]
# Environment: IDLE_CONNECTIONS (default 20,000, or what the descriptor limit allows) and
# WARMUP_SECONDS (default 60, at least 1: the most load each server gets, keep-alive and then
# pipelined, before they are measured; each warm-up stops once its rate has settled, in slices of
# 3 s, or WARMUP_SECONDS when that is shorter; the new-connection warm-up is one slice).
# Every server gets CPU 0 (usher and raw Netty: 1 boss + 1 worker thread, epoll; usher reuseport:
# 1 loop that accepts and serves; nginx: 1 worker),
# the load generator CPU 1. Loopback only; every run is bounded in time.
set -euo pipefail
warmup_seconds=${WARMUP_SECONDS:-60} # read before lib.sh, which has a default of its own
source "$(dirname "$0")/lib.sh"
scenario_args "$@"
need wrk wrk
need h2load nghttp2-client
need nginx nginx-light
need taskset util-linux
need curl curl
need bc bc
need python3 python3
rounds=${1:-3}
seconds=${2:-8}
positive_int ROUNDS "$rounds"
positive_int SECONDS "$seconds"
positive_int WARMUP_SECONDS "$warmup_seconds"
warm_slice_seconds=$((warmup_seconds < 3 ? warmup_seconds : 3))
# Each process here may hold at most `ulimit -Hn` descriptors (20,000 on these machines, and no
# CAP_SYS_RESOURCE to raise it): the server needs a few hundred of its own beside the connections.
hard_limit=$(ulimit -Hn)
default_idle=20000
[ "$hard_limit" != unlimited ] && [ "$hard_limit" -le $((default_idle + 500)) ] && default_idle=$((hard_limit - 1000))
idle_connections=${IDLE_CONNECTIONS:-$default_idle}
positive_int IDLE_CONNECTIONS "$idle_connections"
if [ "$idle_connections" -lt 2 ]; then
  echo "peers-benchmark.sh: IDLE_CONNECTIONS = '$idle_connections': expected 2 or more (two clients hold half each)" >&2
  exit 2
fi
if [ -n "${BENCH_JAR:-}" ] && [ ! -f "$BENCH_JAR" ]; then
  echo "peers-benchmark.sh: BENCH_JAR = '$BENCH_JAR': no such file" >&2
  exit 2
fi
ensure_jar
BENCH_JAR=${BENCH_JAR:-$LOADTEST_ROOT/benchmarks/target/usher-benchmarks.jar}
[ -f "$BENCH_JAR" ] || (cd "$LOADTEST_ROOT" && JAVA_HOME=$(java_home) ./mvnw -q -B package -DskipTests)
JAVA="$(java_home)/bin/java"
JVM_HEAP="-Xms512m -Xmx512m -XX:+AlwaysPreTouch"
jvm_extra="" # more JVM options for the next start_server: the ahead-of-time cache

work=$(mktemp -d)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  [ -f "$work/nginx/nginx.pid" ] && kill "$(cat "$work/nginx/nginx.pid")" 2>/dev/null || true
  pkill -f "hold_connections.py 127.0.0.1" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

now_ms() { date +%s%3N; }

await_ready() { # await_ready PORT: waits for a 200, at most 30 s
  for _ in $(seq 1 3000); do
    curl -sf -o /dev/null "http://127.0.0.1:$1/" && return 0
    sleep 0.01
  done
  echo "server on port $1 did not become ready" >&2
  exit 1
}

# Memory a server holds, in bytes: resident memory, plus for a JVM its live heap after a full GC
# (the JVMs run with a fixed, pre-touched heap, so their RSS does not move with the heap).
held_bytes() { # held_bytes NAME PID...
  local name=$1
  shift
  local live=0
  if [ "$name" != nginx ]; then
    live=$("$(java_home)/bin/jcmd" "$1" GC.class_histogram 2>/dev/null | awk '/^Total/ { print $3 }')
  fi
  echo $(($(rss_kib "$@") * 1024 + ${live:-0}))
}

rss_kib() { # rss_kib PID...: resident memory of these processes, summed
  local total=0 pid
  for pid in "$@"; do
    total=$((total + $(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")))
  done
  echo "$total"
}

start_server() { # start_server NAME PORT: sets server_pid and server_pids (for memory)
  local name=$1 port=$2
  case "$name" in
    usher | usher-reuseport)
      local mode=boss
      [ "$name" = usher-reuseport ] && mode=reuseport
      taskset -c 0 "$JAVA" $JVM_HEAP $jvm_extra -Dserver.accept-mode=$mode -Dserver.host=127.0.0.1 -Dserver.port="$port" -Dadmin.host=127.0.0.1 \
        -Dadmin.port=0 -Dserver.transport=epoll -Dserver.worker-threads=1 \
        -Dserver.max-connections=$((idle_connections + 5000)) -Dserver.idle-timeout=10m \
        -jar "$USHER_JAR" >"$work/$name.log" 2>&1 &
      server_pid=$!
      server_pids=$server_pid
      ;;
    raw-netty)
      taskset -c 0 "$JAVA" $JVM_HEAP $jvm_extra --enable-native-access=ALL-UNNAMED -cp "$BENCH_JAR" dev.usher.bench.RawNettyHello \
        "$port" epoll 1 1 >"$work/$name.log" 2>&1 &
      server_pid=$!
      server_pids=$server_pid
      ;;
    nginx)
      mkdir -p "$work/nginx"
      cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 1;
worker_cpu_affinity 01;
worker_rlimit_nofile 65536;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections $((idle_connections + 5000)); }
http {
  access_log off;
  keepalive_requests 10000000;
  keepalive_timeout 600s;
  client_body_temp_path $work/nginx;
  server {
    listen 127.0.0.1:$port backlog=4096;
    location / { default_type text/plain; return 200 "hello from usher\n"; }
  }
}
CONF
      taskset -c 0 nginx -c "$work/nginx/nginx.conf" -g 'daemon off;' >"$work/$name.log" 2>&1 &
      server_pid=$!
      ;;
  esac
}

stop_server() {
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

# JDK 25's ahead-of-time cache (JEP 483, 514), as usher's container image uses it: a training run
# of each JVM server before the rounds stores the classes it loaded and linked; each round then
# times one more start with it. nginx has no such thing: its row repeats its plain start.
train_aot() { # train_aot NAME: writes $work/NAME.aot
  local name=$1 port
  [ "$name" = nginx ] && return 0
  port=$(free_port)
  jvm_extra="-XX:AOTCacheOutput=$work/$name.aot"
  start_server "$name" "$port"
  jvm_extra=""
  await_ready "$port"
  stop_server # the JVM writes the cache as it exits
  [ -s "$work/$name.aot" ] || {
    echo "$name: no AOT cache written (see $work/$name.log)" >&2
    exit 1
  }
}

time_aot_start() { # time_aot_start NAME ROUND
  local name=$1 round=$2 port started
  if [ "$name" = nginx ]; then
    cp "$work/nginx-start-$round" "$work/nginx-aot-$round"
    return 0
  fi
  port=$(free_port)
  started=$(now_ms)
  # AOTMode=on: a cache the JVM cannot use fails the start rather than being ignored.
  jvm_extra="-XX:AOTMode=on -XX:AOTCache=$work/$name.aot"
  start_server "$name" "$port"
  jvm_extra=""
  await_ready "$port"
  echo $(($(now_ms) - started)) >"$work/$name-aot-$round"
  stop_server
}

run_server() { # run_server NAME ROUND
  local name=$1 round=$2 port
  port=$(free_port)
  local started
  started=$(now_ms)
  start_server "$name" "$port"
  await_ready "$port"
  echo $(($(now_ms) - started)) >"$work/$name-start-$round"
  if [ "$name" = nginx ]; then
    server_pids="$server_pid $(pgrep -P "$server_pid" | tr '\n' ' ')"
  fi
  local url="http://127.0.0.1:$port/"
  # Warm-up of every load before any is measured, until its rate settles: the JIT compiles on the
  # server's one CPU, and a JVM measured before its hot paths are compiled is measured for its
  # compiler.
  warm_until_steady "$work/$name-warm-ka-rates-$round" "$warmup_seconds" "$warm_slice_seconds" \
    keep_alive_rate "$url" >"$work/$name-warmka-$round"
  warm_until_steady "$work/$name-warm-pipe-rates-$round" "$warmup_seconds" "$warm_slice_seconds" \
    pipelined_rate "$url" >"$work/$name-warmpipe-$round"
  taskset -c 1 wrk -t1 -c64 -d"${warm_slice_seconds}s" -H 'Connection: close' "$url" >/dev/null
  taskset -c 1 wrk -t1 -c64 -d"${seconds}s" --latency "$url" >"$work/$name-ka-$round"
  taskset -c 1 h2load --h1 -t1 -c64 -m16 -D "$seconds" "$url" >"$work/$name-pipe-$round" 2>&1
  taskset -c 1 wrk -t1 -c64 -d"${seconds}s" -H 'Connection: close' "$url" >"$work/$name-nc-$round"
  # The first hold warms what a burst of connections runs for the first time (a JVM compiles its
  # accept and set-up paths, and the compiler's memory shows in RSS): only the second is measured.
  hold_idle_connections "$port" "$work/warm-$name-$round" $((idle_connections / 2))
  release_idle_connections
  measure_held_connections "$name" "$port" "$work/$name-mem-$round"
  # The same, for keep-alive connections that have each served one request and sit idle.
  measure_held_connections "$name" "$port" "$work/$name-used-$round" request
  stop_server
  time_aot_start "$name" "$round"
  printf '  round %s %-15s keep-alive %8.0f  pipelined %8.0f  new-conn %7.0f  p99 %7s  mem/conn %6s B (after a request %6s B)  start %5s ms (AOT cache %5s ms)  warm-up %s + %s s\n' \
    "$round" "$name" "$(wrk_rps "$work/$name-ka-$round")" "$(pipelined_rps "$work/$name-pipe-$round")" \
    "$(wrk_rps "$work/$name-nc-$round")" "$(p99 "$work/$name-ka-$round")" "$(cat "$work/$name-mem-$round")" "$(cat "$work/$name-used-$round")" \
    "$(cat "$work/$name-start-$round")" "$(cat "$work/$name-aot-$round")" \
    "$(cat "$work/$name-warmka-$round")" "$(cat "$work/$name-warmpipe-$round")"
}

# measure_held_connections NAME PORT OUT [request]: bytes the server holds per idle connection,
# into OUT: its memory before and while it holds idle_connections of them.
measure_held_connections() {
  local name=$1 port=$2 out=$3 request=${4:-} half=$((idle_connections / 2)) before after
  sleep 2
  # shellcheck disable=SC2086
  before=$(held_bytes "$name" $server_pids)
  hold_idle_connections "$port" "$out.ready" "$half" $request
  sleep 2
  # shellcheck disable=SC2086
  after=$(held_bytes "$name" $server_pids)
  echo "($after - $before) / ($half * 2)" | bc >"$out"
  release_idle_connections
}

holders=()
hold_idle_connections() { # hold_idle_connections PORT READY_PREFIX HALF [request]: two clients, HALF each
  local port=$1 ready=$2 half=$3 request=${4:-}
  holders=()
  # Two client processes, each well inside its own descriptor limit.
  for part in 1 2; do
    taskset -c 1 python3 "$(dirname "$0")/hold_connections.py" 127.0.0.1 "$port" "$half" 120 "$ready-$part" $request &
    holders+=($!)
  done
  for _ in $(seq 1 1200); do
    [ -f "$ready-1" ] && [ -f "$ready-2" ] && return 0
    sleep 0.1
  done
  # A client that failed (a refused connection, an answer other than 200) never gets ready: a
  # measurement now would divide by connections that are not there.
  echo "the idle-connection clients did not get ready in 120 s (port $port${request:+, one request each})" >&2
  exit 1
}

release_idle_connections() {
  kill "${holders[@]}" 2>/dev/null || true
  wait "${holders[@]}" 2>/dev/null || true
  holders=()
}

keep_alive_rate() { # keep_alive_rate URL: one slice of keep-alive warm-up; prints its requests/s
  taskset -c 1 wrk -t1 -c64 -d"${warm_slice_seconds}s" "$1" >"$work/warm-slice"
  wrk_rps "$work/warm-slice"
}
pipelined_rate() { # pipelined_rate URL: one slice of pipelined warm-up; prints its requests/s
  taskset -c 1 h2load --h1 -t1 -c64 -m16 -D "$warm_slice_seconds" "$1" >"$work/warm-slice" 2>&1
  pipelined_rps "$work/warm-slice"
}
pipelined_rps() { awk '/^finished in/ { gsub(",", "", $4); print $4 }' "$1"; }
p99() { awk '$1 == "99%" { print $2 }' "$1"; }
p99_ms() { # wrk prints 1.23ms / 850.00us / 1.10s
  p99 "$1" | awk '/us$/ { sub("us", ""); print $1 / 1000; next } /ms$/ { sub("ms", ""); print $1; next } /s$/ { sub("s", ""); print $1 * 1000 }'
}

servers=(usher usher-reuseport raw-netty nginx)
echo "peers: ${servers[*]}; $rounds rounds, ${seconds}s per load, $idle_connections idle connections"
for name in "${servers[@]}"; do
  train_aot "$name"
done
for round in $(seq 1 "$rounds"); do
  for name in "${servers[@]}"; do
    run_server "$name" "$round"
  done
done

med() { # med NAME KIND
  for round in $(seq 1 "$rounds"); do
    case "$2" in
      ka | nc) wrk_rps "$work/$1-$2-$round" ;;
      pipe) pipelined_rps "$work/$1-pipe-$round" ;;
      p99) p99_ms "$work/$1-ka-$round" ;;
      mem | used | start | aot | warmka | warmpipe) cat "$work/$1-$2-$round" ;;
    esac
  done | median
}

ratio() { # ratio A B: A / B, or a dash when either is missing or B is 0 (nginx holds no memory
  # per connection below the worker_connections it allocates at start)
  if [ -z "$1" ] || [ -z "$2" ] || [ "$(echo "$2 == 0" | bc)" = 1 ]; then
    echo "—"
  else
    awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f\n", a / b }'
  fi
}
echo
echo "Machine: $(nproc) cores ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), $(free -g | awk '/Mem:/ { print $2 }') GiB, kernel $(uname -r); medians of $rounds interleaved rounds"
echo
echo "| measure | usher | usher reuseport | raw Netty | nginx | usher / raw Netty | usher / nginx | usher reuseport / nginx |"
echo "|---|---|---|---|---|---|---|---|"
for kind in ka pipe nc p99 mem used start aot warmka warmpipe; do
  u=$(med usher $kind); p=$(med usher-reuseport $kind); r=$(med raw-netty $kind); n=$(med nginx $kind)
  case $kind in
    ka) label="keep-alive requests/s (wrk -t1 -c64)" ;;
    pipe) label="pipelined requests/s (h2load --h1 -m16 -c64)" ;;
    nc) label="new connections/s (wrk -H 'Connection: close')" ;;
    p99) label="p99 latency, keep-alive (ms)" ;;
    mem) label="memory per idle connection at $idle_connections, never used (bytes: RSS + live heap)" ;;
    used) label="memory per idle keep-alive connection at $idle_connections, after one request (bytes)" ;;
    start) label="start to first 200 (ms)" ;;
    aot) label="start to first 200 with an AOT cache (ms; nginx: its plain start)" ;;
    warmka) label="load before the keep-alive rate settled (s; lower is better)" ;;
    warmpipe) label="then load before the pipelined rate settled (s; lower is better)" ;;
  esac
  printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$label" "$u" "$p" "$r" "$n" "$(ratio "$u" "$r")" "$(ratio "$u" "$n")" "$(ratio "$p" "$n")"
done
