"""A connection burst: CONNECTIONS connections opened as fast as this process can, each timing its
own connect() and then sending one HTTP request (Connection: close) and timing the full answer.
Writes the client view as JSON, with connect and answer times as percentiles and as a histogram
whose buckets show the kernel's SYN retries (~1 s, ~3 s, ~7 s).

usage: connect_burst.py HOST PORT --out FILE [--connections 2000] [--timeout 10]
"""
import argparse
import asyncio
import json
import socket
import sys
import time

from clientstats import RETRY_THRESHOLD_SECONDS, histogram, percentiles, raise_fd_limit, run_clients


class Burst:
    def __init__(self, host, port, timeout):
        self.address = (host, port)
        self.timeout = timeout
        self.request = f"GET / HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode("ascii")
        self.connect_seconds = []
        self.answer_seconds = []
        self.statuses = {}
        self.errors = {"connect_refused": 0, "connect_timeout": 0, "connect_other": 0, "reset": 0,
                       "closed_without_answer": 0, "answer_timeout": 0}
        self.connected = 0

    async def one(self):
        loop = asyncio.get_running_loop()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        started = time.perf_counter()
        try:
            try:
                await asyncio.wait_for(loop.sock_connect(sock, self.address), self.timeout)
            except asyncio.TimeoutError:
                self.errors["connect_timeout"] += 1
                return
            except ConnectionRefusedError:
                self.errors["connect_refused"] += 1
                return
            except OSError:
                self.errors["connect_other"] += 1
                return
            self.connect_seconds.append(time.perf_counter() - started)
            self.connected += 1
            remaining = self.timeout - (time.perf_counter() - started)
            try:
                answer = await asyncio.wait_for(self.exchange(loop, sock), max(0.1, remaining))
            except asyncio.TimeoutError:
                self.errors["answer_timeout"] += 1
                return
            except OSError:
                self.errors["reset"] += 1
                return
            if not answer:
                self.errors["closed_without_answer"] += 1
                return
            self.answer_seconds.append(time.perf_counter() - started)
            status = answer.split(b" ", 2)[1].decode("ascii", "replace") if b" " in answer else "?"
            self.statuses[status] = self.statuses.get(status, 0) + 1
        finally:
            sock.close()

    async def exchange(self, loop, sock):
        """Sends the request and reads until the server closes (it answers Connection: close)."""
        await loop.sock_sendall(sock, self.request)
        received = bytearray()
        while True:
            chunk = await loop.sock_recv(sock, 65536)
            if not chunk:
                return bytes(received)
            received += chunk

    def describe(self):
        failed = sum(self.errors.values())
        return (f"connected {self.connected}, answered {len(self.answer_seconds)}, failed {failed}, "
                f"connects >= {RETRY_THRESHOLD_SECONDS} s so far "
                f"{sum(1 for s in self.connect_seconds if s >= RETRY_THRESHOLD_SECONDS)}")

    async def run(self, connections):
        # Every connection ends within its own timeout; the margin only guards against a bug.
        clients = (self.one() for _ in range(connections))
        return await run_clients("connect_burst", self.describe, clients, self.timeout + 10)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("host")
    parser.add_argument("port", type=int)
    parser.add_argument("--out", required=True)
    parser.add_argument("--connections", type=int, default=2000)
    parser.add_argument("--timeout", type=float, default=10, help="per connection: connect plus answer")
    args = parser.parse_args()
    raise_fd_limit(args.connections)

    burst = Burst(args.host, args.port, args.timeout)
    print(f"[connect_burst] opening {args.connections} connections to {args.host}:{args.port} at once "
          f"(each gives up after {args.timeout:g} s)", file=sys.stderr)
    elapsed = asyncio.run(burst.run(args.connections))
    answered = len(burst.answer_seconds)
    ok = sum(count for status, count in burst.statuses.items() if status.startswith("2"))
    to_ms = lambda seconds: [s * 1e3 for s in seconds]
    view = {
        "tool": f"connect_burst.py --connections {args.connections} --timeout {args.timeout:g}",
        "seconds": elapsed,
        "concurrency": args.connections,
        "connections": args.connections,
        "connections_exact": True,
        "connected": burst.connected,
        "requests": answered,
        "rps": answered / elapsed if elapsed else 0,
        "non_2xx": answered - ok,
        "statuses": burst.statuses,
        "errors": burst.errors,
        "slow_connects": sum(1 for s in burst.connect_seconds if s >= RETRY_THRESHOLD_SECONDS),
        "slow_answers": sum(1 for s in burst.answer_seconds if s >= RETRY_THRESHOLD_SECONDS),
        "connect_ms": percentiles(to_ms(burst.connect_seconds)),
        "latency_ms": percentiles(to_ms(burst.answer_seconds)),
        "connect_hist": histogram(burst.connect_seconds),
        "answer_hist": histogram(burst.answer_seconds),
        "notes": [
            "connect = socket connect() until the handshake completed, on this client's clock",
            "latency = from connect() to the last byte of the answer: includes the connect, and the wait of "
            "a handshake whose final ACK the server dropped at a full accept queue (the client thinks it is "
            "connected; its request is retransmitted until the queue has room)",
        ],
    }
    with open(args.out, "w", encoding="utf-8") as file:
        json.dump(view, file, indent=2)
    print(f"[connect_burst] done in {elapsed:.1f} s: {burst.connected}/{args.connections} connected, "
          f"{answered} answered, {view['slow_connects']} connects took >= {RETRY_THRESHOLD_SECONDS} s",
          file=sys.stderr)


if __name__ == "__main__":
    main()
