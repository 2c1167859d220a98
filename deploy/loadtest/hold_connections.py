"""Opens N TCP connections to HOST:PORT, touches READY_FILE, holds them for at most SECONDS.

With a sixth argument, `request`, each connection first makes one HTTP request (GET /) and reads
its answer: a keep-alive connection that has served a request and sits idle, as pooling clients
leave them. Without it, the connections never send a byte.
"""
import resource
import socket
import sys
import time

host, port, count, seconds, ready_file = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
one_request = len(sys.argv) > 6 and sys.argv[6] == "request"
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, count + 1024), hard))


def answered(connection):
    """Sends GET / and reads the whole answer (a Content-Length body)."""
    connection.sendall(b"GET / HTTP/1.1\r\nHost: usher\r\n\r\n")
    received = b""
    while b"\r\n\r\n" not in received:
        chunk = connection.recv(4096)
        if not chunk:
            raise ConnectionError("closed before the answer's head")
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
            raise ConnectionError("closed before the answer's body")
        body += chunk
    if not head.startswith(b"HTTP/1.1 200"):
        raise ConnectionError("unexpected answer: " + head.split(b"\r\n")[0].decode("latin-1"))


held = []
for _ in range(count):
    connection = socket.create_connection((host, port))
    if one_request:
        answered(connection)
    held.append(connection)
open(ready_file, "w").close()
deadline = time.monotonic() + seconds
while time.monotonic() < deadline:
    time.sleep(0.2)
