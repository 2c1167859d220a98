"""Scrapes usher's /metrics every INTERVAL seconds into a CSV, one row a scrape, one column a series
(every server_* series, plus process CPU and open files), and prints a progress line a second.

usage: sample_metrics.py URL CSV [--interval 0.25] [--max-seconds 600]
Stops at --max-seconds or on SIGTERM/SIGINT; every row is flushed as it is written.
"""
import argparse
import csv
import signal
import sys
import time
import urllib.error
import urllib.request

from promtext import Metrics, parse

KEPT = ("server_", "process_cpu_usage", "process_files_open_files")


def scrape(url):
    with urllib.request.urlopen(url, timeout=2) as response:
        return parse(response.read().decode("utf-8"))


def progress_line(elapsed, now, then, seconds):
    def rate(name):
        a, b = now.value(name), then.value(name)
        return None if a is None or b is None else (a - b) / seconds

    parts = []
    requests = rate("server_http_requests_total")
    if requests is not None:
        parts.append(f"{requests:,.0f} req/s")
    else:
        received = rate("server_bytes_received_total")
        if received is not None:
            parts.append(f"{received / 1e6:,.2f} MB/s in")
    accepted, refused = rate("server_connections_accepted_total"), rate("server_connections_refused_total")
    if accepted is not None:
        parts.append(f"accepted {accepted:,.0f}/s")
    if refused is not None:
        parts.append(f"refused {refused:,.0f}/s")
    active = now.value("server_connections_active")
    if active is not None:
        parts.append(f"active {active:,.0f}")
    depth, peak, limit = (now.value(f"server_listen_queue_{n}") for n in ("depth", "peak", "limit"))
    if depth is not None:
        parts.append(f"listen queue {depth:.0f} (peak {peak:.0f} of {limit:.0f})")
    overflows = rate("server_listen_overflows_total")
    if overflows is not None:
        parts.append(f"overflows {overflows * seconds:+,.0f}")
    return f"[sampler +{elapsed:5.1f}s] " + ", ".join(parts)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("csv")
    parser.add_argument("--interval", type=float, default=0.25)
    parser.add_argument("--max-seconds", type=float, default=600)
    parser.add_argument("--progress-every", type=float, default=1.0)
    args = parser.parse_args()

    stopping = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stopping.append(True))

    start = time.monotonic()
    start_wall = time.time()
    columns = None
    last_progress = None
    failing = False
    with open(args.csv, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        tick = 0
        while not stopping and time.monotonic() - start < args.max_seconds:
            try:
                series = scrape(args.url)
                failing = False
            except (OSError, urllib.error.URLError) as error:
                if not failing:
                    print(f"[sampler] scrape of {args.url} failed: {error}", file=sys.stderr)
                failing = True
                series = None
            if series is not None:
                epoch = time.time()
                if columns is None:
                    columns = sorted(key for key in series if key.startswith(KEPT))
                    writer.writerow(["epoch"] + columns)
                writer.writerow([f"{epoch:.3f}"] + [_format(series.get(key)) for key in columns])
                file.flush()
                metrics = Metrics(series)
                if last_progress is None:
                    last_progress = (epoch, metrics)
                elif epoch - last_progress[0] >= args.progress_every * 0.99:
                    print(progress_line(epoch - start_wall, metrics, last_progress[1],
                                        epoch - last_progress[0]), file=sys.stderr, flush=True)
                    last_progress = (epoch, metrics)
            tick += 1
            pause = start + tick * args.interval - time.monotonic()
            if pause < 0:  # a slow scrape: skip the ticks it overran rather than bunching up
                tick += int(-pause // args.interval) + 1
                pause = start + tick * args.interval - time.monotonic()
            time.sleep(max(0.0, pause))


def _format(value):
    if value is None:
        return ""
    return f"{value:.9g}"


if __name__ == "__main__":
    main()
