"""The two sides of a load-test run: prints the summary table (client view beside server view, and
where they disagree) and writes report.html with inline SVG charts of the server's meters over the
run. Reads a results directory as the scenarios of deploy/loadtest/ leave it:

  run.env              key=value lines about the run (scenario, command, CPUs, usher options)
  phases.csv           name,start epoch,end epoch,client command   (one line a phase)
  PHASE.before.prom    /metrics scraped before the phase, PHASE.after.prom after it
  PHASE.client.json    the client view of the phase (client_view.py or a client of this directory)
  samples.csv          /metrics sampled during the run (sample_metrics.py)

usage: report.py RESULTS-DIR       (writes RESULTS-DIR/summary.md and RESULTS-DIR/report.html)
"""
import csv
import html
import json
import math
import os
import sys
from io import StringIO

from clientstats import RETRY_THRESHOLD_SECONDS, print_histogram
from promtext import Metrics, quantile

REFUSAL_REASONS = ("max_connections", "draining", "accept_error")
AGREE, EXPLAINED, DIFFER = "agree", "differ, explained", "DIFFER"


# ---------------------------------------------------------------------------------------------
# Reading a results directory


def read_env(path):
    values = {}
    if os.path.exists(path):
        for line in open(path, encoding="utf-8"):
            key, sep, value = line.rstrip("\n").partition("=")
            if sep:
                values[key] = value
    return values


class Phase:
    def __init__(self, directory, name, start, end, client_command):
        self.name, self.start, self.end, self.client_command = name, start, end, client_command
        self.before = Metrics.read(os.path.join(directory, f"{name}.before.prom"))
        self.after = Metrics.read(os.path.join(directory, f"{name}.after.prom"))
        self.delta = self.after.minus(self.before)
        client_file = os.path.join(directory, f"{name}.client.json")
        self.client = json.load(open(client_file, encoding="utf-8")) if os.path.exists(client_file) else {}

    @property
    def seconds(self):
        return self.end - self.start


def read_phases(directory):
    phases = []
    path = os.path.join(directory, "phases.csv")
    if os.path.exists(path):
        for row in csv.reader(open(path, encoding="utf-8")):
            if row:
                phases.append(Phase(directory, row[0], float(row[1]), float(row[2]), row[3] if len(row) > 3 else ""))
    return phases


class Samples:
    """The sampled scrapes: epoch times and one Metrics a row."""

    def __init__(self, path):
        self.epochs, self.rows = [], []
        if not os.path.exists(path):
            return
        with open(path, encoding="utf-8") as file:
            reader = csv.reader(file)
            header = next(reader, None)
            if not header:
                return
            for row in reader:
                self.epochs.append(float(row[0]))
                self.rows.append(Metrics({key: float(value) for key, value in zip(header[1:], row[1:]) if value != ""}))

    def __len__(self):
        return len(self.epochs)

    def series(self, name, **labels):
        return [row.value(name, **labels) for row in self.rows]

    def rate(self, name, **labels):
        """Per-second increase between consecutive samples (None for the first)."""
        values = self.series(name, **labels)
        rates = [None]
        for i in range(1, len(values)):
            if values[i] is None or values[i - 1] is None:
                rates.append(None)
            else:
                rates.append(max(0.0, values[i] - values[i - 1]) / (self.epochs[i] - self.epochs[i - 1]))
        return rates

    def windowed_quantile(self, q, name, window=1.0, **labels):
        """The q-quantile of the observations of histogram `name` made in the last `window` seconds
        before each sample (from the bucket differences); None where there were none."""
        result = []
        j = 0
        for i in range(len(self.rows)):
            while j + 1 < i and self.epochs[j + 1] <= self.epochs[i] - window:
                j += 1
            if j >= i:
                result.append(None)
                continue
            now, then = self.rows[i].buckets(name, **labels), dict(self.rows[j].buckets(name, **labels))
            result.append(quantile(q, [(bound, count - then.get(bound, 0.0)) for bound, count in now]))
        return result

    def max_between(self, name, start, end, **labels):
        values = [row.value(name, **labels) for epoch, row in zip(self.epochs, self.rows) if start <= epoch <= end]
        values = [v for v in values if v is not None]
        return max(values) if values else None


# ---------------------------------------------------------------------------------------------
# Formatting


def fmt_count(value):
    return "—" if value is None else f"{value:,.0f}"


def fmt_delta(value):
    return "—" if value is None else f"{value:+,.0f}"


def fmt_ms(ms):
    if ms is None:
        return "—"
    if ms >= 1000:
        return f"{ms / 1000:.2f} s"
    if ms >= 100:
        return f"{ms:.0f} ms"
    if ms >= 10:
        return f"{ms:.1f} ms"
    return f"{ms:.2f} ms"


def fmt_bytes(value):
    if value is None:
        return "—"
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if abs(value) >= size:
            return f"{value / size:,.2f} {unit}"
    return f"{value:,.0f} B"


def fmt_percentiles(values, keys=("p50", "p90", "p99", "p99.9", "max")):
    if not values:
        return "—"
    shown = [f"{key} {fmt_ms(values[key])}" for key in keys if key in values]
    if not shown:
        shown = [f"{key} {fmt_ms(value)}" for key, value in values.items()]
    return ", ".join(shown)


def histogram_ms(metrics, name, points=(0.5, 0.99), **labels):
    buckets = metrics.buckets(name, **labels)
    if not buckets or buckets[-1][1] <= 0:
        return None
    return ", ".join(f"p{q * 100:g} {fmt_ms(quantile(q, buckets) * 1e3)}" for q in points) + \
        f" ({buckets[-1][1]:,.0f} observed)"


def count_above(metrics, name, bound, **labels):
    """Observations of histogram `name` above `bound` (a bucket boundary)."""
    buckets = metrics.buckets(name, **labels)
    if not buckets:
        return None
    below = max((count for upper, count in buckets if upper <= bound), default=0.0)
    return buckets[-1][1] - below


# ---------------------------------------------------------------------------------------------
# The summary: client view beside server view, and the comparisons


class Summary:
    def __init__(self, run, phase, samples):
        self.run, self.phase, self.samples = run, phase, samples
        self.rows = []
        self.checks = []  # (topic, verdict, short form, text)

    def row(self, topic, client, server):
        if client not in (None, "—") or server not in (None, "—"):
            self.rows.append((topic, client or "—", server or "—"))

    def check(self, topic, verdict, short, text):
        self.checks.append((topic, verdict, short, text))

    def build(self):
        delta = self.phase.delta
        self.http = delta.value("server_http_requests_total")
        self.accepted = delta.value("server_connections_accepted_total")
        self.refused = delta.by_label("server_connections_refused_total", "reason")
        self.refused_total = sum(self.refused.values()) if self.refused else None
        self.overflows = delta.value("server_listen_overflows_total")
        self.active_max = self.samples.max_between("server_connections_active", self.phase.start, self.phase.end)
        self.request_rows()
        self.connection_rows()
        self.accept_path_rows()
        self.compare()

    def request_rows(self):
        client, delta, http = self.phase.client, self.phase.delta, self.http
        seconds = client.get("seconds", self.phase.seconds)
        self.row("duration", f"{client['seconds']:.1f} s" if "seconds" in client else None,
                 f"{self.phase.seconds:.1f} s between the scrapes")
        if "rps" in client or http is not None:
            self.row("throughput", f"{client['rps']:,.0f} req/s" if client.get("rps") is not None else None,
                     f"{http / seconds:,.0f} req/s (server_http_requests_total over the client's {seconds:.1f} s)"
                     if http is not None else None)
        if "requests" in client or http is not None:
            by_class = delta.by_label("server_http_requests_total", "status_class")
            classes = ", ".join(f"{k} {v:+,.0f}" for k, v in sorted(by_class.items()) if v)
            self.row("requests",
                     f"{client['requests']:,} answered, {client.get('non_2xx', 0):,} not 2xx" if "requests" in client
                     else None,
                     f"server_http_requests_total {fmt_delta(http)} ({classes or 'none'})" if http is not None else None)
        if "messages" in client:
            self.row("messages", f"{client['messages']:,} round trips, {client['messages_per_s']:,.0f}/s "
                                 f"of {client.get('message_bytes', '?')} B", "(no message meter; see bytes)")
        errors = client.get("errors", {})
        self.row("client errors", ", ".join(f"{k} {v:,}" for k, v in errors.items()) if errors else None,
                 "4xx {}, 5xx {}".format(fmt_delta(delta.value("server_http_requests_total", status_class="4xx")),
                                         fmt_delta(delta.value("server_http_requests_total", status_class="5xx")))
                 if http is not None else None)
        duration = histogram_ms(delta, "server_http_request_duration_seconds")
        self.row("latency", fmt_percentiles(client.get("latency_ms")),
                 f"request duration {duration}" if duration else None)
        if "bytes_sent" in client:
            self.row("bytes", f"sent {fmt_bytes(client['bytes_sent'])}, received {fmt_bytes(client['bytes_received'])}",
                     f"received {fmt_bytes(delta.value('server_bytes_received_total'))}, "
                     f"sent {fmt_bytes(delta.value('server_bytes_sent_total'))}")

    def connection_rows(self):
        client, refused = self.phase.client, self.refused
        by_reason = " (" + ", ".join(f"{k} {v:+,.0f}" for k, v in sorted(refused.items())) + ")" if refused else ""
        self.row("connections",
                 ("" if client.get("connections_exact", True) else "≈ ") + f"{client['connections']:,} opened"
                 + (f", {client['connected']:,} connected" if "connected" in client else "")
                 if "connections" in client else None,
                 f"accepted {fmt_delta(self.accepted)}, refused {fmt_delta(self.refused_total)}{by_reason}")
        if "outcomes" in client:
            self.row("what each client saw", ", ".join(f"{k} {v:,}" for k, v in client["outcomes"].items()),
                     f"refused max_connections {fmt_delta(refused.get('max_connections'))}")
        if client.get("refused_after_ms"):
            self.row("refusal seen after connect",
                     fmt_percentiles(client["refused_after_ms"], ("p50", "p99", "max")), None)
        self.row("open connections",
                 f"{client['open_max']:,} at most" if "open_max" in client
                 else (f"{client['concurrency']:,} concurrent" if "concurrency" in client else None),
                 f"server_connections_active: highest sampled {fmt_count(self.active_max)}, "
                 f"{fmt_count(self.phase.after.value('server_connections_active'))} at the end")

    def accept_path_rows(self):
        client, delta, after, phase = self.phase.client, self.phase.delta, self.phase.after, self.phase
        wait = histogram_ms(delta, "server_accept_queue_wait_seconds")
        long_waits = count_above(delta, "server_accept_queue_wait_seconds", 1.0)
        self.row("connect time", fmt_percentiles(client.get("connect_ms")),
                 (f"accept-queue wait {wait}" + (f", {long_waits:,.0f} waited > 1 s" if long_waits else ""))
                 if wait else None)
        self.row("hand-off to worker", None, histogram_ms(delta, "server_accept_handoff_seconds"))
        limit = after.value("server_listen_queue_limit")
        if limit is None:
            self.row("listen queue", None, "not measured on this transport")
        else:
            depth_max = self.samples.max_between("server_listen_queue_depth", phase.start, phase.end)
            peak_max = self.samples.max_between("server_listen_queue_peak", phase.start, phase.end)
            batch = delta.buckets("server_accept_batch_size")
            text = (f"limit {fmt_count(limit)}, peak {fmt_count(after.value('server_listen_queue_peak'))} at the "
                    f"end ({fmt_count(peak_max)} highest sampled), deepest sample {fmt_count(depth_max)}")
            if batch and batch[-1][1] > 0:
                text += f", accept batch p99 {quantile(0.99, batch):.0f}"
            if peak_max is not None and peak_max > limit:
                text += " (the kernel counts its queue full only above the limit, so it holds limit + 1)"
            self.row("listen queue", None, text)
        slow = client.get("slow_connects")
        self.row("dropped handshakes",
                 f"{slow:,} connects took >= {RETRY_THRESHOLD_SECONDS} s (SYN retried), "
                 f"{client.get('slow_answers', 0):,} answers took >= {RETRY_THRESHOLD_SECONDS} s"
                 if slow is not None else None,
                 f"listen overflows {fmt_delta(self.overflows)}, "
                 f"listen drops {fmt_delta(delta.value('server_listen_drops_total'))}, "
                 f"SYN cookies sent {fmt_delta(delta.value('server_listen_syncookies_sent_total'))}, "
                 f"SYN-queue drops {fmt_delta(delta.value('server_listen_syn_queue_drops_total'))} "
                 "(whole network namespace)" if self.overflows is not None else None)

    def compare(self):
        """Each comparison of a client count with the server's: AGREE when equal, EXPLAINED when
        the difference is within what the run can account for (say so and why), DIFFER otherwise."""
        client = self.phase.client
        http, accepted, refused_total = self.http, self.accepted, self.refused_total
        overflows, active_max = self.overflows, self.active_max
        concurrency = client.get("concurrency", 0)
        in_flight = concurrency * int(self.run.get("pipeline_depth", "1"))

        def verdict(diff, bound):
            return AGREE if diff == 0 else (EXPLAINED if 0 < diff <= bound else DIFFER)

        if "requests" in client and http is not None:
            diff = http - client["requests"]
            why = {AGREE: "",
                   EXPLAINED: f": the server counted {diff:,.0f} more, no more than the {in_flight:,} requests that "
                              "can be in flight: responses written after the client stopped counting",
                   DIFFER: ": responses the client never counted (on connections it dropped?)" if diff > 0 else
                           ": the client counted answers the server did not meter: look for a metering bug"}
            v = verdict(diff, in_flight)
            self.check("requests", v, f"{diff:+,.0f} on the server",
                       f"client {client['requests']:,} answered, server_http_requests_total {http:+,.0f}{why[v]}")
        latency, server_buckets = client.get("latency_ms", {}), self.phase.delta.buckets(
            "server_http_request_duration_seconds")
        if "p99" in latency and server_buckets and server_buckets[-1][1] > 0:
            server_p99 = quantile(0.99, server_buckets) * 1e3
            v = EXPLAINED if latency["p99"] >= server_p99 else DIFFER
            if v == DIFFER:
                why = "the server measured longer than the client: the histogram's bucket bounds are coarse"
            elif client.get("slow_answers"):
                why = ("the client's clock starts at connect(), so it includes the retransmitted handshakes "
                       "(see dropped handshakes); usher's starts at the decoded request")
            else:
                why = ("the rest is time outside usher's request handling (socket buffers, waiting for the "
                       "worker loop, the client's own CPU and queueing)")
            self.check("latency", v, f"p99 {fmt_ms(latency['p99'])} vs {fmt_ms(server_p99)}",
                       f"client p99 {fmt_ms(latency['p99'])}, server request duration p99 {fmt_ms(server_p99)}: {why}")
        if "connections" in client and accepted is not None:
            server = accepted + (refused_total or 0)
            reached = client.get("connected", client["connections"])
            label = "connected" if "connected" in client else "opened"
            approx = "" if client.get("connections_exact", True) else "≈ "
            diff = server - reached
            gave_up = client.get("errors", {}).get("answer_timeout", 0)
            cookies = self.phase.delta.value("server_listen_syncookies_sent_total") or 0
            if diff < 0 and -diff <= gave_up:
                v = EXPLAINED
                why = (f": {-diff:,.0f} clients completed the handshake on their side but usher never accepted "
                       f"them before they gave up. The kernel answered {cookies:,.0f} SYNs with SYN cookies (the "
                       "SYN queue is as short as the backlog): it keeps no state for those, and every ACK or "
                       "retransmitted request of theirs met a full accept queue again and was dropped (a listen "
                       "overflow); the retransmissions come in waves, so few get in"
                       if cookies else
                       f": {-diff:,.0f} clients completed the handshake on their side but usher never accepted them "
                       "before they gave up: the server dropped their final ACK at a full accept queue")
            else:
                bound = 0 if client.get("connections_exact", True) else concurrency
                v = verdict(diff, bound)
                why = {AGREE: "",
                       EXPLAINED: f": up to {bound:,} connections were open, uncounted by the client, when it stopped",
                       DIFFER: ": the server took connections the client did not count" if diff > 0 else
                               ": handshakes the kernel completed that usher never took from its queue (still "
                               "queued when the client stopped, or dropped when the listener closed)"}[v]
            self.check("connections", v, f"{diff:+,.0f} on the server",
                       f"client {label} {approx}{reached:,}, server accepted + refused {server:,.0f}{why}")
        if "refused_seen" in client and refused_total is not None:
            diff = refused_total - client["refused_seen"]
            v = verdict(diff, 0)
            self.check("refusals", v, f"{diff:+,.0f} on the server",
                       f"client saw {client['refused_seen']:,} reset or closed right after connect, "
                       f"server_connections_refused_total {refused_total:+,.0f}"
                       + ("" if v == AGREE else ": a refused client learns of its reset only when it next reads "
                                                "or writes; one that gave up first never sees it"))
        if "served" in client and accepted is not None:
            diff = accepted - client["served"]
            v = verdict(diff, 0)
            self.check("admitted", v, f"{diff:+,.0f} on the server",
                       f"client served {client['served']:,}, server_connections_accepted_total {accepted:+,.0f}")
        limit = self.run.get("max_connections")
        if limit and active_max is not None:
            v = AGREE if active_max <= float(limit) else DIFFER
            self.check("limit", v, f"active {active_max:,.0f} > {limit}",
                       f"server_connections_active highest sampled {active_max:,.0f}, server.max-connections {limit}")
        if "slow_connects" in client and overflows is not None:
            slow = client["slow_connects"] + client.get("slow_answers", 0)
            if (slow > 0) == (overflows > 0):
                v, text = AGREE, (f"{client['slow_connects']:,} connects and {client.get('slow_answers', 0):,} "
                                  f"answers took >= {RETRY_THRESHOLD_SECONDS} s, the kernel counted "
                                  f"{overflows:+,.0f} overflows (not equal by design: a client can be dropped "
                                  "several times, the counter covers the whole network namespace)")
            else:
                v, text = DIFFER, (f"{slow:,} slow connects or answers but {overflows:+,.0f} overflows: "
                                   + ("the client waited for retransmissions the listen queue did not cause"
                                      if slow else "overflows no client felt: another listener in this network "
                                                   "namespace, or a dropped final ACK repaired by the client's "
                                                   "next packet"))
            self.check("dropped handshakes", v, f"{slow:,} slow vs {overflows:+,.0f} overflows", text)
        if "bytes_sent" in client:
            received = self.phase.delta.value("server_bytes_received_total")
            sent = self.phase.delta.value("server_bytes_sent_total")
            if received is not None and sent is not None:
                diff = (received - client["bytes_sent"]) + (sent - client["bytes_received"])
                v = AGREE if diff == 0 else (EXPLAINED if abs(diff) <= 2 * in_flight * client.get(
                    "message_bytes", 0) else DIFFER)
                self.check("bytes", v, f"{diff:+,.0f} B on the server",
                           f"client sent {client['bytes_sent']:,} B, server received {received:,.0f} B; server sent "
                           f"{sent:,.0f} B, client received {client['bytes_received']:,} B"
                           + ("" if v == AGREE else ": messages in flight when the client stopped"))

    def histograms(self):
        """(title, [[label, low, high, count], ...]) of the client's connect and answer times, and of the
        server's accept-queue wait when it saw enough connections to have a shape."""
        result = []
        for key, title in (("connect_hist", "client: connect() times"),
                           ("answer_hist", "client: connect() to the full answer")):
            if self.phase.client.get(key):
                result.append((f"{title} ({self.phase.name})", self.phase.client[key]))
        buckets = self.phase.delta.buckets("server_accept_queue_wait_seconds")
        if buckets and buckets[-1][1] >= 100:
            rows, lower, below = [], 0.0, 0.0
            for bound, cumulative in buckets:
                label = (f"> {fmt_ms(lower * 1e3)}" if math.isinf(bound) else
                         f"<= {fmt_ms(bound * 1e3)}" if lower == 0 else f"{fmt_ms(lower * 1e3)} - {fmt_ms(bound * 1e3)}")
                rows.append([label, lower, None if math.isinf(bound) else bound, int(cumulative - below)])
                lower, below = bound, cumulative
            result.append((f"server: server_accept_queue_wait_seconds, by bucket ({self.phase.name})", rows))
        return result

    def disagreements(self):
        return [f"{topic} ({short})" for topic, v, short, _ in self.checks if v != AGREE]

    def markdown(self):
        tool = self.phase.client.get("tool", "client")
        lines = [f"### {self.run.get('scenario', '?')} / {self.phase.name}: {self.phase.client_command}", "",
                 f"| | client view ({tool.split()[0]}) | server view (/metrics, after - before) |",
                 "|---|---|---|"]
        lines += [f"| {topic} | {client} | {server} |" for topic, client, server in self.rows]
        lines.append("")
        for topic, v, _, text in self.checks:
            lines.append(f"- {v} on {topic}: {text}")
        lines.append(f"- where they disagree: {'; '.join(self.disagreements()) or 'nowhere'}")
        for note in self.phase.client.get("notes", []):
            lines.append(f"- note: {note}")
        return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# SVG charts

PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf", "#7f7f7f"]


def nice_step(span, ticks=4):
    if span <= 0:
        return 1.0
    raw = span / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def fmt_tick(value):
    if value == 0:
        return "0"
    if abs(value) >= 1e6:
        return f"{value / 1e6:g}M"
    if abs(value) >= 1e4:
        return f"{value / 1e3:g}k"
    return f"{value:g}"


def line_chart(title, xs, series, markers=(), y_label="", note="", width=960, height=230):
    """series: [(label, values, dashed)]; values may hold None (a gap)."""
    left, right, top, bottom = 64, 16, 30, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    finite = [v for _, values, _ in series for v in values if v is not None and math.isfinite(v)]
    y_max = max(finite) if finite else 1.0
    step = nice_step(y_max if y_max > 0 else 1.0)
    y_top = step * math.ceil((y_max if y_max > 0 else 1.0) / step)
    x_min, x_max = (min(xs), max(xs)) if xs else (0.0, 1.0)
    if x_max <= x_min:
        x_max = x_min + 1.0

    def px(x):
        return left + (x - x_min) / (x_max - x_min) * plot_w

    def py(y):
        return top + plot_h - y / y_top * plot_h

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" aria-label="{html.escape(title)}">',
           f'<text x="{left}" y="18" class="title">{html.escape(title)}</text>']
    tick = 0.0
    while tick <= y_top + 1e-9:
        y = py(tick)
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" class="grid"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" class="tick" text-anchor="end">{fmt_tick(tick)}</text>')
        tick += step
    x_step = nice_step(x_max - x_min, 8)
    tick = math.ceil(x_min / x_step) * x_step
    while tick <= x_max + 1e-9:
        x = px(tick)
        out.append(f'<line x1="{x:.1f}" y1="{top + plot_h}" x2="{x:.1f}" y2="{top + plot_h + 4}" class="axis"/>')
        out.append(f'<text x="{x:.1f}" y="{top + plot_h + 16}" class="tick" text-anchor="middle">{tick:g}</text>')
        tick += x_step
    out.append(f'<text x="{left + plot_w}" y="{height - 4}" class="tick" text-anchor="end">seconds since the '
               f'first sample</text>')
    if y_label:
        out.append(f'<text x="12" y="{top + plot_h / 2}" class="tick" text-anchor="middle" '
                   f'transform="rotate(-90 12 {top + plot_h / 2})">{html.escape(y_label)}</text>')
    out.append(f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" class="frame"/>')
    for index, (label, x) in enumerate(markers):
        if x_min <= x <= x_max:
            # Alternate heights so that one phase's end and the next one's start do not overprint;
            # near the right edge the label goes to the left of its line.
            y = top + 11 + 11 * (index % 2)
            right_edge = px(x) > left + plot_w - 90
            out.append(f'<line x1="{px(x):.1f}" y1="{top}" x2="{px(x):.1f}" y2="{top + plot_h}" class="marker"/>')
            out.append(f'<text x="{px(x) + (-3 if right_edge else 3):.1f}" y="{y}" class="marker-label" '
                       f'text-anchor="{"end" if right_edge else "start"}">{html.escape(label)}</text>')
    legend_x = left + plot_w
    for index, (label, values, dashed) in reversed(list(enumerate(series))):
        color = PALETTE[index % len(PALETTE)]
        segments, current = [], []
        for x, y in zip(xs, values):
            if y is None or not math.isfinite(y):
                if current:
                    segments.append(current)
                current = []
            else:
                current.append(f"{px(x):.1f},{py(y):.1f}")
        if current:
            segments.append(current)
        for segment in segments:
            if len(segment) == 1:
                cx, cy = segment[0].split(",")
                out.append(f'<circle cx="{cx}" cy="{cy}" r="2" fill="{color}"/>')
            else:
                dash = ' stroke-dasharray="6 4"' if dashed else ""
                out.append(f'<polyline points="{" ".join(segment)}" fill="none" stroke="{color}" '
                           f'stroke-width="1.6"{dash}/>')
        text_width = 7 * len(label) + 22
        legend_x -= text_width
        out.append(f'<line x1="{legend_x}" y1="14" x2="{legend_x + 14}" y2="14" stroke="{color}" stroke-width="3"/>')
        out.append(f'<text x="{legend_x + 18}" y="18" class="legend">{html.escape(label)}</text>')
    if note:
        out.append(f'<text x="{left}" y="{height - 4}" class="note">{html.escape(note)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def bar_chart(title, rows, width=960):
    """rows: [(label, count)] as horizontal bars."""
    label_w, right, bar_h, top = 250, 70, 18, 30
    height = top + bar_h * len(rows) + 10
    peak = max((count for _, count in rows), default=0) or 1
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" aria-label="{html.escape(title)}">',
           f'<text x="8" y="18" class="title">{html.escape(title)}</text>']
    for index, (label, count) in enumerate(rows):
        y = top + index * bar_h
        w = (width - label_w - right) * count / peak
        out.append(f'<text x="{label_w - 8}" y="{y + 13}" class="tick" text-anchor="end">{html.escape(label)}</text>')
        out.append(f'<rect x="{label_w}" y="{y + 2}" width="{w:.1f}" height="{bar_h - 4}" fill="{PALETTE[0]}"/>')
        out.append(f'<text x="{label_w + w + 6:.1f}" y="{y + 13}" class="tick">{count:,}</text>')
    out.append("</svg>")
    return "\n".join(out)


def server_charts(samples, phases):
    if len(samples) < 2:
        return ["<p>Fewer than two samples of /metrics: no charts.</p>"]
    t0 = samples.epochs[0]
    xs = [epoch - t0 for epoch in samples.epochs]
    markers = []
    for phase in phases:
        markers.append((f"{phase.name} start", phase.start - t0))
        markers.append((f"{phase.name} end", phase.end - t0))
    charts = []

    depth = samples.series("server_listen_queue_depth")
    if any(v is not None for v in depth):
        peak = samples.series("server_listen_queue_peak")
        limit = samples.series("server_listen_queue_limit")
        highest = max([v for v in depth + peak if v is not None] or [0])
        limit_value = next((v for v in limit if v is not None), None)
        series = [("depth (sampled)", depth, False), ("peak (usher's 10 ms sampler)", peak, False)]
        note = ""
        if limit_value is not None and limit_value <= 5 * max(highest, 1):
            series.append(("limit", limit, True))
        elif limit_value is not None:
            note = f"limit {limit_value:,.0f} is above the chart"
        charts.append(line_chart("Listen queue: depth and peak vs limit", xs, series, markers, "connections", note))

    refused_rates = []
    for reason in REFUSAL_REASONS:
        rates = samples.rate("server_connections_refused_total", reason=reason)
        if any(v for v in rates if v):
            refused_rates.append((f"refused {reason}/s", rates, False))
    charts.append(line_chart("Connections accepted and refused per second", xs,
                             [("accepted/s", samples.rate("server_connections_accepted_total"), False)] + refused_rates,
                             markers, "per second"))
    charts.append(line_chart("Active connections", xs,
                             [("server_connections_active", samples.series("server_connections_active"), False)],
                             markers, "connections"))
    wait_p99 = [None if v is None else v * 1e3 for v in samples.windowed_quantile(0.99, "server_accept_queue_wait_seconds")]
    wait_p50 = [None if v is None else v * 1e3 for v in samples.windowed_quantile(0.5, "server_accept_queue_wait_seconds")]
    charts.append(line_chart("Accept-queue wait p99 and p50 over the last second (from the histogram buckets)",
                             xs, [("p99", wait_p99, False), ("p50", wait_p50, True)], markers, "milliseconds",
                             "gaps: no connection accepted in that second"))
    if samples.rows[-1].has("server_http_requests_total"):
        charts.append(line_chart("HTTP requests per second (server_http_requests_total)", xs,
                                 [("requests/s", samples.rate("server_http_requests_total"), False)], markers,
                                 "per second"))
    else:
        charts.append(line_chart("Bytes per second", xs,
                                 [("received/s", samples.rate("server_bytes_received_total"), False),
                                  ("sent/s", samples.rate("server_bytes_sent_total"), True)], markers, "bytes/s"))
    if samples.rows[-1].has("server_listen_overflows_total"):
        charts.append(line_chart("Kernel: listen overflows and drops per second (whole network namespace)", xs,
                                 [("overflows/s", samples.rate("server_listen_overflows_total"), False),
                                  ("drops/s", samples.rate("server_listen_drops_total"), True)], markers,
                                 "per second"))
    cpu = samples.series("process_cpu_usage")
    if any(v is not None for v in cpu):
        charts.append(line_chart("usher's CPU (process_cpu_usage, share of all CPUs)", xs,
                                 [("cpu", cpu, False)], markers, "share"))
    return charts


# ---------------------------------------------------------------------------------------------
# Output

STYLE = """
body { font-family: system-ui, sans-serif; margin: 24px; color: #222; max-width: 1000px; }
table { border-collapse: collapse; margin: 8px 0 12px; font-size: 14px; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
li.differ { color: #b00020; }
svg { display: block; margin: 14px 0; }
svg .title { font-size: 14px; font-weight: 600; }
svg .tick, svg .legend { font-size: 11px; fill: #444; }
svg .note { font-size: 11px; fill: #888; }
svg .grid { stroke: #eee; }
svg .axis { stroke: #888; }
svg .frame { fill: none; stroke: #bbb; }
svg .marker { stroke: #999; stroke-dasharray: 3 3; }
svg .marker-label { font-size: 10px; fill: #777; }
code { background: #f5f5f5; padding: 1px 3px; }
"""


def summary_html(summary):
    phase = summary.phase
    parts = [f"<h2>{html.escape(phase.name)}: <code>{html.escape(phase.client_command)}</code></h2>",
             "<table><tr><th></th><th>client view ({})</th><th>server view (/metrics, after − before)</th></tr>"
             .format(html.escape(phase.client.get("tool", "client").split()[0]))]
    for topic, client, server in summary.rows:
        parts.append(f"<tr><th>{html.escape(topic)}</th><td>{html.escape(client)}</td><td>{html.escape(server)}</td></tr>")
    parts.append("</table><ul>")
    for topic, verdict, _, text in summary.checks:
        parts.append(f'<li class="{"agree" if verdict == AGREE else "differ"}">{verdict} on '
                     f"{html.escape(topic)}: {html.escape(text)}</li>")
    parts.append(f"<li><b>where they disagree: {html.escape('; '.join(summary.disagreements()) or 'nowhere')}</b></li>")
    for note in phase.client.get("notes", []):
        parts.append(f"<li>note: {html.escape(note)}</li>")
    parts.append("</ul>")
    for title, rows in summary.histograms():
        parts.append(bar_chart(title, [(row[0], row[3]) for row in rows]))
    return "\n".join(parts)


def write_html(directory, run, summaries, charts):
    files = sorted(name for name in os.listdir(directory) if name != "report.html")
    body = [f"<h1>usher load test: {html.escape(run.get('scenario', '?'))}</h1>",
            f"<p>{html.escape(run.get('description', ''))}</p>",
            "<table>" + "".join(f"<tr><th>{html.escape(k)}</th><td><code>{html.escape(v)}</code></td></tr>"
                                for k, v in run.items() if k not in ("scenario", "description")) + "</table>"]
    body += [summary_html(summary) for summary in summaries]
    body.append("<h2>usher's meters over the run</h2>")
    body.append("<p>Sampled from <code>/metrics</code> (samples.csv); dashed vertical lines mark the phases. "
                "Rates are differences between consecutive samples. The overflow and drop counters cover the "
                "whole network namespace: other processes' listeners count there too.</p>")
    body += charts
    body.append("<h2>Files</h2><ul>" + "".join(f'<li><a href="{html.escape(name)}">{html.escape(name)}</a></li>'
                                             for name in files) + "</ul>")
    page = ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>usher load test: {html.escape(run.get('scenario', '?'))}</title><style>{STYLE}</style></head>"
            f"<body>\n" + "\n".join(body) + "\n</body></html>\n")
    with open(os.path.join(directory, "report.html"), "w", encoding="utf-8") as file:
        file.write(page)


def main():
    if len(sys.argv) != 2 or not os.path.isdir(sys.argv[1]):
        raise SystemExit(__doc__)
    directory = sys.argv[1]
    run = read_env(os.path.join(directory, "run.env"))
    phases = read_phases(directory)
    samples = Samples(os.path.join(directory, "samples.csv"))
    summaries = []
    text = []
    for phase in phases:
        summary = Summary(run, phase, samples)
        summary.build()
        summaries.append(summary)
        text.append(summary.markdown())
        for title, rows in summary.histograms():
            buffer = StringIO()
            print_histogram(title + ":", rows, out=buffer)
            text += ["", "```", buffer.getvalue().rstrip(), "```"]
        text.append("")
    markdown = f"## Summary: {run.get('scenario', '?')} ({run.get('command', '').strip()})\n\n" + "\n".join(text)
    print()
    print(markdown)
    with open(os.path.join(directory, "summary.md"), "w", encoding="utf-8") as file:
        file.write(markdown + "\n")
    write_html(directory, run, summaries, server_charts(samples, phases))


if __name__ == "__main__":
    main()
