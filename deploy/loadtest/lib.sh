# Shared by the load-test scripts: build, start and stop usher, scrape it, check tools.
# Every server started here listens on 127.0.0.1 only, and every load is bounded in time.

LOADTEST_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
USHER_JAR="$LOADTEST_ROOT/server/target/usher-server.jar"

need() { # need PROGRAM DEBIAN-PACKAGE
  if ! command -v "$1" >/dev/null 2>&1; then
    echo "$1 is missing: apt-get install $2" >&2
    exit 3
  fi
}

java_home() {
  if [ -n "${JAVA_HOME:-}" ] && "$JAVA_HOME/bin/java" -version 2>&1 | grep -q 'version "2[5-9]'; then
    echo "$JAVA_HOME"
  elif [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]; then
    echo /usr/lib/jvm/temurin-25-jdk-amd64
  else
    echo "no JDK 25: set JAVA_HOME" >&2
    exit 3
  fi
}

ensure_jar() {
  if [ ! -f "$USHER_JAR" ]; then
    echo "building $USHER_JAR ..."
    (cd "$LOADTEST_ROOT" && JAVA_HOME=$(java_home) ./mvnw -q -B package -DskipTests)
  fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_usher CPUSET LOGFILE [-Dkey=value ...]: starts usher pinned to CPUSET on free ports and
# sets USHER_PID, USHER_PORT, ADMIN_PORT once it accepts.
start_usher() {
  local cpus=$1 log=$2
  shift 2
  USHER_PORT=$(free_port)
  ADMIN_PORT=$(free_port)
  taskset -c "$cpus" "$(java_home)/bin/java" -Dserver.host=127.0.0.1 -Dadmin.host=127.0.0.1 \
    -Dserver.port="$USHER_PORT" -Dadmin.port="$ADMIN_PORT" "$@" -jar "$USHER_JAR" >"$log" 2>&1 &
  USHER_PID=$!
  for _ in $(seq 1 300); do
    if grep -q "accepting connections" "$log"; then
      return 0
    fi
    if ! kill -0 "$USHER_PID" 2>/dev/null; then
      echo "usher did not start:" >&2
      cat "$log" >&2
      exit 1
    fi
    sleep 0.1
  done
  echo "usher did not start within 30 s" >&2
  exit 1
}

stop_usher() {
  kill -TERM "$USHER_PID" 2>/dev/null || true
  wait "$USHER_PID" 2>/dev/null || true
}

scrape() { # scrape FILE
  curl -sf "http://127.0.0.1:$ADMIN_PORT/metrics" >"$1"
}

# metric FILE NAME [LABEL-FILTER]: the first sample of NAME whose labels match LABEL-FILTER.
metric() {
  local file=$1 name=$2 filter=${3:-}
  awk -v name="$name" -v filter="$filter" '
    $0 !~ /^#/ {
      split($1, parts, "{")
      if (parts[1] == name && index($1, filter) > 0) { print $2; exit }
    }' "$file"
}

median() {
  sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# wrk_rps OUTPUT: requests/s from wrk's summary.
wrk_rps() {
  awk '/^Requests\/sec:/ { print $2 }' "$1"
}
