#!/usr/bin/env python3
"""A request-smuggling scanner: the classic CL.TE, TE.CL, TE.TE and CL.CL variants, each sent on a
new connection with a second request hidden where one reading of the framing finds a request and
the other finds body bytes. A server in front of usher that read the framing the other way would
forward the hidden request as part of a body, and usher would answer it as a request of its own:
that is request smuggling (RFC 9112 6.3, 11.2). Debian packages no such scanner; this one uses the
standard library only.

usage: smuggle.py NAME=HOST:PORT [NAME=HOST:PORT ...] [--require NAME] [--out FILE.json]

For each variant and server, it reads every answer until the server closes or falls silent, and
gives a verdict:
  refused    one error answer (400, 501, ...) and the connection closed: nothing after the
             ambiguous request was read as a request (RFC 9112 6.1, 6.3: reject and close);
  safe       answered as one request whose body swallowed the hidden bytes (only one answer), or
             the framing is not ambiguous (the variant says so);
  SMUGGLED   an answer to the hidden request: the server read bytes that one framing calls body
             as a request of their own.
Two controls run first, unambiguous pipelined requests that must get two answers: they prove the
scanner sees a second answer when there is one. Exits 1 when a --require'd server has a SMUGGLED
variant or fails a control. Prints a Markdown table.
"""
import argparse
import json
import re
import socket
import sys
import time

QUIET_SECONDS = 1.0  # no more bytes for this long: the server has said all it will
VARIANT_SECONDS = 5.0
STATUS_LINE = re.compile(rb"HTTP/1\.[01] (\d{3})[^\r\n]*\r\n")
CONTENT_LENGTH = re.compile(rb"\r\ncontent-length:[ \t]*(\d+)", re.IGNORECASE)

HIDDEN = b"GET /smuggled HTTP/1.1\r\nHost: smuggler\r\n\r\n"
LAST_CHUNK_THEN_HIDDEN = b"0\r\n\r\n" + HIDDEN


def head(request_line, *fields):
    return request_line + b"\r\nHost: smuggler\r\n" + b"".join(f + b"\r\n" for f in fields) + b"\r\n"


def cl_te(te_field, request_line=b"POST /echo HTTP/1.1"):
    """Content-Length covers the whole body; chunked (if honoured) ends it at 0, before HIDDEN."""
    body = LAST_CHUNK_THEN_HIDDEN
    return head(request_line, b"Content-Length: %d" % len(body), te_field) + body


def te_cl(te_field):
    """Chunked carries HIDDEN inside a chunk; Content-Length 4 (if honoured) ends the body before it."""
    body = b"%x\r\n" % len(HIDDEN) + HIDDEN + b"\r\n0\r\n\r\n"
    return head(b"POST /echo HTTP/1.1", te_field, b"Content-Length: 4") + body


def chunked_then_hidden(chunks):
    """A chunked body whose chunk syntax is bent; HIDDEN follows the last chunk."""
    return head(b"POST /echo HTTP/1.1", b"Transfer-Encoding: chunked") + chunks + HIDDEN


# (name, technique, bytes, ambiguous). In an ambiguous variant one reading of the framing finds
# HIDDEN as a request of its own; a safe server refuses, or answers once and reads HIDDEN as body.
VARIANTS = [
    ("CL.TE", "Content-Length and Transfer-Encoding: chunked; the chunked body ends before the hidden request",
     cl_te(b"Transfer-Encoding: chunked"), True),
    ("TE.CL", "Transfer-Encoding: chunked and Content-Length: 4; the hidden request is inside a chunk",
     te_cl(b"Transfer-Encoding: chunked"), True),
    ("CL.CL differing", "Content-Length: 0 and Content-Length: N; the hidden request is the N bytes",
     head(b"POST /echo HTTP/1.1", b"Content-Length: 0", b"Content-Length: %d" % len(HIDDEN)) + HIDDEN, True),
    ("CL.CL same value", "Content-Length: 5 twice; the hidden request follows the 5 bytes",
     head(b"POST /echo HTTP/1.1", b"Content-Length: 5", b"Content-Length: 5") + b"hello" + HIDDEN, True),
    ("CL list", "Content-Length: 0, N (one field, two values)",
     head(b"POST /echo HTTP/1.1", b"Content-Length: 0, %d" % len(HIDDEN)) + HIDDEN, True),
    ("CL with a sign", "Content-Length: +N", head(b"POST /echo HTTP/1.1", b"Content-Length: +%d" % len(HIDDEN)) + HIDDEN,
     True),
    ("CL space before colon", "Content-Length : N",
     head(b"POST /echo HTTP/1.1", b"Content-Length : %d" % len(HIDDEN)) + HIDDEN, True),
    ("TE.TE space before colon", "Transfer-Encoding : chunked, with Content-Length", cl_te(b"Transfer-Encoding : chunked"), True),
    ("TE.TE xchunked", "Transfer-Encoding: xchunked, with Content-Length", cl_te(b"Transfer-Encoding: xchunked"), True),
    ("TE.TE tab", "Transfer-Encoding:<TAB>chunked, with Content-Length", cl_te(b"Transfer-Encoding:\tchunked"), True),
    ("TE.TE vertical tab", "Transfer-Encoding:<VT>chunked, with Content-Length", cl_te(b"Transfer-Encoding:\x0bchunked"), True),
    ("TE.TE two fields, chunked first", "Transfer-Encoding: chunked and Transfer-Encoding: x, with Content-Length",
     cl_te(b"Transfer-Encoding: chunked\r\nTransfer-Encoding: x"), True),
    ("TE.TE two fields, chunked last", "Transfer-Encoding: x and Transfer-Encoding: chunked, with Content-Length",
     cl_te(b"Transfer-Encoding: x\r\nTransfer-Encoding: chunked"), True),
    ("TE.TE chunked twice", "Transfer-Encoding: chunked, chunked, with Content-Length",
     cl_te(b"Transfer-Encoding: chunked, chunked"), True),
    ("TE.TE identity, chunked", "Transfer-Encoding: identity, chunked, with Content-Length",
     cl_te(b"Transfer-Encoding: identity, chunked"), True),
    ("TE.TE upper case", "Transfer-Encoding: CHUNKED, with Content-Length", cl_te(b"Transfer-Encoding: CHUNKED"), True),
    ("TE.TE quoted", "Transfer-Encoding: \"chunked\", with Content-Length", cl_te(b'Transfer-Encoding: "chunked"'), True),
    ("TE.TE obs-fold", "Transfer-Encoding:<CRLF><SP>chunked (a folded line), with Content-Length",
     cl_te(b"Transfer-Encoding:\r\n chunked"), True),
    ("TE.TE leading space", "<SP>Transfer-Encoding: chunked (a line starting with a space), with Content-Length",
     cl_te(b" Transfer-Encoding: chunked"), True),
    ("TE.TE bare LF", "the Transfer-Encoding line after a bare LF, with Content-Length",
     cl_te(b"X-Pad: x\nTransfer-Encoding: chunked"), True),
    ("TE.TE NUL", "Transfer-Encoding: chunked<NUL>, with Content-Length", cl_te(b"Transfer-Encoding: chunked\x00"), True),
    ("TE.CL xchunked", "Transfer-Encoding: xchunked and Content-Length: 4; the hidden request is inside a chunk",
     te_cl(b"Transfer-Encoding: xchunked"), True),
    ("TE in HTTP/1.0", "HTTP/1.0 with Transfer-Encoding: chunked and Content-Length",
     cl_te(b"Transfer-Encoding: chunked", b"POST /echo HTTP/1.0"), True),
    ("chunk size overflow", "a chunk size of 17 hex digits (wraps a 64-bit counter)",
     chunked_then_hidden(b"10000000000000005\r\nhello\r\n0\r\n\r\n"), True),
    ("chunk size 0x", "a chunk size written 0x5", chunked_then_hidden(b"0x5\r\nhello\r\n0\r\n\r\n"), True),
    ("chunk bare LF", "chunk lines ended by bare LF", chunked_then_hidden(b"5\nhello\n0\n\n"), True),
    ("chunk longer than its size", "a chunk of size 3 carrying 5 bytes", chunked_then_hidden(b"3\r\nhello\r\n0\r\n\r\n"),
     True),
    ("CL.0 (GET with a body)", "GET with Content-Length: N; the hidden request is the N bytes",
     head(b"GET / HTTP/1.1", b"Content-Length: %d" % len(HIDDEN)) + HIDDEN, False),
    ("TE.0 (GET with a chunked body)", "GET with Transfer-Encoding: chunked; the hidden request is inside a chunk",
     head(b"GET / HTTP/1.1", b"Transfer-Encoding: chunked") + b"%x\r\n" % len(HIDDEN) + HIDDEN + b"\r\n0\r\n\r\n",
     False),
]

CONTROLS = [
    ("control: two pipelined GETs", head(b"GET / HTTP/1.1") + HIDDEN),
    ("control: chunked POST, then a GET", head(b"POST /echo HTTP/1.1", b"Transfer-Encoding: chunked") + LAST_CHUNK_THEN_HIDDEN),
]


def exchange(host, port, data):
    """Sends data on a new connection; returns (statuses answered, whether the server ended it)."""
    received = b""
    ended = False
    with socket.create_connection((host, port), timeout=VARIANT_SECONDS) as s:
        try:
            s.sendall(data)
        except OSError:
            ended = True
        deadline = time.monotonic() + VARIANT_SECONDS
        while not ended and time.monotonic() < deadline:
            s.settimeout(QUIET_SECONDS)
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            except OSError:
                ended = True
                break
            if not chunk:
                ended = True
            received += chunk
    return statuses(received), ended


def statuses(received):
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


def verdict(answers, ended, ambiguous):
    if len(answers) >= 2:
        return "SMUGGLED" if ambiguous else "safe (not ambiguous)"
    if len(answers) == 1 and answers[0] >= 400 and ended:
        return "refused"
    if len(answers) == 1 and answers[0] >= 400:
        return "refused, kept open"
    if len(answers) == 1:
        return "safe (one answer)" + (", closed" if ended else "")
    return "no answer" + (", closed" if ended else "")


def describe(answers, ended):
    return (",".join(map(str, answers)) or "-") + (" close" if ended else " kept")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("servers", nargs="+", metavar="NAME=HOST:PORT")
    parser.add_argument("--require", action="append", default=[])
    parser.add_argument("--out")
    args = parser.parse_args()
    servers = []
    for spec in args.servers:
        name, _, address = spec.partition("=")
        host, _, port = address.rpartition(":")
        if not name or not host or not port.isdigit():
            parser.error(f"server '{spec}': expected NAME=HOST:PORT")
        servers.append((name, host, int(port)))

    failures = {name: 0 for name, _, _ in servers}
    results = []
    print("| variant | what it sends | " + " | ".join(f"{name}: answers | {name}: verdict" for name, _, _ in servers) + " |")
    print("|---|---|" + "---|---|" * len(servers))
    for name, data in CONTROLS:
        cells = []
        for server, host, port in servers:
            answers, ended = exchange(host, port, data)
            ok = len(answers) == 2
            if not ok:
                failures[server] += 1
            cells += [describe(answers, ended), "control ok (2 answers)" if ok else "**CONTROL FAILED**"]
            results.append({"variant": name, "server": server, "answers": answers, "closed": ended,
                            "verdict": "control ok" if ok else "control failed"})
        print(f"| {name} | pipelined, unambiguous: must get 2 answers | " + " | ".join(cells) + " |")
    for name, technique, data, ambiguous in VARIANTS:
        cells = []
        for server, host, port in servers:
            answers, ended = exchange(host, port, data)
            v = verdict(answers, ended, ambiguous)
            if v == "SMUGGLED":
                failures[server] += 1
            cells += [describe(answers, ended), f"**{v}**" if v == "SMUGGLED" else v]
            results.append({"variant": name, "server": server, "answers": answers, "closed": ended, "verdict": v})
        print(f"| {name} | {technique} | " + " | ".join(cells) + " |")
    for server, _, _ in servers:
        print(f"{server}: {failures[server]} variant(s) smuggled or control(s) failed, of {len(VARIANTS)} variants")
    if args.out:
        with open(args.out, "w", encoding="utf-8") as out:
            json.dump({"tool": "smuggle.py", "variants": len(VARIANTS), "results": results,
                       "failures": failures}, out, indent=1)
    sys.exit(1 if any(failures[name] for name in args.require) else 0)


if __name__ == "__main__":
    main()
