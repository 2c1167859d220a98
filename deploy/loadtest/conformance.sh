#!/usr/bin/env bash
# The HTTP/1.1 conformance rows (deploy/conformance/http1.tsv, the table usher's own tests run) over
# real sockets, against usher and against nginx with the same limits, side by side. Exits 1 when
# usher fails a row; where nginx differs is printed, not failed (README: "Conformance").
#
# usage: deploy/loadtest/conformance.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"
scenario_args "$@"
need python3 python3
need nginx nginx-light
need taskset util-linux
ensure_jar
rows=$LOADTEST_ROOT/deploy/conformance/http1.tsv

work=$(mktemp -d)
nginx_pid=""
cleanup() {
  stop_usher
  [ -n "$nginx_pid" ] && stop_pid "$nginx_pid" 5
  rm -rf "$work"
}
trap cleanup EXIT

# The limits the rows assume: a 256-byte request line, a 512-byte header block, a 1 KiB body.
start_usher "$SERVER_CPUS" "$work/usher.log" -Dhttp.max-initial-line-bytes=256 \
  -Dhttp.max-header-bytes=512 -Dhttp.max-body-bytes=1KiB -Dserver.lingering-timeout=1s

nginx_port=$(free_port)
mkdir -p "$work/nginx"
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log crit;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path $work/nginx;
  client_header_buffer_size 256;
  large_client_header_buffers 2 512;
  client_max_body_size 1k;
  lingering_timeout 1s;
  server {
    listen 127.0.0.1:$nginx_port;
    server_name usher;
    location = / { default_type text/plain; return 200 "hello from usher\n"; }
    location = /echo { default_type text/plain; return 200 "echo\n"; }
    location / { return 404; }
  }
}
CONF
taskset -c "$SERVER_CPUS" nginx -c "$work/nginx/nginx.conf" -g 'daemon off;' >"$work/nginx.log" 2>&1 &
nginx_pid=$!
for _ in $(seq 1 50); do
  python3 -c "import socket; socket.create_connection(('127.0.0.1', $nginx_port), 1).close()" 2>/dev/null && break
  sleep 0.1
done

taskset -c "$CLIENT_CPUS" python3 "$LOADTEST_DIR/conformance.py" "$rows" \
  "usher=127.0.0.1:$USHER_PORT" "nginx=127.0.0.1:$nginx_port" --require usher
