"""The verdict of soak.sh: a least-squares slope for each quantity process_sampler.py recorded,
fitted from --fit-after seconds after the mix began to its end, against the bounds stated here.
Prints the table, writes growth.json, summary.md and report.html, and exits 1 when a bound is
exceeded (the slope minus twice its standard error at or above it: growth beyond the series' own
noise), a client of the mix saw what it should not have, or usher's descriptors did not come back.

usage: soak_report.py RESULTS-DIR --from EPOCH --to EPOCH [--fit-after 20] [--settled EPOCH] [--mix-status N]
"""
import argparse
import csv
import html
import json
import math
import os
import re
import sys

from report import line_chart, read_env, STYLE

MIB = 1024 * 1024
# (name, what, unit, scale, bound per minute, how a row's value is made, samples it is fitted on,
# the shortest fitted window its verdict is given for)
QUANTITIES = [
    ("heap after GC", "jvm_gc_live_data_size_bytes after jcmd GC.run", "MiB", MIB, 1.0,
     lambda r: r["heap_after_gc"], "forced", 0),
    ("direct memory", "JDK direct buffers + Netty's allocator", "MiB", MIB, 1.0,
     lambda r: None if r["direct_bytes"] is None or r["netty_direct"] is None else r["direct_bytes"] + r["netty_direct"],
     "all", 0),
    # In its first two minutes the JVM is still compiling and G1 still sizing the heap: RSS takes a
    # step or two of ~10 MiB there (measured), which a short fit reads as growth.
    ("RSS", "VmRSS of /proc/PID/status after GC.run and System.trim_native_heap", "MiB", MIB, 2.0,
     lambda r: r["rss_bytes"], "forced", 300),
    ("descriptors beyond connections", "/proc/PID/fd entries - server_connections_active", "", 1, 1.0,
     lambda r: None if r["fds"] is None or r["connections"] is None else r["fds"] - r["connections"], "all", 0),
    ("open connections", "server_connections_active", "", 1, 1.0, lambda r: r["connections"], "all", 0),
]


def fit(points):
    """(slope per second, its standard error) of the least-squares line through (t, v) points."""
    n = len(points)
    if n < 3:
        return None, None
    mean_t = sum(t for t, _ in points) / n
    mean_v = sum(v for _, v in points) / n
    stt = sum((t - mean_t) ** 2 for t, _ in points)
    if stt == 0:
        return None, None
    slope = sum((t - mean_t) * (v - mean_v) for t, v in points) / stt
    residual = sum((v - mean_v - slope * (t - mean_t)) ** 2 for t, v in points)
    error = math.sqrt(residual / (n - 2) / stt)
    return slope, error


def read_process(path):
    with open(path, encoding="utf-8") as file:
        rows = list(csv.reader(file))
    header = rows[0]
    return [{k: (float(v) if v != "" else None) for k, v in zip(header, row)} for row in rows[1:]]


def h2load_failures(path):
    if not os.path.exists(path):
        return None
    text = open(path, encoding="utf-8", errors="replace").read()
    match = re.search(r"requests: (\d+) total, \d+ started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored", text)
    if not match:
        return None
    total, done, succeeded, failed, errored = map(int, match.groups())
    return {"total": total, "succeeded": succeeded, "failed": failed, "errored": errored}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory")
    parser.add_argument("--from", dest="start", type=float, required=True)
    parser.add_argument("--to", dest="end", type=float, required=True)
    parser.add_argument("--fit-after", type=float, default=20)
    parser.add_argument("--settled", default="")
    parser.add_argument("--mix-status", default="0")
    args = parser.parse_args()
    directory = args.directory
    run = read_env(os.path.join(directory, "run.env"))
    rows = read_process(os.path.join(directory, "process.csv"))
    fit_from = args.start + args.fit_after

    failures, table, growth = [], [], {}
    for name, what, unit, scale, bound, value, which, shortest in QUANTITIES:
        points = [(r["epoch"], value(r)) for r in rows
                  if fit_from <= r["epoch"] <= args.end and value(r) is not None
                  and (which == "all" or r["forced_gc"] == 1)]
        slope, error = fit(points)
        if slope is None:
            failures.append(f"{name}: fewer than three samples to fit")
            table.append(f"| {name} | {what} | — | — | — | < {bound:g} {unit}/min | no samples |")
            continue
        per_minute, error_minute = slope * 60 / scale, error * 60 / scale
        first, last = points[0][1] / scale, points[-1][1] / scale
        # Growth fails when even the low end of the slope's ~95 % interval is at or above the bound:
        # a noisy series (RSS in a short run) is not failed for its noise, a steady leak is.
        judged = args.end - fit_from >= shortest
        ok = per_minute - 2 * error_minute < bound
        if judged and not ok:
            failures.append(f"{name} grew {per_minute:+.3g} ± {error_minute:.2g} {unit}/min (bound {bound:g})")
        growth[name] = {"per_minute": per_minute, "standard_error": error_minute, "unit": unit or "count",
                        "bound_per_minute": bound, "samples": len(points), "first": first, "last": last}
        fmt = (lambda v: f"{v:,.1f}") if unit else (lambda v: f"{v:,.0f}")
        table.append(f"| {name} | {what} | {fmt(first)} → {fmt(last)} {unit} | {len(points)} | "
                     f"{per_minute:+.3f} ± {error_minute:.3f} {unit}/min | < {bound:g} {unit}/min | "
                     f"{('ok' if ok else '**EXCEEDED**') if judged else f'not judged: needs {shortest} s of fit'} |")

    mix = json.load(open(os.path.join(directory, "soak-mix.json"), encoding="utf-8")) \
        if os.path.exists(os.path.join(directory, "soak-mix.json")) else None
    clients = []
    if mix is None:
        failures.append("soak_mix.py left no record")
    else:
        for kind, outcomes in sorted(mix["counts"].items()):
            clients.append(f"| soak_mix.py: {kind} | " + ", ".join(f"{k} {v:,}" for k, v in sorted(outcomes.items())) + " |")
        if mix["unexpected"]:
            failures.append("soak_mix.py: " + json.dumps(mix["unexpected"]))
    for name in ("keepalive", "pipelined"):
        result = h2load_failures(os.path.join(directory, f"{name}.out"))
        if result is None:
            failures.append(f"h2load ({name}) printed no request counts")
            continue
        clients.append(f"| h2load ({name}) | {result['succeeded']:,} of {result['total']:,} succeeded, "
                       f"{result['failed']:,} failed, {result['errored']:,} errored |")
        if result["failed"] or result["errored"]:
            failures.append(f"h2load ({name}): {result['failed']} failed, {result['errored']} errored")
    if args.mix_status != "0":
        failures.append(f"a client of the mix exited with status {args.mix_status}")
    before, after = run.get("descriptors_before"), run.get("descriptors_after")
    if not args.settled:
        failures.append(f"descriptors did not come back: {before} before the mix, {after} after it "
                        f"({run.get('connections_after')} connections open)")

    lines = [f"## Summary: soak ({run.get('command', '').strip()})", "",
             f"usher: {run.get('usher_opts', '')}; JVM: {run.get('jvm', '?')}",
             f"mix for {args.end - args.start:.0f} s; slopes fitted from {args.fit_after:g} s after its start, "
             f"one sample a second (heap after GC and RSS: after each forced full collection and native heap trim, "
             f"every 10 s)", "",
             "| quantity | measured as | first → last fitted sample | samples | slope ± standard error | bound "
             "(failed when slope − 2 × error reaches it) | verdict |",
             "|---|---|---|---|---|---|---|"] + table + [
        "", f"Descriptors: {before} before the mix, {after} once it had stopped and usher had closed every connection"
            + ("" if args.settled else " (**not back**)") + ".", "",
        "| client | what it got |", "|---|---|"] + clients + [
        "", "checks: " + ("all passed" if not failures else "FAILED"), ""] + [f"- FAILED: {f}" for f in failures]
    markdown = "\n".join(lines)
    print()
    print(markdown)
    with open(os.path.join(directory, "summary.md"), "w", encoding="utf-8") as file:
        file.write(markdown + "\n")
    with open(os.path.join(directory, "growth.json"), "w", encoding="utf-8") as file:
        json.dump(growth, file, indent=1)
    write_html(directory, markdown, rows, args.start, fit_from)
    sys.exit(1 if failures else 0)


def write_html(directory, markdown, rows, start, fit_from):
    xs = [r["epoch"] - start for r in rows]
    markers = [("fit from", fit_from - start)]
    charts = []
    for name, what, unit, scale, bound, value, which, _ in QUANTITIES:
        if which == "forced":
            chosen = [r for r in rows if r["forced_gc"] == 1]
            charts.append(line_chart(f"{name} ({what})", [r["epoch"] - start for r in chosen],
                                     [(name, [None if value(r) is None else value(r) / scale for r in chosen], False)],
                                     markers, unit or "count"))
        else:
            charts.append(line_chart(f"{name} ({what})", xs,
                                     [(name, [None if value(r) is None else value(r) / scale for r in rows], False)],
                                     markers, unit or "count"))
    page = ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>usher: soak</title>"
            f"<style>{STYLE}</style></head><body>\n<h1>usher: soak</h1><pre>{html.escape(markdown)}</pre>\n"
            + "\n".join(charts) + "\n</body></html>\n")
    with open(os.path.join(directory, "report.html"), "w", encoding="utf-8") as file:
        file.write(page)


if __name__ == "__main__":
    main()
