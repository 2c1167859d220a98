"""What the Python load clients of this directory share: percentiles, the connect-time histogram
whose buckets make the kernel's SYN retries (~1 s, ~3 s, ~7 s, ~15 s) visible, progress lines,
and the file-descriptor limit."""
import asyncio
import math
import resource
import sys
import time

# Edges in seconds. Linux retransmits an unanswered SYN after 1 s, then 2, 4, 8 s more: a connect
# whose first SYN was dropped at a full listen queue lands near 1 s, one dropped twice near 3 s, ...
CONNECT_BUCKETS = [
    (0.0, 0.001, "< 1 ms"),
    (0.001, 0.010, "1-10 ms"),
    (0.010, 0.100, "10-100 ms"),
    (0.100, 0.500, "0.1-0.5 s"),
    (0.500, 0.900, "0.5-0.9 s"),
    (0.900, 1.500, "0.9-1.5 s  (SYN retry 1, ~1 s)"),
    (1.500, 2.800, "1.5-2.8 s"),
    (2.800, 3.500, "2.8-3.5 s  (SYN retry 2, ~3 s)"),
    (3.500, 6.500, "3.5-6.5 s"),
    (6.500, 7.800, "6.5-7.8 s  (SYN retry 3, ~7 s)"),
    (7.800, 14.50, "7.8-14.5 s"),
    (14.50, 16.00, "14.5-16 s  (SYN retry 4, ~15 s)"),
    (16.00, math.inf, ">= 16 s"),
]

# Connects at least this long waited for a retransmitted SYN (a dropped handshake).
RETRY_THRESHOLD_SECONDS = 0.9


def percentiles(values_ms, points=(50, 90, 99, 99.9)):
    """Nearest-rank percentiles, mean and max of `values_ms`; {} when there are none."""
    if not values_ms:
        return {}
    ordered = sorted(values_ms)
    result = {}
    for point in points:
        rank = max(1, math.ceil(point / 100 * len(ordered)))
        result[f"p{point:g}"] = ordered[rank - 1]
    result["mean"] = sum(ordered) / len(ordered)
    result["max"] = ordered[-1]
    return result


def histogram(values_seconds, buckets=CONNECT_BUCKETS):
    """[[label, low, high, count], ...] over `buckets`, every bucket listed (empty ones too)."""
    counts = [0] * len(buckets)
    for value in values_seconds:
        for index, (low, high, _) in enumerate(buckets):
            if low <= value < high:
                counts[index] += 1
                break
    return [[label, low, None if math.isinf(high) else high, count]
            for (low, high, label), count in zip(buckets, counts)]


def print_histogram(title, rows, out=sys.stdout, width=50):
    """A text histogram: one line a bucket, a bar of # scaled to the largest bucket."""
    top = max((row[3] for row in rows), default=0)
    print(title, file=out)
    for label, _, _, count in rows:
        bar = "#" * (0 if top == 0 else max(1 if count else 0, round(width * count / top)))
        print(f"  {label:<32} {count:>7}  {bar}", file=out)


def raise_fd_limit(needed):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = needed + 256
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, wanted), hard))
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < wanted:
        raise SystemExit(f"open-file limit {soft} is below the {wanted} descriptors needed: lower the count or raise ulimit -n")


async def report_progress(name, describe, every=1.0):
    """Prints `describe()` every `every` seconds until cancelled."""
    start = time.monotonic()
    while True:
        await asyncio.sleep(every)
        print(f"[{name} +{time.monotonic() - start:5.1f}s] {describe()}", file=sys.stderr, flush=True)


async def run_clients(name, describe, coroutines, timeout):
    """Runs the clients with a progress line every second; cancels whatever is left at timeout.

    Returns the seconds the run took."""
    start = time.perf_counter()
    progress = asyncio.create_task(report_progress(name, describe))
    tasks = [asyncio.create_task(coroutine) for coroutine in coroutines]
    _, pending = await asyncio.wait(tasks, timeout=timeout)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    progress.cancel()
    return time.perf_counter() - start
