"""More clients than the server admits: CONNECTIONS keep-alive HTTP clients connect at once (or
spread over --ramp seconds), each sends a request and is classified by what happened to it:
served (answered; it then sends one request every --interval until SECONDS are over), reset or
closed right after connect (the server refused it), unanswered, or failed to connect. Writes the
client view as JSON.

usage: connection_census.py HOST PORT --out FILE [--connections 200] [--seconds 10] [--interval 1] [--ramp 0]
"""
import argparse
import asyncio
import json
import sys
import time

from clientstats import percentiles, raise_fd_limit, run_clients

ANSWER_TIMEOUT_SECONDS = 5


class Census:
    def __init__(self, host, port, seconds, interval):
        self.host, self.port, self.seconds, self.interval = host, port, seconds, interval
        self.request = f"GET / HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode("ascii")
        self.outcomes = {"served": 0, "reset_after_connect": 0, "closed_after_connect": 0,
                         "unanswered": 0, "connect_error": 0}
        self.lost_later = 0
        self.open_now = 0
        self.open_max = 0
        self.requests = 0
        self.non_2xx = 0
        self.latency_ms = []
        self.connect_ms = []
        self.refused_after_ms = []

    async def exchange(self, reader, writer):
        """One request and its answer; the status code, or None when the server closed first."""
        writer.write(self.request)
        await writer.drain()
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            return None
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        await reader.readexactly(length)
        return int(head.split(b" ", 2)[1])

    async def client(self, delay, deadline):
        await asyncio.sleep(delay)
        started = time.perf_counter()
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(self.host, self.port), 5)
        except (OSError, asyncio.TimeoutError):
            self.outcomes["connect_error"] += 1
            return
        connected = time.perf_counter()
        self.connect_ms.append((connected - started) * 1e3)
        self.open_now += 1
        self.open_max = max(self.open_max, self.open_now)
        served = False
        try:
            while True:
                sent = time.perf_counter()
                try:
                    status = await asyncio.wait_for(self.exchange(reader, writer), ANSWER_TIMEOUT_SECONDS)
                except asyncio.TimeoutError:
                    if served:
                        self.lost_later += 1
                    else:
                        self.outcomes["unanswered"] += 1
                    return
                except (ConnectionResetError, BrokenPipeError, asyncio.IncompleteReadError) as error:
                    status = error
                if not isinstance(status, int):
                    if served:
                        self.lost_later += 1
                    else:
                        kind = "closed_after_connect" if status is None else "reset_after_connect"
                        self.outcomes[kind] += 1
                        self.refused_after_ms.append((time.perf_counter() - connected) * 1e3)
                    return
                self.latency_ms.append((time.perf_counter() - sent) * 1e3)
                self.requests += 1
                if not 200 <= status < 300:
                    self.non_2xx += 1
                if not served:
                    served = True
                    self.outcomes["served"] += 1
                if time.perf_counter() + self.interval >= deadline:
                    return
                await asyncio.sleep(self.interval)
        finally:
            self.open_now -= 1
            writer.close()

    def describe(self):
        counts = ", ".join(f"{name} {count}" for name, count in self.outcomes.items() if count)
        return f"open {self.open_now}, {counts or 'none classified yet'}, {self.requests} requests answered"

    async def run(self, connections, ramp):
        deadline = time.perf_counter() + self.seconds
        clients = (self.client(ramp * i / connections, deadline) for i in range(connections))
        timeout = self.seconds + ramp + ANSWER_TIMEOUT_SECONDS + 5
        return await run_clients("connection_census", self.describe, clients, timeout)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("host")
    parser.add_argument("port", type=int)
    parser.add_argument("--out", required=True)
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument("--ramp", type=float, default=0.0)
    args = parser.parse_args()
    raise_fd_limit(args.connections)

    census = Census(args.host, args.port, args.seconds, args.interval)
    elapsed = asyncio.run(census.run(args.connections, args.ramp))
    outcomes = census.outcomes
    view = {
        "tool": f"connection_census.py --connections {args.connections} --seconds {args.seconds:g} "
                f"--interval {args.interval:g} --ramp {args.ramp:g}",
        "seconds": elapsed,
        "concurrency": args.connections,
        "connections": args.connections,
        "connections_exact": True,
        "connected": args.connections - outcomes["connect_error"],
        "outcomes": outcomes,
        "served": outcomes["served"],
        "refused_seen": outcomes["reset_after_connect"] + outcomes["closed_after_connect"],
        "lost_later": census.lost_later,
        "open_max": census.open_max,
        "requests": census.requests,
        "rps": census.requests / elapsed if elapsed else 0,
        "non_2xx": census.non_2xx,
        "errors": {"connect": outcomes["connect_error"], "reset": outcomes["reset_after_connect"],
                   "closed": outcomes["closed_after_connect"], "unanswered": outcomes["unanswered"],
                   "lost_later": census.lost_later},
        "latency_ms": percentiles(census.latency_ms),
        "connect_ms": percentiles(census.connect_ms),
        "refused_after_ms": percentiles(census.refused_after_ms),
        "notes": ["a refused connection completes its handshake (the kernel accepts it), then the server "
                  "resets it: the client sees connect() succeed and the reset on its first read or write",
                  "open_max counts connections this client held open at once, refused ones included "
                  "until their reset arrived"],
    }
    with open(args.out, "w", encoding="utf-8") as file:
        json.dump(view, file, indent=2)
    print(f"[connection_census] {args.connections} clients: " +
          ", ".join(f"{name} {count}" for name, count in outcomes.items()) +
          f"; lost later {census.lost_later}; {census.requests} requests answered", file=sys.stderr)


if __name__ == "__main__":
    main()
