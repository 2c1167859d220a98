#!/usr/bin/env python3
"""Does for a test what systemd does for a socket-activated service (sd_listen_fds(3)).

    socket_activate.py [--listen NAME=HOST:PORT]... [--unix NAME=PATH]... [--reuseport]
                       [--no-names] [--go-file PATH] -- COMMAND...

Binds and listens on each socket, in the order given, and prints one line per socket,
"socket-activate: NAME HOST:PORT" (the port the kernel gave, for port 0). With --go-file it then
waits for that file to exist, so that a test can queue connections in the kernel before the
service runs. Finally it puts the sockets at descriptors 3, 4, ... (blocking, as systemd passes
them unless NonBlocking=yes), sets LISTEN_FDS, LISTEN_FDNAMES (unless --no-names) and LISTEN_PID
to its own pid, and execs COMMAND, which therefore runs with that pid, as after systemd's fork.
"""

import argparse
import fcntl
import os
import socket
import sys
import time

FIRST_DESCRIPTOR = 3
GO_TIMEOUT_SECONDS = 120


def listening_socket(spec, reuseport):
    name, address = spec.split("=", 1)
    host, port = address.rsplit(":", 1)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuseport:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host.strip("[]"), int(port)))
    sock.listen(128)
    print(f"socket-activate: {name} {host}:{sock.getsockname()[1]}", flush=True)
    return name, sock


def unix_socket(spec):
    name, path = spec.split("=", 1)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(path)
    sock.listen(16)
    print(f"socket-activate: {name} {path}", flush=True)
    return name, sock


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--listen", action="append", default=[])
    parser.add_argument("--unix", action="append", default=[])
    parser.add_argument("--reuseport", action="store_true")
    parser.add_argument("--no-names", action="store_true")
    parser.add_argument("--go-file")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no COMMAND after --")

    sockets = [listening_socket(spec, args.reuseport) for spec in args.listen]
    sockets += [unix_socket(spec) for spec in args.unix]

    if args.go_file:
        deadline = time.monotonic() + GO_TIMEOUT_SECONDS
        while not os.path.exists(args.go_file):
            if time.monotonic() > deadline:
                sys.exit(f"socket-activate: no {args.go_file} within {GO_TIMEOUT_SECONDS} s")
            time.sleep(0.01)

    # Out of the way first (and closed at exec), so that putting one at 3 cannot overwrite another
    # that sits there.
    high = [fcntl.fcntl(sock.fileno(), fcntl.F_DUPFD_CLOEXEC, 100) for _, sock in sockets]
    for index, fd in enumerate(high):
        os.dup2(fd, FIRST_DESCRIPTOR + index, inheritable=True)
    os.environ["LISTEN_FDS"] = str(len(sockets))
    os.environ["LISTEN_PID"] = str(os.getpid())
    if args.no_names:
        os.environ.pop("LISTEN_FDNAMES", None)
    else:
        os.environ["LISTEN_FDNAMES"] = ":".join(name for name, _ in sockets)
    os.execvp(command[0], command)


if __name__ == "__main__":
    main()
