#!/usr/bin/env python3
"""Runs the HTTP/1.1 conformance rows (deploy/conformance/http1.tsv) against servers over sockets.

usage: conformance.py ROWS NAME=HOST:PORT [NAME=HOST:PORT ...] [--require NAME]

Each row is sent on a new connection; the statuses answered and whether the server then ends the
connection (end of stream or reset within the wait) are compared with the row. Prints a Markdown
table, one column per server, and exits 1 when a server named by --require fails a row.
"""
import argparse
import re
import socket
import sys
import time

QUIET_SECONDS = 0.5  # no more bytes for this long: the server has said all it will
ROW_SECONDS = 5.0  # the most a row may take
STATUS_LINE = re.compile(rb"HTTP/1\.[01] (\d{3})[^\r\n]*\r\n")
CONTENT_LENGTH = re.compile(rb"\r\ncontent-length:[ \t]*(\d+)", re.IGNORECASE)
REPEAT = re.compile(r"\{(\d+)\*([^}]*)}")


def unescape(text):
    text = REPEAT.sub(lambda m: m.group(2) * int(m.group(1)), text)
    out = bytearray()
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            e = text[i + 1]
            i += 2
            if e == "r":
                out += b"\r"
            elif e == "n":
                out += b"\n"
            elif e == "t":
                out += b"\t"
            elif e == "x":
                out.append(int(text[i:i + 2], 16))
                i += 2
            else:
                out += e.encode("latin-1")
        else:
            out += c.encode("latin-1")
            i += 1
    return bytes(out)


def read_rows(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            rule, rfc, sent, statuses, then = line.split("\t")
            expected = [] if statuses == "-" else [int(s) for s in statuses.split(",")]
            rows.append((rule, rfc, unescape(sent), expected, then != "kept"))
    return rows


def exchange(host, port, data, expected_answers):
    """Sends data on a new connection; returns (statuses, whether the server ended it).

    Waits up to ROW_SECONDS for the answers the row expects (a cold server may be slow to give
    its first), then QUIET_SECONDS more for anything else: further answers or the end.
    """
    received = b""
    ended = False
    with socket.create_connection((host, port), timeout=ROW_SECONDS) as s:
        try:
            s.sendall(data)
        except OSError:
            ended = True
        deadline = time.monotonic() + ROW_SECONDS
        while not ended and time.monotonic() < deadline:
            answered = len(statuses(received)) >= expected_answers
            s.settimeout(QUIET_SECONDS if answered else max(0.01, deadline - time.monotonic()))
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                if answered:
                    break
                continue
            except OSError:
                ended = True
                break
            if not chunk:
                ended = True
            received += chunk
    return statuses(received), ended


def statuses(received):
    """The statuses of the answers in received, each answer read by its Content-Length."""
    found = []
    at = 0
    while True:
        line = STATUS_LINE.match(received, at)
        if not line:
            return found
        status = int(line.group(1))
        found.append(status)
        end = received.find(b"\r\n\r\n", line.start())
        if end < 0:
            return found
        length = CONTENT_LENGTH.search(received, line.start(), end + 2)
        no_body = status < 200 or status in (204, 304)
        at = end + 4 + (0 if no_body or not length else int(length.group(1)))


def describe(statuses, ends):
    return (",".join(map(str, statuses)) or "-") + (" close" if ends else " kept")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows")
    parser.add_argument("servers", nargs="+", metavar="NAME=HOST:PORT")
    parser.add_argument("--require", action="append", default=[])
    args = parser.parse_args()
    servers = []
    for spec in args.servers:
        name, _, address = spec.partition("=")
        host, _, port = address.rpartition(":")
        if not name or not host or not port.isdigit():
            parser.error(f"server '{spec}': expected NAME=HOST:PORT")
        servers.append((name, host, int(port)))
    failed = {name: 0 for name, _, _ in servers}
    print("| rule | RFC | expected | " + " | ".join(name for name, _, _ in servers) + " |")
    print("|---|---|---|" + "---|" * len(servers))
    for rule, rfc, data, expected, ends in read_rows(args.rows):
        cells = []
        for name, host, port in servers:
            got = exchange(host, port, data, len(expected))
            ok = got == (expected, ends)
            if not ok:
                failed[name] += 1
            cells.append(describe(*got) + ("" if ok else " **differs**"))
        print(f"| {rule} | {rfc} | {describe(expected, ends)} | " + " | ".join(cells) + " |")
    for name, _, _ in servers:
        print(f"{name}: {failed[name]} row(s) differ")
    sys.exit(1 if any(failed[name] for name in args.require) else 0)


if __name__ == "__main__":
    main()
