#!/usr/bin/env bash
# usher against nginx over TLS, with the same certificate (EC P-256, made here by openssl), the same
# protocol (TLS 1.3 only) and as many workers (usher's worker threads, nginx's worker processes),
# measured in one run and interleaved (usher, nginx, nginx, usher, ...): new TLS connections per
# second with a full handshake each, keep-alive requests per second over TLS, and new connections
# per second from a client that leaves Nagle's algorithm on. Medians over ROUNDS, ratios, each
# server's CPU time per handshake and per request, then usher's own view of the full handshakes:
# server_tls_handshakes_total by result and the server_tls_handshake_duration_seconds histogram.
#
# usage: deploy/loadtest/tls.sh [ROUNDS=3] [SECONDS=8]
# Environment: CONNECTIONS (default 64: the concurrency of every load), WORKERS (default 1),
# PROVIDER (usher's server.tls.provider, default openssl: BoringSSL), WARMUP_SECONDS (default 5, at
# least 1: each load once per server, unmeasured, before the rounds), WARMUP_HANDSHAKES (default
# 20,000: full handshakes usher gets before that; its handshake path runs once per connection, and
# the JIT compiles it only after some 10,000 runs), USHER_OPTS (more -D options for usher; the
# transport is epoll unless they say otherwise).
# The loads:
#   full handshakes   h2load --h1 -n CONNECTIONS -c CONNECTIONS, run again and again for SECONDS:
#                     each connection makes one request and closes, and h2load offers no session of
#                     one connection to another, so every handshake is a full one (usher's
#                     resumption counter checks it); h2load sets TCP_NODELAY. The rate is the
#                     requests over h2load's own time, so that its start-up between runs, when the
#                     server idles, does not count.
#   keep-alive        wrk -t1 -cCONNECTIONS over https.
#   ab, Nagle on      ab -cCONNECTIONS without -k: a full handshake per request too, closed-loop,
#                     but ab leaves Nagle's algorithm on; then ab -c1 for the time one new
#                     connection takes when the server is idle, where Nagle meets BoringSSL's
#                     session tickets, which wait for the server's first write (see the README).
# Servers on SERVER_CPUS, clients on CLIENT_CPUS (CPU 0 and 1 by default). Loopback only; every
# load is bounded in time.
set -euo pipefail
warmup_seconds=${WARMUP_SECONDS:-5} # read before lib.sh, which has a default of its own
source "$(dirname "$0")/lib.sh"
scenario_args "$@"
need openssl openssl
need h2load nghttp2-client
need wrk wrk
need ab apache2-utils
need nginx nginx-light
need taskset util-linux
need curl curl
need python3 python3
rounds=${1:-3}
seconds=${2:-8}
connections=${CONNECTIONS:-64}
warmup_handshakes=${WARMUP_HANDSHAKES:-20000}
workers=${WORKERS:-1}
provider=${PROVIDER:-openssl}
positive_int ROUNDS "$rounds"
positive_int SECONDS "$seconds"
positive_int CONNECTIONS "$connections"
positive_int WARMUP_HANDSHAKES "$warmup_handshakes"
positive_int WORKERS "$workers"
positive_int WARMUP_SECONDS "$warmup_seconds"
case "$provider" in
  auto | openssl | jdk) ;;
  *)
    echo "tls.sh: PROVIDER = '$provider': expected auto, openssl or jdk (see tls.sh -h)" >&2
    exit 2
    ;;
esac
ensure_jar
clock_ticks=$(getconf CLK_TCK)

work=$(mktemp -d)
nginx_pid=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ "$status" -ne 0 ] && [ -n "${USHER_PID:-}" ] && ! kill -0 "$USHER_PID" 2>/dev/null; then
    echo "usher is no longer running; the end of its log:" >&2
    tail -n 30 "$work/usher.log" >&2
  fi
  stop_usher
  [ -n "$nginx_pid" ] && stop_pid "$nginx_pid" 10
  if [ "$status" -ne 0 ]; then
    echo "tls.sh failed with status $status; the run's files are kept in $work" >&2
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

start_usher "$SERVER_CPUS" "$work/usher.log" -Dserver.transport=epoll \
  -Dserver.worker-threads="$workers" -Dserver.tls.provider="$provider" \
  -Dserver.tls.certificate="$work/cert.pem" -Dserver.tls.private-key="$work/key.pem" \
  -Dserver.tls.protocols=TLSv1.3
usher_port=$USHER_PORT

nginx_port=$(free_port)
mkdir -p "$work/nginx"
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes $workers;
worker_rlimit_nofile 65536;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 16384; }
http {
  access_log off;
  keepalive_requests 10000000;
  keepalive_timeout 600s;
  client_body_temp_path $work/nginx;
  server {
    listen 127.0.0.1:$nginx_port ssl backlog=4096;
    ssl_certificate $work/cert.pem;
    ssl_certificate_key $work/key.pem;
    ssl_protocols TLSv1.3;
    location / { default_type text/plain; return 200 "hello from usher\n"; }
  }
}
CONF
taskset -c "$SERVER_CPUS" nginx -c "$work/nginx/nginx.conf" -g 'daemon off;' >"$work/nginx/out.log" 2>&1 &
nginx_pid=$!
for _ in $(seq 1 300); do
  curl -skf -o /dev/null "https://127.0.0.1:$nginx_port/" && break
  if ! kill -0 "$nginx_pid" 2>/dev/null; then
    echo "nginx did not start:" >&2
    cat "$work/nginx/out.log" "$work/nginx/error.log" >&2
    exit 1
  fi
  sleep 0.1
done

port_of() { if [ "$1" = usher ]; then echo "$usher_port"; else echo "$nginx_port"; fi; }

# CPU time (user + system, in clock ticks) of the server's processes: usher's JVM, or nginx's
# master and workers.
cpu_ticks() { # cpu_ticks NAME
  local pids total=0 pid
  if [ "$1" = usher ]; then pids=$USHER_PID; else pids="$nginx_pid $(pgrep -P "$nginx_pid" | tr '\n' ' ')"; fi
  for pid in $pids; do
    total=$((total + $(awk '{ print $14 + $15 }' "/proc/$pid/stat")))
  done
  echo "$total"
}

# h2load_run URL OUT: one h2load run of CONNECTIONS new connections, one request each, appended to
# OUT; fails when h2load does, or when not one request was answered (a server gone).
h2load_run() {
  local status=0
  taskset -c "$CLIENT_CPUS" h2load --h1 -n "$connections" -c "$connections" "$1" >>"$2" 2>&1 || status=$?
  if [ "$status" -ne 0 ] || [ "$(awk '/^requests:/ { n = $8 } END { print n + 0 }' "$2")" -eq 0 ]; then
    echo "h2load (status $status) got no answer from $1:" >&2
    tail -n 20 "$2" >&2
    exit 1
  fi
}
# handshakes URL SECONDS OUT: h2load runs, again and again, until SECONDS have passed.
handshakes() {
  local url=$1 limit=$2 out=$3 end
  : >"$out"
  end=$(($(date +%s%N) + limit * 1000000000))
  while [ "$(date +%s%N)" -lt "$end" ]; do
    h2load_run "$url" "$out"
  done
}
answered() { # answered H2LOAD-OUTPUT: requests answered, summed over the runs
  awk '/^requests:/ { sum += $8 } END { print sum + 0 }' "$1"
}
# handshake_rate H2LOAD-OUTPUT: requests answered over the time h2load measured ("finished in 1.2s,"
# or "850.3ms,"), summed over the runs.
handshake_rate() {
  awk '/^finished in/ {
         t = $3; sub(",", "", t)
         if (t ~ /ms$/) { sub("ms", "", t); t /= 1e3 } else if (t ~ /us$/) { sub("us", "", t); t /= 1e6 } else { sub("s", "", t) }
         time += t
       }
       /^requests:/ { sum += $8 }
       END { if (time > 0) printf "%.0f\n", sum / time }' "$1"
}
ab_rate() { awk '/^Requests per second:/ { printf "%.0f\n", $4 }' "$1"; }
ab_median_ms() { awk '/^Total:/ { print $5 }' "$1"; } # connect to last byte, median

negotiated() { # negotiated PORT: what openssl's client and the server agreed on
  openssl s_client -connect "127.0.0.1:$1" -brief </dev/null 2>&1 |
    awk -F': ' '/^Protocol version/ { p = $2 } /^Ciphersuite/ { c = $2 } /^(Peer|Server) Temp Key/ { k = $2 } END { print p ", " c ", " k }'
}

warm_up_server() { # warm_up_server NAME: every load once, not measured (the JIT compiles usher's TLS path)
  local url="https://127.0.0.1:$(port_of "$1")/"
  if [ "$1" = usher ]; then
    : >"$work/warm-usher-hs"
    while [ "$(answered "$work/warm-usher-hs")" -lt "$warmup_handshakes" ]; do
      h2load_run "$url" "$work/warm-usher-hs"
    done
  fi
  handshakes "$url" "$warmup_seconds" "$work/warm-$1-hs"
  taskset -c "$CLIENT_CPUS" wrk -t1 -c"$connections" -d"${warmup_seconds}s" "$url" >/dev/null
  taskset -c "$CLIENT_CPUS" ab -q -r -c "$connections" -t "$warmup_seconds" -n 10000000 "$url" >/dev/null 2>&1 || true
}

measure() { # measure NAME ROUND
  local name=$1 round=$2 url before
  url="https://127.0.0.1:$(port_of "$name")/"
  if [ "$name" = usher ]; then
    scrape "$work/usher-hs-$round.before.prom" || {
      echo "cannot scrape usher's /metrics (curl status $?)" >&2
      exit 1
    }
  fi
  before=$(cpu_ticks "$name")
  handshakes "$url" "$seconds" "$work/$name-hs-$round"
  echo $(($(cpu_ticks "$name") - before)) >"$work/$name-hs-cpu-$round"
  [ "$name" = usher ] && scrape "$work/usher-hs-$round.after.prom"
  before=$(cpu_ticks "$name")
  taskset -c "$CLIENT_CPUS" wrk -t1 -c"$connections" -d"${seconds}s" "$url" >"$work/$name-ka-$round"
  echo $(($(cpu_ticks "$name") - before)) >"$work/$name-ka-cpu-$round"
  # -r: a reset does not end ab's run (it would, by default, at the first one).
  taskset -c "$CLIENT_CPUS" ab -q -r -c "$connections" -t "$seconds" -n 10000000 "$url" >"$work/$name-ab-$round" 2>&1
  taskset -c "$CLIENT_CPUS" ab -q -r -c 1 -n 50 "$url" >"$work/$name-ab1-$round" 2>&1
  printf '  round %s %-5s full handshakes/s %7s  keep-alive req/s %8s  ab (Nagle on) conn/s %6s, alone %5s ms each\n' \
    "$round" "$name" "$(handshake_rate "$work/$name-hs-$round")" "$(wrk_rps "$work/$name-ka-$round")" \
    "$(ab_rate "$work/$name-ab-$round")" "$(ab_median_ms "$work/$name-ab1-$round")"
}

echo "TLS: usher ($provider) vs nginx, $workers worker(s) each on CPU $SERVER_CPUS, clients on CPU $CLIENT_CPUS;" \
  "$rounds rounds, ${seconds}s per load, $connections connections"
echo "  usher negotiates: $(negotiated "$usher_port")"
echo "  nginx negotiates: $(negotiated "$nginx_port")"
echo "  usher: $(grep -o 'TLS on main: .*' "$work/usher.log" | head -1)"
progress "warm-up (not measured): $warmup_handshakes full handshakes for usher, then ${warmup_seconds}s per load and server"
warm_up_server usher
warm_up_server nginx
for round in $(seq 1 "$rounds"); do
  # Who goes first alternates, so that neither always runs on a machine the other has just warmed.
  if [ $((round % 2)) -eq 1 ]; then order="usher nginx"; else order="nginx usher"; fi
  for name in $order; do
    measure "$name" "$round"
  done
done

med() { # med NAME KIND
  local round ticks count
  for round in $(seq 1 "$rounds"); do
    case "$2" in
      hs) handshake_rate "$work/$1-hs-$round" ;;
      ka) wrk_rps "$work/$1-ka-$round" ;;
      ab) ab_rate "$work/$1-ab-$round" ;;
      ab1) ab_median_ms "$work/$1-ab1-$round" ;;
      hs-cpu | ka-cpu)
        ticks=$(cat "$work/$1-$2-$round")
        if [ "$2" = hs-cpu ]; then
          count=$(answered "$work/$1-hs-$round")
        else
          count=$(awk '/requests in/ { print $1 }' "$work/$1-ka-$round")
        fi
        awk -v t="$ticks" -v n="$count" -v hz="$clock_ticks" 'BEGIN { if (n > 0) printf "%.1f\n", t / hz * 1e6 / n }'
        ;;
    esac
  done | median
}
ratio() { # ratio A B: A / B, or a dash when either is missing or B is 0
  awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "—"; else printf "%.2f\n", a / b }'
}
fmt() { awk -v v="$1" 'BEGIN { if (v == "") print "—"; else if (v >= 100) printf "%.0f\n", v; else printf "%.1f\n", v }'; }

echo
echo "Machine: $(nproc) cores ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), kernel $(uname -r); medians of $rounds interleaved rounds"
echo
echo "| measure | usher | nginx | usher / nginx |"
echo "|---|---|---|---|"
for kind in hs hs-cpu ka ka-cpu ab ab1; do
  u=$(med usher $kind)
  n=$(med nginx $kind)
  case $kind in
    hs) label="full TLS handshakes/s (h2load --h1 -c$connections, a new connection per request)" ;;
    hs-cpu) label="server CPU per full handshake (µs; lower is better)" ;;
    ka) label="keep-alive requests/s over TLS (wrk -t1 -c$connections)" ;;
    ka-cpu) label="server CPU per keep-alive request (µs; lower is better)" ;;
    ab) label="new TLS connections/s, ab -c$connections (full handshakes, Nagle on)" ;;
    ab1) label="one new TLS connection alone, ab -c1 (Nagle on): connect to answer, median ms" ;;
  esac
  printf '| %s | %s | %s | %s |\n' "$label" "$(fmt "$u")" "$(fmt "$n")" "$(ratio "$u" "$n")"
done

echo
echo "usher's view of the full-handshake phases (the change over each measured h2load run, summed):"
echo
client_requests=0
pairs=()
for round in $(seq 1 "$rounds"); do
  client_requests=$((client_requests + $(answered "$work/usher-hs-$round")))
  pairs+=("$work/usher-hs-$round.before.prom" "$work/usher-hs-$round.after.prom")
done
python3 "$LOADTEST_DIR/tls_handshakes.py" "$client_requests" "${pairs[@]}"
