"""Opens N TCP connections to HOST:PORT, touches READY_FILE, holds them for at most SECONDS."""
import resource
import socket
import sys
import time

host, port, count, seconds, ready_file = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, count + 1024), hard))
held = []
for _ in range(count):
    held.append(socket.create_connection((host, port)))
open(ready_file, "w").close()
deadline = time.monotonic() + seconds
while time.monotonic() < deadline:
    time.sleep(0.2)
