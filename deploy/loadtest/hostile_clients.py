"""The hostile clients of hostile.sh that no Debian tool provides. Each writes what it saw as JSON:
how many connections it opened, how many were open at most, and how each one ended.

usage:
  hostile_clients.py flood HOST PORT --connections N --seconds S --out FILE
      opens N connections at once (non-blocking connects, far more than the listen backlog) that
      never send a byte, and watches each until the server ends it or S seconds pass;
  hostile_clients.py never-read HOST PORT --connections N --seconds S --out FILE
      N connections that pipeline GET / as fast as the server takes them and never read an answer
      (a 4 KiB receive buffer), until the server ends them or S seconds pass;
  hostile_clients.py half-close HOST PORT --connections N --seconds S [--rate R] --out FILE
      for S seconds, N at a time and R a second at most, clients that shut their sending side (FIN) in four ways: after a
      request, after three pipelined requests, after half a request, and before sending anything;
      each waits for the server to answer what it owes and end the connection.

How a connection ended, as the client sees it: `reset` (RST: usher's refusal above
server.max-connections, or a close over unread input), `closed` (the server's FIN),
`connect_failed`, or `open` (still open at the end; the client then closes it). The times are from
connect to the end.
"""
import argparse
import errno
import json
import re
import select
import socket
import sys
import threading
import time

from clientstats import percentiles, raise_fd_limit

REQUEST = b"GET / HTTP/1.1\r\nHost: hostile\r\n\r\n"
EVENTS_DONE = select.POLLRDHUP | select.POLLERR | select.POLLHUP


def progress(name, text):
    print(f"[{name}] {text}", file=sys.stderr, flush=True)


class Watched:
    """One non-blocking connection watched with poll(): connected, then how and when it ended."""

    def __init__(self, host, port, receive_buffer=None):
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if receive_buffer:
            self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        self.socket.setblocking(False)
        self.started = time.monotonic()
        self.connected_at = None
        self.ended_at = None
        self.end = None
        self.sent = 0
        self.last_sent_at = None
        code = self.socket.connect_ex((host, port))
        self.error = None
        if code not in (0, errno.EINPROGRESS):
            self.finish("connect_failed", errno.errorcode.get(code, str(code)))

    def fileno(self):
        return self.socket.fileno()

    def finish(self, how, error=None):
        self.end = how
        self.error = error
        self.ended_at = time.monotonic()
        self.socket.close()

    def ended_by_server(self):
        """After POLLERR/POLLHUP/POLLRDHUP: reset or closed."""
        code = self.socket.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        self.finish("reset" if code in (errno.ECONNRESET, errno.EPIPE) else "closed")

    def lifetime(self):
        return None if self.connected_at is None or self.ended_at is None else self.ended_at - self.connected_at


def watch(name, connections, seconds, on_writable=None):
    """Polls the connections until each has ended or `seconds` pass; returns the most open at once."""
    poller = select.poll()
    by_fd = {}
    for c in connections:
        if c.end is None:
            poller.register(c, select.POLLOUT | EVENTS_DONE)
            by_fd[c.fileno()] = c
    open_now = open_max = 0
    deadline = time.monotonic() + seconds
    next_progress = time.monotonic() + 1
    while by_fd and time.monotonic() < deadline:
        for fd, events in poller.poll(100):
            c = by_fd[fd]
            if c.connected_at is None:
                code = c.socket.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if code == errno.ECONNRESET:  # connected, then reset before this poll saw it
                    c.connected_at = time.monotonic()
                    poller.unregister(fd)
                    del by_fd[fd]
                    c.finish("reset")
                    continue
                if code:
                    poller.unregister(fd)
                    del by_fd[fd]
                    c.finish("connect_failed", errno.errorcode.get(code, str(code)))
                    continue
                if events & select.POLLOUT or events & EVENTS_DONE:
                    c.connected_at = time.monotonic()
                    open_now += 1
                    open_max = max(open_max, open_now)
                    if on_writable is None:
                        poller.modify(fd, EVENTS_DONE)
            if events & EVENTS_DONE:
                poller.unregister(fd)
                del by_fd[fd]
                c.ended_by_server()
                open_now -= 1
            elif events & select.POLLOUT and on_writable is not None:
                on_writable(c)
        if time.monotonic() >= next_progress:
            next_progress += 1
            ended = sum(1 for c in connections if c.end is not None)
            progress(name, f"open {open_now}, ended {ended} of {len(connections)}")
    for c in by_fd.values():
        c.finish("open")
    return open_max


def summary(tool, connections, open_max, **extra):
    ends = {}
    for c in connections:
        ends[c.end] = ends.get(c.end, 0) + 1
    lifetimes = {}
    for how in ("reset", "closed"):
        times = [c.lifetime() * 1e3 for c in connections if c.end == how and c.lifetime() is not None]
        lifetimes[how] = percentiles(times, points=(50, 99)) if times else {}
    errors = {}
    for c in connections:
        if c.end == "connect_failed":
            errors[c.error] = errors.get(c.error, 0) + 1
    result = {"tool": tool, "connections": len(connections), "connect_errors": errors,
              "connected": sum(1 for c in connections if c.connected_at is not None),
              "open_max": open_max, "ended": ends, "lifetime_ms": lifetimes}
    result.update(extra)
    return result


def flood(args):
    raise_fd_limit(args.connections)
    started = time.monotonic()
    connections = [Watched(args.host, args.port) for _ in range(args.connections)]
    progress("flood", f"{len(connections)} connects issued in {time.monotonic() - started:.2f}s")
    open_max = watch("flood", connections, args.seconds)
    return summary("hostile_clients.py flood", connections, open_max)


def never_read(args):
    raise_fd_limit(args.connections)
    pipeline = REQUEST * 512

    def send_more(c):
        try:
            sent = c.socket.send(pipeline)
        except BlockingIOError:
            return
        except OSError:
            return  # the end shows up as POLLERR/POLLHUP
        c.sent += sent
        c.last_sent_at = time.monotonic()

    connections = [Watched(args.host, args.port, receive_buffer=4096) for _ in range(args.connections)]
    open_max = watch("never-read", connections, args.seconds, on_writable=send_more)
    stalled = [c.ended_at - c.last_sent_at for c in connections if c.last_sent_at and c.ended_at]
    return summary("hostile_clients.py never-read", connections, open_max,
                   requests_sent=sum(c.sent for c in connections) // len(REQUEST),
                   bytes_sent=sum(c.sent for c in connections),
                   server_stopped_reading_ms=percentiles([s * 1e3 for s in stalled], points=(50, 99)))


HALF_CLOSE_VARIANTS = {
    # name: (bytes sent before the FIN, the answers a server may give before its FIN)
    "request, then FIN": (REQUEST, ("200",)),
    "3 pipelined requests, then FIN": (REQUEST * 3, ("200,200,200",)),
    "half a request, then FIN": (b"GET / HTTP/1.1\r\nHost: hal", ("", "400")),
    "FIN before anything": (b"", ("",)),
}
STATUS = re.compile(rb"HTTP/1\.1 (\d{3}) ")


def half_close(args):
    raise_fd_limit(args.connections * 2)
    deadline = time.monotonic() + args.seconds
    lock = threading.Lock()
    results = {name: {"clients": 0, "answers": {}, "ended": {}, "end_ms": [], "unexpected": 0}
               for name in HALF_CLOSE_VARIANTS}
    names = list(HALF_CLOSE_VARIANTS)
    counter = [0]
    open_now = [0, 0]  # now, max

    def one(name):
        data, allowed = HALF_CLOSE_VARIANTS[name]
        received = b""
        how = "open"
        started = time.monotonic()
        with lock:
            open_now[0] += 1
            open_now[1] = max(open_now[1], open_now[0])
        try:
            with socket.create_connection((args.host, args.port), timeout=args.wait) as s:
                connected = time.monotonic()
                if data:
                    s.sendall(data)
                s.shutdown(socket.SHUT_WR)
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        how = "closed"
                        break
                    received += chunk
        except socket.timeout:
            how = "open"
            connected = started
        except (ConnectionResetError, BrokenPipeError):
            how = "reset"
            connected = started
        except OSError:
            how = "connect_failed"
            connected = started
        ended = time.monotonic()
        with lock:
            open_now[0] -= 1
            r = results[name]
            r["clients"] += 1
            statuses = ",".join(m.decode() for m in STATUS.findall(received))
            r["answers"][statuses or "none"] = r["answers"].get(statuses or "none", 0) + 1
            r["ended"][how] = r["ended"].get(how, 0) + 1
            r["end_ms"].append((ended - connected) * 1e3)
            if statuses not in allowed or how != "closed":
                r["unexpected"] += 1

    started = time.monotonic()

    def worker():
        while time.monotonic() < deadline:
            with lock:
                name = names[counter[0] % len(names)]
                counter[0] += 1
                due = started + counter[0] / args.rate if args.rate else 0
            pause = due - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            one(name)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(args.connections)]
    for t in threads:
        t.start()
    next_progress = time.monotonic() + 1
    while any(t.is_alive() for t in threads):
        time.sleep(0.1)
        if time.monotonic() >= next_progress:
            next_progress += 1
            progress("half-close", f"clients {counter[0]}, open {open_now[0]}")
    ends = {}
    for r in results.values():
        for how, n in r["ended"].items():
            ends[how] = ends.get(how, 0) + n
        times = r.pop("end_ms")
        r["end_ms"] = percentiles(times, points=(50, 99)) if times else {}
    return {"tool": "hostile_clients.py half-close", "connections": sum(r["clients"] for r in results.values()),
            "connected": sum(r["clients"] - r["ended"].get("connect_failed", 0) for r in results.values()),
            "open_max": open_now[1], "ended": ends, "variants": results,
            "unexpected": sum(r["unexpected"] for r in results.values())}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("attack", choices=("flood", "never-read", "half-close"))
    parser.add_argument("host")
    parser.add_argument("port", type=int)
    parser.add_argument("--connections", type=int, required=True)
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--wait", type=float, default=10.0, help="half-close: the longest a client waits for the end")
    parser.add_argument("--rate", type=float, default=0, help="half-close: clients started per second (0: as fast as they go)")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    result = {"flood": flood, "never-read": never_read, "half-close": half_close}[args.attack](args)
    with open(args.out, "w", encoding="utf-8") as out:
        json.dump(result, out, indent=1)
    print(json.dumps({k: v for k, v in result.items() if k != "variants"}))


if __name__ == "__main__":
    main()
