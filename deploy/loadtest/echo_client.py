"""TCP echo load: CONNECTIONS connections, each sending a SIZE-byte message, waiting for its echo
and timing the round trip, again and again for SECONDS. Writes the client view as JSON.

usage: echo_client.py HOST PORT --out FILE [--connections 32] [--size 64] [--seconds 10]
"""
import argparse
import asyncio
import json
import sys
import time

from clientstats import percentiles, raise_fd_limit, run_clients


class EchoLoad:
    def __init__(self, host, port, size, seconds):
        self.host, self.port, self.size, self.seconds = host, port, size, seconds
        self.round_trips_ms = []
        self.connect_ms = []
        self.errors = {"connect": 0, "reset": 0, "closed": 0, "mismatch": 0, "timeout": 0}
        self.bytes_sent = 0
        self.bytes_received = 0
        self.connected = 0

    async def connection(self, index, deadline):
        message = bytes((index + i) % 256 for i in range(self.size))
        started = time.perf_counter()
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(self.host, self.port), 5)
        except (OSError, asyncio.TimeoutError):
            self.errors["connect"] += 1
            return
        self.connect_ms.append((time.perf_counter() - started) * 1e3)
        self.connected += 1
        try:
            while time.perf_counter() < deadline:
                sent = time.perf_counter()
                writer.write(message)
                self.bytes_sent += self.size
                echo = await reader.readexactly(self.size)
                self.round_trips_ms.append((time.perf_counter() - sent) * 1e3)
                self.bytes_received += len(echo)
                if echo != message:
                    self.errors["mismatch"] += 1
        except asyncio.IncompleteReadError as error:
            self.bytes_received += len(error.partial)
            self.errors["closed"] += 1
        except OSError:
            self.errors["reset"] += 1
        except asyncio.CancelledError:
            self.errors["timeout"] += 1
            raise
        finally:
            writer.close()

    def describe(self):
        return (f"{self.connected} connected, {len(self.round_trips_ms):,} round trips, "
                f"errors {sum(self.errors.values())}")

    async def run(self, connections):
        deadline = time.perf_counter() + self.seconds
        clients = (self.connection(i, deadline) for i in range(connections))
        return await run_clients("echo_client", self.describe, clients, self.seconds + 10)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("host")
    parser.add_argument("port", type=int)
    parser.add_argument("--out", required=True)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    raise_fd_limit(args.connections)

    load = EchoLoad(args.host, args.port, args.size, args.seconds)
    elapsed = asyncio.run(load.run(args.connections))
    messages = len(load.round_trips_ms)
    view = {
        "tool": f"echo_client.py --connections {args.connections} --size {args.size} --seconds {args.seconds:g}",
        "seconds": elapsed,
        "concurrency": args.connections,
        "connections": args.connections,
        "connections_exact": True,
        "messages": messages,
        "messages_per_s": messages / elapsed if elapsed else 0,
        "message_bytes": args.size,
        "bytes_sent": load.bytes_sent,
        "bytes_received": load.bytes_received,
        "errors": load.errors,
        "latency_ms": percentiles(load.round_trips_ms),
        "connect_ms": percentiles(load.connect_ms),
        "notes": ["latency = one message's round trip (write, then read its echo back)"],
    }
    with open(args.out, "w", encoding="utf-8") as file:
        json.dump(view, file, indent=2)
    print(f"[echo_client] {messages:,} round trips in {elapsed:.1f} s: {view['messages_per_s']:,.0f} messages/s, "
          f"p99 {view['latency_ms'].get('p99', float('nan')):.2f} ms, errors {sum(load.errors.values())}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
