#!/usr/bin/env bash
# HTTP/2 conformance: h2spec (github.com/summerwind/h2spec; not in Debian, so name its binary with
# H2SPEC=PATH, or keep it at ../shared/tools/h2spec/h2spec beside the project) against usher's h2c
# (prior knowledge) and h2 over TLS. Prints h2spec's summary for each; exits 1 when a test fails
# that is not one of the known, explained failures below (README: "HTTP/2 conformance").
#
# usage: deploy/loadtest/h2spec.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"
scenario_args "$@"
need openssl openssl
need taskset util-linux
h2spec=${H2SPEC:-$LOADTEST_ROOT/../shared/tools/h2spec/h2spec}
if [ ! -x "$h2spec" ]; then
  echo "h2spec.sh: no h2spec at $h2spec (build it from github.com/summerwind/h2spec, set H2SPEC)" >&2
  exit 2
fi
ensure_jar

# Where usher differs from h2spec, and why (each is Netty's decoder or the shared cleartext port):
#   http2/3.5/2    a bad preface on the cleartext port that is not HTTP/2's is taken for HTTP/1.1 (400)
#   http2/5.1/6    HEADERS on a half-closed (remote) stream whose answer was already sent: Netty resets it
#   http2/5.1/12   HEADERS on a closed stream: Netty answers RST_STREAM, not a connection error
#   http2/5.1.1/2  a stream id lower than one already used: Netty ignores it (nghttpd does the same)
known='http2/3.5/2 http2/5.1/6 http2/5.1/12 http2/5.1.1/2'

work=$(mktemp -d)
cleanup() {
  stop_usher
  rm -rf "$work"
}
trap cleanup EXIT
self_signed_certificate "$work"

failed=0
run() { # run NAME H2SPEC-OPTIONS...
  local name=$1
  shift
  "$h2spec" -h 127.0.0.1 -p "$USHER_PORT" -o 3 -j "$work/$name.xml" "$@" >"$work/$name.txt" 2>&1 || true
  echo "$name: $(grep -E '^[0-9]+ tests' "$work/$name.txt")"
  python3 - "$work/$name.xml" "$known" <<'PY' || failed=1
import sys, xml.etree.ElementTree as ET
known = set(sys.argv[2].split())
unexpected = []
for suite in ET.parse(sys.argv[1]).getroot().iter("testsuite"):
    section = suite.get("package", "")
    for index, case in enumerate(suite.iter("testcase"), 1):
        if case.find("failure") is not None or case.find("error") is not None:
            ident = f"{section}/{index}"
            mark = "known" if ident in known else "NEW"
            print(f"  {mark:5} {ident} {suite.get('name')}: {case.get('name') or case.get('classname')}")
            if ident not in known:
                unexpected.append(ident)
sys.exit(1 if unexpected else 0)
PY
}

start_usher "$SERVER_CPUS" "$work/h2c.log"
run h2c
stop_usher
start_usher "$SERVER_CPUS" "$work/h2.log" -Dserver.tls.certificate="$work/cert.pem" \
  -Dserver.tls.private-key="$work/key.pem"
run h2-tls -t -k
stop_usher
if [ "$failed" -ne 0 ]; then
  echo "h2spec.sh: a failure that is not one of the known ones" >&2
  exit 1
fi
echo "h2spec.sh: only the known, explained failures"
