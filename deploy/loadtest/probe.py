"""The normal client beside an attack: a steady probe of GET / whose every answer (or failure) is
written down, so that "the server stayed available" is measured, not assumed.

usage: probe.py HOST PORT OUT.tsv [--interval 0.1] [--timeout 2]

Two threads, each sending one request every --interval seconds until SIGTERM or SIGINT:
  keepalive  on one kept-alive connection (reconnected, and the reconnect counted, when it fails);
  new        on a new connection each time (connect, request, answer, close): the accept path too.
OUT.tsv gets one line a request: epoch (when it started), kind, milliseconds (connect included for
`new`), outcome (ok, or what went wrong: status NNN, refused, reset, closed, timeout, error) and
whether the request opened a TCP connection (1/0), so that a scenario can tell the probe's
connections from the ones it attacks with.
"""
import argparse
import errno
import signal
import socket
import sys
import threading
import time

REQUEST = b"GET / HTTP/1.1\r\nHost: probe\r\nUser-Agent: usher-probe\r\n\r\n"


class Failure(Exception):
    def __init__(self, outcome):
        super().__init__(outcome)
        self.outcome = outcome


def outcome_of(error):
    if isinstance(error, Failure):
        return error.outcome
    if isinstance(error, socket.timeout):
        return "timeout"
    if isinstance(error, ConnectionRefusedError):
        return "refused"
    if isinstance(error, (ConnectionResetError, BrokenPipeError)):
        return "reset"
    if isinstance(error, OSError) and error.errno == errno.ECONNRESET:
        return "reset"
    return "error " + type(error).__name__


def answer(connection):
    """Sends GET / and reads one whole answer; raises Failure unless it is a 200."""
    connection.sendall(REQUEST)
    received = b""
    while b"\r\n\r\n" not in received:
        chunk = connection.recv(4096)
        if not chunk:
            raise Failure("closed")
        received += chunk
    head, body = received.split(b"\r\n\r\n", 1)
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = connection.recv(4096)
        if not chunk:
            raise Failure("closed")
        body += chunk
    status = head.split(b" ", 2)[1].decode("ascii", "replace")
    if status != "200":
        raise Failure("status " + status)


class Probe:
    def __init__(self, host, port, out, interval, timeout):
        self.host, self.port, self.interval, self.timeout = host, port, interval, timeout
        self.out = out
        self.lock = threading.Lock()
        self.stopping = threading.Event()

    def record(self, started, kind, ms, outcome, connected):
        with self.lock:
            self.out.write(f"{started:.3f}\t{kind}\t{ms:.3f}\t{outcome}\t{1 if connected else 0}\n")
            self.out.flush()

    def connect(self):
        return socket.create_connection((self.host, self.port), timeout=self.timeout)

    def new_connections(self):
        next_at = time.monotonic()
        while not self.stopping.is_set():
            started, clock = time.time(), time.perf_counter()
            connected = False
            try:
                with self.connect() as connection:
                    connected = True
                    answer(connection)
                outcome = "ok"
            except (OSError, Failure) as error:
                outcome = outcome_of(error)
            self.record(started, "new", (time.perf_counter() - clock) * 1e3, outcome, connected)
            next_at = self.pace(next_at)

    def keepalive(self):
        connection = None
        next_at = time.monotonic()
        while not self.stopping.is_set():
            started, clock = time.time(), time.perf_counter()
            connected = False
            try:
                if connection is None:
                    connection = self.connect()
                    connected = True
                answer(connection)
                outcome = "ok"
            except (OSError, Failure) as error:
                outcome = outcome_of(error)
                if connection is not None:
                    connection.close()
                connection = None
            self.record(started, "keepalive", (time.perf_counter() - clock) * 1e3, outcome, connected)
            next_at = self.pace(next_at)
        if connection is not None:
            connection.close()

    def pace(self, next_at):
        next_at += self.interval
        pause = next_at - time.monotonic()
        if pause < 0:  # a slow request: start the next one now rather than bunching up
            return time.monotonic()
        self.stopping.wait(pause)
        return next_at


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("host")
    parser.add_argument("port", type=int)
    parser.add_argument("out")
    parser.add_argument("--interval", type=float, default=0.1)
    parser.add_argument("--timeout", type=float, default=2.0)
    args = parser.parse_args()
    with open(args.out, "w", encoding="utf-8") as out:
        probe = Probe(args.host, args.port, out, args.interval, args.timeout)
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: probe.stopping.set())
        threads = [threading.Thread(target=probe.keepalive, daemon=True),
                   threading.Thread(target=probe.new_connections, daemon=True)]
        for thread in threads:
            thread.start()
        while not probe.stopping.is_set():
            probe.stopping.wait(0.5)
        for thread in threads:
            thread.join(args.timeout + 1)
    print(f"probe: stopped ({args.out})", file=sys.stderr)


if __name__ == "__main__":
    main()
