"""What a load client saw, from its own output, as the JSON the report reads (the client view).

usage: client_view.py wrk OUTPUT [--per-request-connections]
       client_view.py h2load OUTPUT LOG-FILE CONNECTIONS
       client_view.py ab OUTPUT STDERR

Keys (each optional): tool, seconds, requests, rps, non_2xx, errors{kind: n}, connections,
connections_exact, concurrency, latency_ms{p50, p90, p99, max, ...}, connect_ms{...}, notes[].
The Python clients of this directory write the same keys themselves.
"""
import json
import re
import sys

from clientstats import percentiles

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}


def _ms(text):
    """wrk's and h2load's durations ('4.17ms', '358.63ms', '1.20s', '51us') in milliseconds."""
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
    if not match:
        raise ValueError(f"not a duration: {text}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def _find(pattern, text, convert=float, default=None):
    match = re.search(pattern, text, re.MULTILINE)
    return convert(match.group(1)) if match else default


def wrk(output, per_request_connections=False):
    text = open(output, encoding="utf-8").read()
    view = {"tool": "wrk"}
    threads_connections = re.search(r"(\d+) threads and (\d+) connections", text)
    if threads_connections:
        view["concurrency"] = int(threads_connections.group(2))
    done = re.search(r"^\s*(\d+) requests in ([\d.]+\w+),", text, re.MULTILINE)
    if not done:
        raise SystemExit(f"{output}: no 'N requests in T' line: did wrk run?")
    view["requests"] = int(done.group(1))
    view["seconds"] = _ms(done.group(2)) / 1e3
    view["rps"] = _find(r"^Requests/sec:\s+([\d.]+)", text)
    latency = {f"p{p}": _ms(v) for p, v in re.findall(r"^\s+(\d+)%\s+([\d.]+\w+)\s*$", text, re.MULTILINE)}
    max_latency = re.search(r"^\s+Latency\s+\S+\s+\S+\s+(\S+)", text, re.MULTILINE)
    if max_latency:
        latency["max"] = _ms(max_latency.group(1))
    view["latency_ms"] = latency
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    view["errors"] = dict(zip(("connect", "read", "write", "timeout"), map(int, errors.groups()))) if errors \
        else {"connect": 0, "read": 0, "write": 0, "timeout": 0}
    view["non_2xx"] = _find(r"Non-2xx or 3xx responses: (\d+)", text, int, 0)
    # wrk connects once to check the address before it opens its -c connections: that one is counted.
    if per_request_connections:
        # With Connection: close every request has its own connection; a failed connect is one too.
        view["connections"] = 1 + view["requests"] + sum(view["errors"].values())
        view["connections_exact"] = False
        view["notes"] = ["connections = 1 address check + requests + socket errors (wrk does not count its "
                         "connects; those open when it stops are not counted)"]
    elif "concurrency" in view:
        view["connections"] = 1 + view["concurrency"]
        view["connections_exact"] = sum(view["errors"].values()) == 0
        view["notes"] = ["connections = 1 address check + -c (wrk reconnects after an error without counting it)"]
    return view


def h2load(output, log_file, connections):
    text = open(output, encoding="utf-8").read()
    view = {"tool": "h2load", "concurrency": connections, "connections": connections,
            "connections_exact": True}
    finished = re.search(r"finished in ([\d.]+\w+), ([\d.]+) req/s", text)
    if not finished:
        raise SystemExit(f"{output}: no 'finished in' line: did h2load run?")
    view["seconds"] = _ms(finished.group(1)) / 1e3
    view["rps"] = float(finished.group(2))
    counts = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, "
                       r"(\d+) errored, (\d+) timeout", text)
    total, started, done, succeeded, failed, errored, timeout = map(int, counts.groups())
    view["requests"] = done
    view["requests_started"] = started
    view["errors"] = {"failed": failed, "errored": errored, "timeout": timeout}
    status = re.search(r"status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx", text)
    view["non_2xx"] = sum(map(int, status.groups()[1:])) if status else 0
    connect = re.search(r"time for connect:\s+(\S+)\s+(\S+)\s+(\S+)", text)
    if connect:
        view["connect_ms"] = {"min": _ms(connect.group(1)), "max": _ms(connect.group(2)),
                              "mean": _ms(connect.group(3))}
    durations = []
    with open(log_file, encoding="utf-8") as log:
        for line in log:
            fields = line.split("\t")
            if len(fields) >= 3:
                durations.append(int(fields[2]) / 1e3)
    view["latency_ms"] = percentiles(durations)
    view["notes"] = [f"{started - done} request(s) still in flight when h2load stopped",
                     "latency per request from h2load's --log-file (includes waiting in the pipeline)"]
    return view


def ab(output, stderr):
    text = open(output, encoding="utf-8").read()
    errors_text = open(stderr, encoding="utf-8").read() if stderr else ""
    view = {"tool": "ab"}
    complete = _find(r"^Complete requests:\s+(\d+)", text, int)
    if complete is None:
        raise SystemExit(f"{output}: no 'Complete requests' line: did ab run?\n{errors_text}")
    failed = _find(r"^Failed requests:\s+(\d+)", text, int, 0)
    view["requests"] = complete - failed
    view["seconds"] = _find(r"^Time taken for tests:\s+([\d.]+)", text)
    view["rps"] = _find(r"^Requests per second:\s+([\d.]+)", text)
    view["concurrency"] = _find(r"^Concurrency Level:\s+(\d+)", text, int)
    view["non_2xx"] = _find(r"^Non-2xx responses:\s+(\d+)", text, int, 0)
    kinds = re.search(r"\(Connect: (\d+), Receive: (\d+), Length: (\d+), Exceptions: (\d+)\)", text)
    view["errors"] = dict(zip(("connect", "receive", "length", "exceptions"), map(int, kinds.groups()))) if kinds \
        else {"failed": failed}
    latency = {f"p{p}": float(v) for p, v in re.findall(r"^\s+(\d+)%\s+(\d+)", text, re.MULTILINE)}
    if "p100" in latency:
        latency["max"] = latency.pop("p100")
    view["latency_ms"] = latency
    connect = re.search(r"^Connect:\s+(\d+)\s+(\d+)\s+[\d.]+\s+(\d+)\s+(\d+)", text, re.MULTILINE)
    if connect:
        view["connect_ms"] = {"min": float(connect.group(1)), "mean": float(connect.group(2)),
                              "p50": float(connect.group(3)), "max": float(connect.group(4))}
    # Without -k, ab opens one connection per request; its complete requests include the failed ones.
    view["connections"] = complete
    view["connections_exact"] = False
    view["notes"] = ["connections = complete requests, failed ones included (ab opens one per request "
                     "and does not count those still open when -t ends)",
                     "ab's latency percentiles are whole milliseconds"]
    resets = len(re.findall(r"reset by peer", errors_text))
    if resets:
        view["notes"].append(f"ab's stderr reports {resets} 'connection reset by peer'")
    return view


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("wrk", "h2load", "ab"):
        raise SystemExit(__doc__)
    kind, output, rest = sys.argv[1], sys.argv[2], sys.argv[3:]
    if kind == "wrk":
        view = wrk(output, "--per-request-connections" in rest)
    elif kind == "h2load":
        view = h2load(output, rest[0], int(rest[1]))
    else:
        view = ab(output, rest[0] if rest else None)
    json.dump(view, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
