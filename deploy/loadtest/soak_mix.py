"""The part of soak.sh's mix that no Debian tool provides: for SECONDS, at steady rates, new
connections (one request each, Connection: close), bad requests that usher must refuse, clients that
half-close after a request, clients that pipeline a few requests and never read, and scrapes of
/metrics. Each client checks what it got; the counts go to a JSON file.

usage: soak_mix.py HOST PORT ADMIN-PORT --seconds S --out FILE [--scale 1.0] [--silent-seconds 10]

Rates a second at --scale 1: new connections 20, bad requests 5 (seven kinds in turn, each must get
its 4xx and the close), half-closes 5, never-readers 0.2 (each sends 64 pipelined requests and
reads nothing for --silent-seconds, longer than usher's idle timeout; then it must find the 64
answers and the end of the connection), scrapes 2.
"""
import argparse
import asyncio
import json
import sys
import time

BAD_REQUESTS = [
    # (what, bytes, the status usher must answer before closing)
    ("garbage", b"this is not http\r\n\r\n", 400),
    ("request line too long", b"GET /" + b"a" * 5000 + b" HTTP/1.1\r\nHost: soak\r\n\r\n", 414),
    ("header block too large", b"GET / HTTP/1.1\r\nHost: soak\r\nX-Pad: " + b"p" * 9000 + b"\r\n\r\n", 431),
    ("declared body too large", b"POST /echo HTTP/1.1\r\nHost: soak\r\nContent-Length: 2000000\r\n\r\n", 413),
    ("invalid chunk size", b"POST /echo HTTP/1.1\r\nHost: soak\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
    ("Content-Length and chunked", b"POST /echo HTTP/1.1\r\nHost: soak\r\nContent-Length: 5\r\n"
                                   b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
    ("Expect: tea", b"POST /echo HTTP/1.1\r\nHost: soak\r\nExpect: tea\r\nContent-Length: 5\r\n\r\n", 417),
]
GET = b"GET / HTTP/1.1\r\nHost: soak\r\n\r\n"
GET_CLOSE = b"GET / HTTP/1.1\r\nHost: soak\r\nConnection: close\r\n\r\n"
ANSWER_SECONDS = 5


class Mix:
    def __init__(self, host, port, admin_port, seconds, silent_seconds):
        self.host, self.port, self.admin_port = host, port, admin_port
        self.silent_seconds = silent_seconds
        self.deadline = time.monotonic() + seconds
        self.counts = {}
        self.tasks = set()

    def count(self, kind, outcome):
        by_kind = self.counts.setdefault(kind, {})
        by_kind[outcome] = by_kind.get(outcome, 0) + 1

    async def every(self, per_second, client):
        """Starts client() per_second times a second until the deadline, each in its own task."""
        interval = 1.0 / per_second
        next_at = time.monotonic()
        while time.monotonic() < self.deadline:
            task = asyncio.create_task(client())
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)
            next_at += interval
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))

    async def exchange(self, kind, data, expected_status, half_close=False, port=None):
        """Sends data on a new connection and reads until the server closes; counts the outcome."""
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(self.host, port or self.port), ANSWER_SECONDS)
        except (OSError, asyncio.TimeoutError) as error:
            self.count(kind, "connect failed: " + type(error).__name__)
            return
        try:
            writer.write(data)
            await writer.drain()
            if half_close:
                writer.write_eof()
            received = await asyncio.wait_for(reader.read(), ANSWER_SECONDS + 10)
            status = received[9:12].decode("ascii", "replace") if received.startswith(b"HTTP/1.1 ") else "none"
            self.count(kind, "ok" if status == str(expected_status) else f"got {status}, expected {expected_status}")
        except asyncio.TimeoutError:
            self.count(kind, "not closed in time")
        except OSError as error:
            self.count(kind, "error: " + type(error).__name__)
        finally:
            writer.close()

    async def new_connection(self):
        await self.exchange("new connection", GET_CLOSE, 200)

    async def bad_request(self):
        what, data, status = BAD_REQUESTS[sum(self.counts.get("bad request", {}).values()) % len(BAD_REQUESTS)]
        await self.exchange("bad request", data, status)

    async def half_close(self):
        await self.exchange("half-close", GET, 200, half_close=True)

    async def scrape(self):
        await self.exchange("scrape", b"GET /metrics HTTP/1.1\r\nHost: soak\r\nConnection: close\r\n\r\n", 200,
                            port=self.admin_port)

    async def never_read(self):
        """64 pipelined requests, then nothing read for longer than usher's idle timeout: usher has
        answered into the socket and closed it by then; the client finds the 64 answers and the end."""
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(self.host, self.port), ANSWER_SECONDS)
        except (OSError, asyncio.TimeoutError) as error:
            self.count("never-read", "connect failed: " + type(error).__name__)
            return
        try:
            writer.transport.pause_reading()
            writer.write(GET * 64)
            await writer.drain()
            await asyncio.sleep(self.silent_seconds)
            writer.transport.resume_reading()
            received = await asyncio.wait_for(reader.read(), ANSWER_SECONDS)
            answers = received.count(b"HTTP/1.1 200 ")
            self.count("never-read", "ok" if answers == 64 else f"{answers} answers of 64")
        except asyncio.TimeoutError:
            self.count("never-read", "not closed by usher")
        except OSError as error:
            self.count("never-read", "error: " + type(error).__name__)
        finally:
            writer.close()

    async def progress(self):
        start = time.monotonic()
        while time.monotonic() < self.deadline:
            await asyncio.sleep(10)
            summary = ", ".join(f"{kind} {sum(v.values())}" for kind, v in sorted(self.counts.items()))
            print(f"[soak-mix +{time.monotonic() - start:4.0f}s] {summary}", file=sys.stderr, flush=True)


async def run(args):
    mix = Mix(args.host, args.port, args.admin_port, args.seconds, args.silent_seconds)
    scale = args.scale
    await asyncio.gather(
        mix.every(20 * scale, mix.new_connection),
        mix.every(5 * scale, mix.bad_request),
        mix.every(5 * scale, mix.half_close),
        mix.every(0.2 * scale, mix.never_read),
        mix.every(2 * scale, mix.scrape),
        mix.progress(),
    )
    if mix.tasks:
        await asyncio.wait(mix.tasks, timeout=70)
    return mix.counts


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("host")
    parser.add_argument("port", type=int)
    parser.add_argument("admin_port", type=int)
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--silent-seconds", type=float, default=10.0,
                        help="how long a never-reader stays silent: longer than usher's idle timeout")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    counts = asyncio.run(run(args))
    unexpected = {kind: {k: v for k, v in outcomes.items() if k != "ok"}
                  for kind, outcomes in counts.items()}
    unexpected = {kind: v for kind, v in unexpected.items() if v}
    result = {"tool": "soak_mix.py", "counts": counts, "unexpected": unexpected}
    with open(args.out, "w", encoding="utf-8") as out:
        json.dump(result, out, indent=1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
