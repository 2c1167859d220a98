"""The table of hostile.sh: one row per attack, the probe's view of usher during it, how the hostile
connections ended (usher's meters), and memory and descriptors before and after. Exits 1 when a
check fails (they are listed under the table). Writes summary.md and report.html.

usage: hostile_report.py RESULTS-DIR

Reads what hostile.sh leaves: attacks.csv (name, start, end of the attack, when usher was back to
its baseline, the attack tool's exit status, RSS and descriptors at the start and once back to the
baseline), phases.csv and PHASE.before/after.prom (report.py's
format), probe.tsv (probe.py), process.csv (process_sampler.py), samples.csv, and each tool's own
record (slowhttptest's CSV, hostile_clients.py's and smuggle.py's JSON, smuggling.out).
"""
import csv
import html
import json
import math
import os
import sys

from clientstats import percentiles
from report import Samples, line_chart, read_env, read_phases, server_charts, STYLE

# (label, low, high] in seconds, over server_connection_duration_seconds' buckets
LIFETIMES = [("< 1 s", 0, 1.0), ("1-5 s", 1.0, 5.0), ("5-10 s", 5.0, 10.0), ("10-30 s", 10.0, 30.0),
             ("> 30 s", 30.0, math.inf)]
MIB = 1024 * 1024


def read_csv(path, delimiter=","):
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as file:
        return list(csv.reader(file, delimiter=delimiter))


class Probe:
    def __init__(self, path):
        self.rows = []
        for row in read_csv(path, delimiter="\t"):
            if len(row) == 5:
                self.rows.append((float(row[0]), row[1], float(row[2]), row[3], row[4] == "1"))

    def window(self, kind, start, end):
        return [r for r in self.rows if r[1] == kind and start <= r[0] <= end]

    def stats(self, kind, start, end):
        rows = self.window(kind, start, end)
        ok = [r[2] for r in rows if r[3] == "ok"]
        failed = {}
        for r in rows:
            if r[3] != "ok":
                failed[r[3]] = failed.get(r[3], 0) + 1
        return {"requests": len(rows), "ok": percentiles(ok, points=(50, 99)), "failed": failed}

    def connections(self, start, end):
        return sum(1 for r in self.rows if start <= r[0] <= end and r[4])


class Process:
    def __init__(self, path):
        rows = read_csv(path)
        self.header = rows[0] if rows else []
        self.rows = [{k: (float(v) if v != "" else None) for k, v in zip(self.header, row)} for row in rows[1:]]

    def peak(self, column, start, end):
        values = [r[column] for r in self.rows if start <= r["epoch"] <= end and r.get(column) is not None]
        return max(values) if values else None


def mib(value):
    return "?" if value is None else f"{value / MIB:,.0f}"


def ms(stats):
    p = stats["ok"]
    text = f"{p['p50']:.1f} / {p['p99']:.1f}" if p else "—"
    failed = sum(stats["failed"].values())
    if failed:
        text += f" (**{failed} of {stats['requests']} failed**: " + ", ".join(
            f"{k} {v}" for k, v in sorted(stats["failed"].items())) + ")"
    return text


def lifetimes(delta):
    buckets = delta.buckets("server_connection_duration_seconds")
    if not buckets:
        return {}
    cumulative = dict(buckets)
    found = {}
    for label, low, high in LIFETIMES:
        upper = cumulative.get(high, cumulative.get(math.inf, 0.0)) if not math.isinf(high) else cumulative.get(math.inf, 0.0)
        lower = cumulative.get(low, 0.0) if low else 0.0
        if upper - lower:
            found[label] = upper - lower
    return found


def slowhttptest_view(directory, name):
    rows = read_csv(os.path.join(directory, f"{name}.csv"))
    if len(rows) < 2:
        return None
    connected = [int(r[3]) for r in rows[1:] if len(r) > 3 and r[3].isdigit()]
    closed = [int(r[1]) for r in rows[1:] if len(r) > 1 and r[1].isdigit()]
    return {"connected_max": max(connected, default=0), "closed": closed[-1] if closed else 0}


def load_json(directory, name):
    path = os.path.join(directory, f"{name}.json")
    return json.load(open(path, encoding="utf-8")) if os.path.exists(path) else None


def client_view(directory, name, command):
    """What the attacking tool saw: a short text, the connections it opened (None if unknown)."""
    if name == "baseline":
        return "—", 0
    view = slowhttptest_view(directory, name)
    if view is not None:
        opened = int(command.split(" -c ")[1].split()[0]) if " -c " in command else None
        return (f"slowhttptest: {opened:,} opened, {view['connected_max']:,} connected at most, "
                f"{view['closed']:,} seen closed by the end"), opened
    data = load_json(directory, name)
    if data is None:
        return "(no record)", None
    if name == "smuggling":
        exchanges = len(data["results"])
        verdicts = {}
        for r in data["results"]:
            verdicts[r["verdict"]] = verdicts.get(r["verdict"], 0) + 1
        return (f"smuggle.py: {exchanges} connections; " + ", ".join(f"{k} {v}" for k, v in sorted(verdicts.items())),
                exchanges)
    ends = ", ".join(f"{k} {v:,}" for k, v in sorted(data.get("ended", {}).items()))
    text = f"{data['connections']:,} opened, {data['connected']:,} connected, {data['open_max']:,} open at most; ended: {ends}"
    for how, p in data.get("lifetime_ms", {}).items():
        if p:
            text += f"; {how} after p50 {p['p50'] / 1e3:.2f} s, max {p['max'] / 1e3:.2f} s"
    if name == "never-read":
        text += f"; {data['requests_sent']:,} requests sent"
    if name == "half-close":
        text += f"; not answered and closed as expected: {data['unexpected']}"
    return text, data["connected"]


def died_because(directory):
    """The line of usher's log that says why the JVM ended."""
    path = os.path.join(directory, "usher.log")
    lines = open(path, encoding="utf-8", errors="replace").read().splitlines() if os.path.exists(path) else []
    for line in lines:
        if "Terminating due to" in line or "OutOfMemoryError" in line or "received SIG" in line:
            return line.strip()
    return lines[-1].strip() if lines else "(no log)"


def main():
    if len(sys.argv) != 2 or not os.path.isdir(sys.argv[1]):
        raise SystemExit(__doc__)
    directory = sys.argv[1]
    run = read_env(os.path.join(directory, "run.env"))
    phases = {p.name: p for p in read_phases(directory)}
    samples = Samples(os.path.join(directory, "samples.csv"))
    probe = Probe(os.path.join(directory, "probe.tsv"))
    process = Process(os.path.join(directory, "process.csv"))
    attacks = [r for r in read_csv(os.path.join(directory, "attacks.csv")) if r]

    rows, details, failures = [], [], []
    for name, start, attack_end, settled, status, rss_before, fds_before, rss_after, fds_after in attacks:
        start, attack_end = float(start), float(attack_end)
        settled = float(settled) if settled else None
        phase = phases[name]
        delta = phase.delta
        new = probe.stats("new", start, attack_end)
        kept = probe.stats("keepalive", start, attack_end)
        probe_connections = probe.connections(phase.start, phase.end)
        accepted = delta.value("server_connections_accepted_total") or 0
        refused = delta.by_label("server_connections_refused_total", "reason")
        statuses = delta.by_label("server_http_requests_total", "status_class")
        probe_ok = sum(1 for r in probe.rows if phase.start <= r[0] <= phase.end and r[3] == "ok")
        held = samples.max_between("server_connections_active", phase.start, phase.end)
        ended = []
        for reason, n in sorted(refused.items()):
            if n:
                ended.append(f"refused {reason} {n:+,.0f}")
        for cls, n in sorted(statuses.items()):
            n -= probe_ok if cls == "2xx" else 0
            if n:
                ended.append(f"{cls} {n:+,.0f}")
        life = lifetimes(delta)
        if life:
            ended.append("closed after " + ", ".join(f"{k}: {v:,.0f}" for k, v in life.items()))
        if status == "died":
            ended = ["(usher died: no scrape after the attack)"]
        text, opened = client_view(directory, name, phase.client_command)
        rss_peak = process.peak("rss_bytes", start, phase.end)
        netty_peak = process.peak("netty_direct", start, phase.end)
        if status == "died":
            back = "**usher died**: " + died_because(directory)
        elif settled:
            back = f"{settled - attack_end:.1f} s"
        else:
            back = f"**no** (after {phase.end - attack_end:.0f} s)"
        rows.append("| " + " | ".join([
            name,
            "—" if opened is None else f"{opened:,}",
            "—" if held is None else f"{held:,.0f}",
            "; ".join(ended) or "—",
            ms(new), ms(kept),
            f"{mib(float(rss_before))} → {mib(float(rss_after)) if rss_after else '—'} (peak {mib(rss_peak)})",
            f"{mib(netty_peak)}",
            f"{fds_before} → {fds_after or '—'}",
            back]) + " |")
        server_connections = accepted + sum(refused.values()) - probe_connections
        details.append(f"- **{name}** (`{phase.client_command}`): {text}. usher: accepted {accepted:+,.0f}, "
                       f"refused {sum(refused.values()):+,.0f}, of which the probe's {probe_connections:,}: "
                       f"{server_connections:,.0f} hostile connections reached usher; listen overflows "
                       f"{delta.value('server_listen_overflows_total') or 0:+,.0f}, SYN cookies "
                       f"{delta.value('server_listen_syncookies_sent_total') or 0:+,.0f} (namespace-wide).")
        if sum(kept["failed"].values()):
            failures.append(f"{name}: the kept-alive probe failed {sum(kept['failed'].values())} time(s)")
        if sum(new["failed"].values()) and name != "flood":
            failures.append(f"{name}: the new-connection probe failed {sum(new['failed'].values())} time(s)")
        if status == "died":
            failures.append(f"{name}: usher died: {died_because(directory)}")
        elif not settled:
            failures.append(f"{name}: usher had not ended every hostile connection {phase.end - attack_end:.0f} s later")
        if status not in ("0", "died"):
            failures.append(f"{name}: the attack tool exited {status}")
        if name == "half-close":
            data = load_json(directory, name)
            if data is None or data.get("unexpected"):
                failures.append("half-close: a half-closed client was not answered and closed as expected")

    header = ("| attack | hostile connections | held at most (server_connections_active) | how they ended (usher's meters) "
              "| probe, new connection p50 / p99 ms | probe, kept alive p50 / p99 ms | RSS MiB before → after (peak) "
              "| Netty direct MiB peak | descriptors before → after | back to baseline after |")
    lines = [f"## Summary: hostile ({run.get('command', '').strip()})", "",
             f"usher: `{run.get('settings', '')}` {run.get('usher_opts', '')}; JVM: {run.get('jvm', '?')}", "",
             header, "|" + "---|" * 10] + rows + [
        "", "Read: after 1-5 s means the request timeout (408) and its linger ended the connection, after 5-10 s the "
            "idle timeout; refused max_connections is usher's reset at the limit. The probe's own connections "
            "(its kept-alive one, and one new connection every 0.1 s) are left out of the counts where known; "
            "\"held at most\" includes the probe's one or two.", ""] + details
    memory = [r for r in read_csv(os.path.join(directory, "memory.csv"))]
    if len(memory) > 1:
        lines += ["", "Memory (MiB); \"heap used\" is the live heap where a full collection (jcmd GC.run) came first:", "",
                  "| when | full GC first | RSS | heap used | heap committed | Netty direct | JDK direct buffers | NMT committed | descriptors |",
                  "|---|---|---|---|---|---|---|---|---|"]
        columns = memory[0]
        for values in memory[1:]:
            r = {k: (float(v) if v not in ("", None) and k != "label" else v) for k, v in zip(columns, values)}
            lines.append(f"| {r['label']} | {'yes' if r.get('forced_gc') else 'no'} | {mib(r.get('rss_bytes') or None)} | {mib(r.get('heap_used') or None)} | "
                         f"{mib(r.get('heap_committed') or None)} | {mib(r.get('netty_direct') or None)} | "
                         f"{mib(r.get('direct_bytes') or None)} | "
                         f"{mib(r.get('nmt_committed')) if r.get('nmt_committed') else '(NMT off)'} | "
                         f"{r.get('fds') or 0:.0f} |")
    smuggling = os.path.join(directory, "smuggling.out")
    if os.path.exists(smuggling):
        lines += ["", "### Request smuggling (smuggle.py)", ""] + open(smuggling, encoding="utf-8").read().splitlines()
    lines += ["", "checks: " + ("all passed" if not failures else "FAILED"), ""]
    lines += [f"- FAILED: {f}" for f in failures]
    markdown = "\n".join(lines)
    print()
    print(markdown)
    with open(os.path.join(directory, "summary.md"), "w", encoding="utf-8") as file:
        file.write(markdown + "\n")
    write_html(directory, run, markdown, samples, list(phases.values()), process, probe)
    sys.exit(1 if failures else 0)


def write_html(directory, run, markdown, samples, phases, process, probe):
    charts = []
    if process.rows:
        t0 = samples.epochs[0] if len(samples) else process.rows[0]["epoch"]
        xs = [r["epoch"] - t0 for r in process.rows]
        markers = [(f"{p.name}", p.start - t0) for p in phases]
        charts.append(line_chart("Memory (MiB): resident, heap committed, Netty's direct memory", xs, [
            ("RSS", [None if r["rss_bytes"] is None else r["rss_bytes"] / MIB for r in process.rows], False),
            ("heap committed", [None if r["heap_committed"] is None else r["heap_committed"] / MIB for r in process.rows], True),
            ("Netty direct", [None if r["netty_direct"] is None else r["netty_direct"] / MIB for r in process.rows], False)],
            markers, "MiB"))
        charts.append(line_chart("Descriptors (/proc/PID/fd)", xs,
                                 [("descriptors", [r["fds"] for r in process.rows], False)], markers, "descriptors"))
        for kind in ("new", "keepalive"):
            rows = [r for r in probe.rows if r[1] == kind]
            charts.append(line_chart(f"Probe ({kind}): milliseconds per request (failures drawn at 0)",
                                     [r[0] - t0 for r in rows], [("ms", [r[2] if r[3] == "ok" else 0 for r in rows], False)],
                                     markers, "ms"))
    charts += server_charts(samples, phases)
    body = [f"<h1>usher: hostile clients</h1><p>{html.escape(run.get('description', ''))}</p>",
            "<pre>" + html.escape(markdown) + "</pre>"] + charts
    page = ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>usher: hostile clients</title>"
            f"<style>{STYLE}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n")
    with open(os.path.join(directory, "report.html"), "w", encoding="utf-8") as file:
        file.write(page)


if __name__ == "__main__":
    main()
