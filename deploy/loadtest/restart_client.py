"""The client of restart.sh: WORKERS connections at a time, each a new connection with one request
(Connection: close), opened back to back as fast as this process can, plus one keep-alive
connection sending requests one after another, until STOP-FILE exists (or --max-seconds pass).
Counts every outcome, so that a restart that refuses, resets or drops anything shows it.

usage: restart_client.py HOST PORT --out FILE --stop-file PATH [--workers 16] [--max-seconds 120]

Outcomes of a new connection: answered (by status), connect_refused, connect_timeout,
connect_other, reset (an error after the connect: the kernel reset a queued connection, say),
closed_without_answer, answer_timeout. Of a keep-alive request: answered, or failed with the same
names. A draining usher ends keep-alive connections between answers: after an answer that says
Connection: close (closed_between_requests), or by closing an idle one, which a request already on
its way meets as an end or a reset before any byte of its answer; such a request is sent again on
a new connection, as HTTP clients do with a reused connection (retried_after_close), and only a
failure of that counts. Every new keep-alive connection is counted in keepalive_connections.
"""
import argparse
import asyncio
import json
import os
import socket
import sys
import time

from clientstats import percentiles, raise_fd_limit, report_progress

TIMEOUT_SECONDS = 5


class Outcomes:
    def __init__(self):
        self.statuses = {}
        self.errors = {"connect_refused": 0, "connect_timeout": 0, "connect_other": 0, "reset": 0,
                       "closed_without_answer": 0, "answer_timeout": 0}
        self.seconds = []

    def answered(self, status, seconds):
        self.statuses[status] = self.statuses.get(status, 0) + 1
        self.seconds.append(seconds)

    def count(self):
        return sum(self.statuses.values())

    def failed(self):
        return sum(self.errors.values())

    def view(self):
        return {"answered": self.count(), "statuses": self.statuses, "errors": self.errors,
                "failed": self.failed(), "latency_ms": percentiles([s * 1e3 for s in self.seconds])}


async def connect(loop, address, outcomes):
    """A connected non-blocking socket, or None with the failure counted."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setblocking(False)
    try:
        await asyncio.wait_for(loop.sock_connect(sock, address), TIMEOUT_SECONDS)
        return sock
    except asyncio.TimeoutError:
        outcomes.errors["connect_timeout"] += 1
    except ConnectionRefusedError:
        outcomes.errors["connect_refused"] += 1
    except OSError:
        outcomes.errors["connect_other"] += 1
    sock.close()
    return None


class Unanswered(Exception):
    """The connection ended before a whole answer: `reason` is an Outcomes error name, and
    `nothing_read` whether not one byte of the answer had come (a request an HTTP client may send
    again when the connection was a reused keep-alive one, RFC 9112 section 9.3.1)."""

    def __init__(self, reason, nothing_read):
        super().__init__(reason)
        self.reason = reason
        self.nothing_read = nothing_read


async def read_answer(loop, sock, buffered):
    """Reads one answer with a Content-Length body: (status, closes, rest)."""
    data = buffered
    fresh = b""
    try:
        while b"\r\n\r\n" not in data:
            chunk = await loop.sock_recv(sock, 65536)
            if not chunk:
                raise Unanswered("closed_without_answer", not fresh)
            data += chunk
            fresh += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = lines[0].split(" ", 2)[1]
        headers = {line.split(":", 1)[0].strip().lower(): line.split(":", 1)[1].strip()
                   for line in lines[1:] if ":" in line}
        length = int(headers.get("content-length", "0"))
        while len(rest) < length:
            chunk = await loop.sock_recv(sock, 65536)
            if not chunk:
                raise Unanswered("closed_without_answer", False)
            rest += chunk
    except OSError:
        raise Unanswered("reset", not fresh)
    return status, headers.get("connection", "").lower() == "close", rest[length:]


async def exchange(loop, sock, request, outcomes, started, buffered=b""):
    """Sends one request and reads its answer: (closes, rest). Raises Unanswered, uncounted."""
    try:
        await loop.sock_sendall(sock, request)
    except OSError:
        raise Unanswered("reset", True)
    try:
        answer = await asyncio.wait_for(read_answer(loop, sock, buffered), TIMEOUT_SECONDS)
    except asyncio.TimeoutError:
        raise Unanswered("answer_timeout", False)
    status, closes, rest = answer
    outcomes.answered(status, time.perf_counter() - started)
    return closes, rest


class Client:
    def __init__(self, host, port, stop_file, deadline):
        self.address = (host, port)
        self.stop_file = stop_file
        self.deadline = deadline
        self.close_request = (f"GET / HTTP/1.1\r\nHost: {host}:{port}\r\n"
                              "Connection: close\r\n\r\n").encode("ascii")
        self.keepalive_request = f"GET / HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode("ascii")
        self.new = Outcomes()
        self.keepalive = Outcomes()
        self.keepalive_connections = 0
        self.closed_between_requests = 0
        self.retried_after_close = 0
        self.stopping = False

    def stopped(self):
        return self.stopping or time.monotonic() > self.deadline

    async def watch_stop_file(self):
        while not os.path.exists(self.stop_file) and time.monotonic() < self.deadline:
            await asyncio.sleep(0.05)
        self.stopping = True

    async def new_connections(self):
        loop = asyncio.get_running_loop()
        while not self.stopped():
            started = time.perf_counter()
            sock = await connect(loop, self.address, self.new)
            if sock is None:
                await asyncio.sleep(0.001)  # a refused connect returns at once: do not spin
                continue
            try:
                await exchange(loop, sock, self.close_request, self.new, started)
            except Unanswered as unanswered:
                self.new.errors[unanswered.reason] += 1
            finally:
                sock.close()

    async def keep_alive(self):
        loop = asyncio.get_running_loop()
        sock = None
        reused = False
        rest = b""
        while not self.stopped():
            if sock is None:
                sock = await connect(loop, self.address, self.keepalive)
                if sock is None:
                    await asyncio.sleep(0.001)
                    continue
                self.keepalive_connections += 1
                reused = False
                rest = b""
            try:
                closes, rest = await exchange(loop, sock, self.keepalive_request, self.keepalive,
                                              time.perf_counter(), rest)
                reused = True
                if closes:
                    self.closed_between_requests += 1
            except Unanswered as unanswered:
                closes = True
                if reused and unanswered.nothing_read:
                    # Ended by the server between answers: the next request (on a new connection)
                    # is this one sent again, as an HTTP client does; its failure would count.
                    self.retried_after_close += 1
                else:
                    self.keepalive.errors[unanswered.reason] += 1
            if closes:
                sock.close()
                sock = None
        if sock is not None:
            sock.close()

    def describe(self):
        return (f"new connections answered {self.new.count()}, failed {self.new.failed()}; "
                f"keep-alive answered {self.keepalive.count()}, failed {self.keepalive.failed()}")

    async def run(self, workers):
        progress = asyncio.create_task(report_progress("restart_client", self.describe))
        started = time.perf_counter()
        await asyncio.gather(self.watch_stop_file(), self.keep_alive(),
                             *(self.new_connections() for _ in range(workers)))
        progress.cancel()
        return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("host")
    parser.add_argument("port", type=int)
    parser.add_argument("--out", required=True)
    parser.add_argument("--stop-file", required=True)
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--max-seconds", type=float, default=120)
    args = parser.parse_args()
    raise_fd_limit(args.workers + 1)
    client = Client(args.host, args.port, args.stop_file, time.monotonic() + args.max_seconds)
    elapsed = asyncio.run(client.run(args.workers))
    view = {
        "tool": f"restart_client.py --workers {args.workers}",
        "seconds": elapsed,
        "new_connections": client.new.view(),
        "keepalive": client.keepalive.view(),
        "keepalive_connections": client.keepalive_connections,
        "closed_between_requests": client.closed_between_requests,
        "retried_after_close": client.retried_after_close,
    }
    with open(args.out, "w", encoding="utf-8") as file:
        json.dump(view, file, indent=2)
    print(f"[restart_client] {elapsed:.1f} s: {client.describe()}", file=sys.stderr)


if __name__ == "__main__":
    main()
