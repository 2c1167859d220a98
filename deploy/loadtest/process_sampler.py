"""Samples the server process once a second: what the kernel says of it (/proc/PID: resident memory,
descriptors, threads) beside what its /metrics says (heap, heap after GC, direct memory, Netty's
allocator, open connections). The memory and descriptor record of hostile.sh and soak.sh.

usage: process_sampler.py PID METRICS-URL CSV [--interval 1] [--gc-every 0 [--trim]] [--max-seconds 3600]
       process_sampler.py PID METRICS-URL CSV --once LABEL [--gc-every 1] [--trim]

Columns of CSV (one row a sample, flushed as written; empty where a value could not be read):
  epoch           when the sample was taken (seconds)
  rss_bytes       VmRSS of /proc/PID/status: the process's resident memory
  fds             entries of /proc/PID/fd: open descriptors
  threads         Threads of /proc/PID/status
  heap_used       jvm_memory_used_bytes{area="heap"}, summed over the pools
  heap_committed  jvm_memory_committed_bytes{area="heap"}
  heap_after_gc   jvm_gc_live_data_size_bytes: the old generation after the last collection that
                  reduced it (a full collection, or G1's mixed ones); 0 before the first
  direct_bytes    jvm_buffer_memory_used_bytes{id="direct"}: the JDK's direct buffers
  netty_direct    netty_allocator_memory_used_bytes{memory_type="direct"}: memory Netty's allocator holds
  connections     server_connections_active, summed over the listeners
  forced_gc       1 when a full collection was asked for (jcmd PID GC.run) just before this sample
                  (and, with --trim, the native heap trimmed)

--gc-every N asks the JVM for a full collection (jcmd PID GC.run) every N seconds before sampling,
so that heap_after_gc is the live heap then, not whatever the last old collection left (a young
collection never updates it, so without this it can stay 0 or stale for a whole run); with --trim,
the C library then hands its free memory back to the kernel (jcmd PID System.trim_native_heap), so
that rss_bytes in those rows is what the process really holds.
Stops at --max-seconds, on SIGTERM/SIGINT, or when PID is gone.

--once LABEL appends one sample to CSV (the header first when the file is new) with LABEL as an
extra first column, after a full collection when --gc-every is above 0 (and after the C library has
handed its free memory back to the kernel, with --trim: jcmd PID System.trim_native_heap); when the JVM tracks its
native memory (-XX:NativeMemoryTracking=summary), also writes `jcmd PID VM.native_memory summary`
to nmt-LABEL.txt beside CSV and adds its total committed bytes as the column nmt_committed.
"""
import argparse
import csv
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

from promtext import Metrics, parse

COLUMNS = ["epoch", "rss_bytes", "fds", "threads", "heap_used", "heap_committed", "heap_after_gc",
           "direct_bytes", "netty_direct", "connections", "forced_gc"]


def proc_status(pid):
    values = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key == "VmRSS":
                values["rss_bytes"] = int(value.split()[0]) * 1024
            elif key == "Threads":
                values["threads"] = int(value)
    values["fds"] = len(os.listdir(f"/proc/{pid}/fd"))
    return values


def from_metrics(url):
    with urllib.request.urlopen(url, timeout=2) as response:
        m = Metrics(parse(response.read().decode("utf-8")))
    return {
        "heap_used": m.value("jvm_memory_used_bytes", area="heap"),
        "heap_committed": m.value("jvm_memory_committed_bytes", area="heap"),
        "heap_after_gc": m.value("jvm_gc_live_data_size_bytes"),
        "direct_bytes": m.value("jvm_buffer_memory_used_bytes", id="direct"),
        "netty_direct": m.value("netty_allocator_memory_used_bytes", memory_type="direct"),
        "connections": m.value("server_connections_active"),
    }


def jcmd():
    java_home = os.environ.get("JAVA_HOME")
    return os.path.join(java_home, "bin", "jcmd") if java_home else "jcmd"


def gc(pid):
    done = subprocess.run([jcmd(), str(pid), "GC.run"], capture_output=True, timeout=30)
    if done.returncode != 0:
        print(f"[process-sampler] jcmd GC.run failed: {done.stdout.decode()[-200:]}", file=sys.stderr)
        return False
    time.sleep(0.1)  # the GC notification updates the meter on its own thread
    return True


def trim(pid):
    subprocess.run([jcmd(), str(pid), "System.trim_native_heap"], capture_output=True, timeout=30)


def sample(pid, url):
    row = {}
    row.update(proc_status(pid))
    try:
        row.update(from_metrics(url))
    except (OSError, urllib.error.URLError) as error:
        print(f"[process-sampler] scrape of {url} failed: {error}", file=sys.stderr)
    row["epoch"] = f"{time.time():.3f}"
    return row


def once(args):
    row = {"forced_gc": 1 if args.gc_every > 0 and gc(args.pid) else 0}
    if args.trim:
        trim(args.pid)
    row.update(sample(args.pid, args.url))
    done = subprocess.run([jcmd(), str(args.pid), "VM.native_memory", "summary"], capture_output=True, timeout=30)
    text = done.stdout.decode("utf-8", "replace")
    total = re.search(r"Total: reserved=\d+KB, committed=(\d+)KB", text)
    if total:
        with open(os.path.join(os.path.dirname(args.csv) or ".", f"nmt-{args.once}.txt"), "w", encoding="utf-8") as f:
            f.write(text)
        row["nmt_committed"] = int(total.group(1)) * 1024
    new = not os.path.exists(args.csv)
    with open(args.csv, "a", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        if new:
            writer.writerow(["label"] + COLUMNS + ["nmt_committed"])
        writer.writerow([args.once] + ["" if row.get(c) is None else row[c] for c in COLUMNS + ["nmt_committed"]])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pid", type=int)
    parser.add_argument("url")
    parser.add_argument("csv")
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument("--gc-every", type=float, default=0.0)
    parser.add_argument("--max-seconds", type=float, default=3600)
    parser.add_argument("--once", metavar="LABEL")
    parser.add_argument("--trim", action="store_true",
                        help="after each forced collection, jcmd PID System.trim_native_heap too")
    args = parser.parse_args()
    if args.once:
        once(args)
        return

    stopping = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stopping.append(True))
    start = time.monotonic()
    next_gc = start + args.gc_every if args.gc_every > 0 else None
    failing = False
    with open(args.csv, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(COLUMNS)
        tick = 0
        while not stopping and time.monotonic() - start < args.max_seconds:
            row = {"forced_gc": 0}
            if next_gc is not None and time.monotonic() >= next_gc:
                next_gc += args.gc_every
                row["forced_gc"] = 1 if gc(args.pid) else 0
                if args.trim:
                    trim(args.pid)
            try:
                row.update(proc_status(args.pid))
            except (FileNotFoundError, ProcessLookupError):
                break
            try:
                row.update(from_metrics(args.url))
                failing = False
            except (OSError, urllib.error.URLError) as error:
                if not failing:
                    print(f"[process-sampler] scrape of {args.url} failed: {error}", file=sys.stderr)
                failing = True
            row["epoch"] = f"{time.time():.3f}"
            writer.writerow(["" if row.get(c) is None else row[c] for c in COLUMNS])
            file.flush()
            tick += 1
            pause = start + tick * args.interval - time.monotonic()
            if pause < 0:
                tick += int(-pause // args.interval) + 1
                pause = start + tick * args.interval - time.monotonic()
            time.sleep(max(0.0, pause))


if __name__ == "__main__":
    main()
