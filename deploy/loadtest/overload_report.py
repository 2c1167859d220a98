"""The table of overload.sh: one row per open-loop rate, shedding off and on, from the client's record
of every request (PHASE.requests.csv, written by OpenLoopClient) and usher's counters scraped
before and after each rate. Prints it in Markdown with the issue's goal checked, and writes
summary.md, chart.svg (goodput and p99 against the offered rate) and report.html.

usage: overload_report.py RESULTS-DIR

Goodput is the requests answered 2xx within the client's timeout, per second of the run. The p99
is over those served requests only; the unloaded p99 is that of the light-load run.
"""
import csv
import html
import json
import math
import os
import sys

from clientstats import percentiles
from promtext import Metrics
from report import PALETTE, STYLE, read_env, read_phases

GOAL_GOODPUT = 0.9  # of the capacity, at the highest rate with shedding on
GOAL_P99_RATIO = 5.0  # p99 of the served requests over the unloaded p99


class Rate:
    """One open-loop run: the client's record of each request and usher's counters."""

    def __init__(self, directory, phase, seconds, timeout_ms):
        self.name = phase.name
        self.mode, _, multiple = phase.name.partition("-")
        self.multiple = float(multiple.rstrip("x")) if multiple else None
        with open(os.path.join(directory, phase.name + ".client.out"), encoding="utf-8") as file:
            self.client = json.loads(file.read().strip().splitlines()[-1])
        with open(os.path.join(directory, phase.name + ".requests.csv"), encoding="utf-8") as file:
            rows = list(csv.DictReader(file))
        self.requests = len(rows)
        self.outcomes = {}
        served, statuses = [], {}
        for row in rows:
            self.outcomes[row["outcome"]] = self.outcomes.get(row["outcome"], 0) + 1
            if row["outcome"] == "answered":
                status = int(row["status"])
                statuses[status] = statuses.get(status, 0) + 1
                latency = float(row["latency_ms"])
                if 200 <= status < 300 and latency <= timeout_ms:
                    served.append(latency)
        self.statuses = statuses
        self.goodput = len(served) / seconds
        self.p99 = percentiles(served).get("p99") if served else None
        self.served = len(served)
        delta = Metrics.read(os.path.join(directory, phase.name + ".after.prom")).minus(
            Metrics.read(os.path.join(directory, phase.name + ".before.prom")))
        self.shed = {reason: value for reason, value in
                     delta.by_label("server_http_requests_shed_total", "reason").items() if value}
        refused = delta.by_label("server_connections_refused_total", "reason")
        self.refused = {reason: refused.get(reason, 0.0) for reason in ("queue_timeout", "overloaded")}

    def count(self, outcome):
        return self.outcomes.get(outcome, 0)

    def not_sent(self):
        return self.count("no_connection") + self.count("connect_failed")


def fmt_int(value):
    return f"{value:,.0f}"


def fmt_ms(value):
    return "—" if value is None else (f"{value:.1f}" if value >= 10 else f"{value:.2f}")


def table(rates, capacity, unloaded):
    lines = ["| shedding | offered | offered req/s (achieved) | goodput req/s | goodput % of capacity | 503 "
             "| timed out (1 s) | reset | not sent | p99 served ms | p99 / unloaded | shed (usher) "
             "| refused queue_timeout / overloaded (usher) |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for rate in rates:
        ratio = (rate.p99 / unloaded.p99) if rate.p99 is not None and unloaded and unloaded.p99 else None
        shed = ", ".join(f"{reason} {fmt_int(value)}" for reason, value in sorted(rate.shed.items())) or "0"
        lines.append(
            f"| {'light load' if rate.mode == 'unloaded' else rate.mode} "
            f"| {'' if rate.multiple is None else f'{rate.multiple:g}×'} "
            f"| {fmt_int(rate.client['target_rate'])} ({fmt_int(rate.client['achieved_rate'])}) "
            f"| {fmt_int(rate.goodput)} | {100 * rate.goodput / capacity:.0f} % "
            f"| {fmt_int(rate.statuses.get(503, 0))} | {fmt_int(rate.count('timeout'))} "
            f"| {fmt_int(rate.count('closed'))} | {fmt_int(rate.not_sent())} "
            f"| {fmt_ms(rate.p99)} | {'—' if ratio is None else f'{ratio:.1f}×'} | {shed} "
            f"| {fmt_int(rate.refused['queue_timeout'])} / {fmt_int(rate.refused['overloaded'])} |")
    return lines


def goal(rates, capacity, unloaded):
    """The issue's goal, checked at the highest rate with shedding on; and the collapse without."""
    lines = []
    on = [r for r in rates if r.mode == "on"]
    off = [r for r in rates if r.mode == "off"]
    if on and unloaded and unloaded.p99:
        top = max(on, key=lambda r: r.multiple)
        share = top.goodput / capacity
        ratio = top.p99 / unloaded.p99 if top.p99 is not None else math.inf
        verdict = "met" if share >= GOAL_GOODPUT and ratio <= GOAL_P99_RATIO else "NOT met"
        lines.append(f"goal at {top.multiple:g}× with shedding on: goodput {100 * share:.0f} % of capacity "
                     f"(goal ≥ {100 * GOAL_GOODPUT:.0f} %), p99 of served {fmt_ms(top.p99)} ms = "
                     f"{ratio:.1f}× the unloaded {fmt_ms(unloaded.p99)} ms (goal ≤ {GOAL_P99_RATIO:g}×): {verdict}")
        lines.append(f"shed at {top.multiple:g}× with shedding on: "
                     f"{fmt_int(sum(top.shed.values()))} requests, "
                     f"{fmt_int(sum(top.refused.values()))} connections refused")
    if off:
        top = max(off, key=lambda r: r.multiple)
        lines.append(f"without shedding at {top.multiple:g}×: goodput {100 * top.goodput / capacity:.0f} % of "
                     f"capacity, p99 of served {fmt_ms(top.p99)} ms, "
                     f"{fmt_int(top.count('timeout'))} of {fmt_int(top.requests)} requests timed out")
    return lines


def chart(rates, capacity, unloaded, width=960, height=300):
    """Two panels against the offered rate (× capacity): goodput as % of capacity, and the p99 of
    served requests on a log scale."""
    modes = [m for m in ("off", "on") if any(r.mode == m for r in rates)]
    xs = sorted({r.multiple for r in rates if r.multiple is not None})
    if not xs:
        return ""
    x_max = max(xs) * 1.05
    panel_w, left, top, bottom = (width - 40) / 2, 56, 44, 40
    plot_w, plot_h = panel_w - left - 16, height - top - bottom
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" aria-label="goodput and p99 against offered load">',
           f'<style>text {{ font-family: sans-serif; }} .title {{ font-size: 14px; font-weight: 600; }} '
           f'.tick {{ font-size: 11px; fill: #444; }} .grid {{ stroke: #eee; }} .frame {{ fill: none; stroke: #bbb; }} '
           f'.goal {{ stroke: #999; stroke-dasharray: 4 3; fill: none; }}</style>']

    def panel(origin, title, y_ticks, y_of, values_of, goal_points, goal_label):
        def px(x):
            return origin + left + x / x_max * plot_w

        out.append(f'<text x="{origin + left}" y="18" class="title">{html.escape(title)}</text>')
        for value, label in y_ticks:
            y = y_of(value)
            out.append(f'<line x1="{origin + left}" y1="{y:.1f}" x2="{origin + left + plot_w}" y2="{y:.1f}" class="grid"/>')
            out.append(f'<text x="{origin + left - 6}" y="{y + 4:.1f}" class="tick" text-anchor="end">{label}</text>')
        for x in xs:
            out.append(f'<text x="{px(x):.1f}" y="{top + plot_h + 16}" class="tick" text-anchor="middle">{x:g}×</text>')
        out.append(f'<text x="{origin + left + plot_w}" y="{height - 6}" class="tick" text-anchor="end">'
                   f'offered rate, × capacity ({fmt_int(capacity)} req/s)</text>')
        out.append(f'<rect x="{origin + left}" y="{top}" width="{plot_w}" height="{plot_h}" class="frame"/>')
        if goal_points:
            points = " ".join(f"{px(x):.1f},{y_of(v):.1f}" for x, v in goal_points)
            out.append(f'<polyline points="{points}" class="goal"/>')
            out.append(f'<text x="{px(goal_points[-1][0]) - 4:.1f}" y="{y_of(goal_points[-1][1]) - 5:.1f}" '
                       f'class="tick" text-anchor="end">{html.escape(goal_label)}</text>')
        for index, mode in enumerate(modes):
            color = PALETTE[index]
            points = [(r.multiple, values_of(r)) for r in sorted(rates, key=lambda r: r.multiple or 0)
                      if r.mode == mode and values_of(r) is not None]
            if points:
                out.append(f'<polyline points="{" ".join(f"{px(x):.1f},{y_of(v):.1f}" for x, v in points)}" '
                           f'fill="none" stroke="{color}" stroke-width="2"/>')
                for x, v in points:
                    out.append(f'<circle cx="{px(x):.1f}" cy="{y_of(v):.1f}" r="3" fill="{color}"/>')
            out.append(f'<text x="{origin + left + 8 + 110 * index}" y="{top - 8}" class="tick" fill="{color}" '
                       f'style="fill: {color}">■ shedding {mode}</text>')

    goodput_top = max([100.0] + [100 * r.goodput / capacity for r in rates]) * 1.05

    def goodput_y(value):
        return top + plot_h - value / goodput_top * plot_h

    panel(0, "goodput (2xx within the timeout), % of capacity",
          [(v, f"{v}%") for v in range(0, int(goodput_top) + 1, 25)], goodput_y,
          lambda r: 100 * r.goodput / capacity if r.mode != "unloaded" else None,
          [(0, 100 * GOAL_GOODPUT), (xs[-1], 100 * GOAL_GOODPUT)], f"goal {100 * GOAL_GOODPUT:.0f} %")

    p99s = [r.p99 for r in rates if r.p99] + ([unloaded.p99 * GOAL_P99_RATIO] if unloaded and unloaded.p99 else [])
    low = 10 ** math.floor(math.log10(min(p99s))) if p99s else 0.1
    high = 10 ** math.ceil(math.log10(max(p99s))) if p99s else 1000
    high = max(high, low * 10)

    def p99_y(value):
        return top + plot_h - (math.log10(value) - math.log10(low)) / (math.log10(high) - math.log10(low)) * plot_h

    decade, ticks = low, []
    while decade <= high * 1.0001:
        ticks.append((decade, f"{decade:g}"))
        decade *= 10
    goal_line = ([(0, unloaded.p99 * GOAL_P99_RATIO), (xs[-1], unloaded.p99 * GOAL_P99_RATIO)]
                 if unloaded and unloaded.p99 else [])
    panel(panel_w + 40, "p99 of served requests, ms (log scale)", ticks, p99_y,
          lambda r: r.p99 if r.mode != "unloaded" else None, goal_line, f"goal: {GOAL_P99_RATIO:g}× unloaded p99")
    out.append("</svg>")
    return "\n".join(out)


def main():
    if len(sys.argv) != 2 or not os.path.isdir(sys.argv[1]):
        raise SystemExit(__doc__)
    directory = sys.argv[1]
    run = read_env(os.path.join(directory, "run.env"))
    seconds = float(run["seconds"])
    timeout_ms = float(run["timeout_ms"])
    capacity = float(run["capacity"])
    rates = [Rate(directory, phase, seconds, timeout_ms) for phase in read_phases(directory)
             if os.path.exists(os.path.join(directory, phase.name + ".requests.csv"))]
    order = {"unloaded": 0, "off": 1, "on": 2}
    rates.sort(key=lambda r: (order.get(r.mode, 3), r.multiple or 0))
    unloaded = next((r for r in rates if r.mode == "unloaded"), None)
    heading = (f"## Overload: GET /work?cpu={run.get('cpu_micros')}, capacity {fmt_int(capacity)} requests/s "
               f"(closed loop), {seconds:g} s per rate, timeout {timeout_ms:g} ms")
    notes = [f"unloaded p99 (open loop at {fmt_int(unloaded.client['target_rate'])} req/s): "
             f"{fmt_ms(unloaded.p99)} ms" if unloaded else "no light-load run: no unloaded p99",
             f"shedding on: {run.get('shed_opts', '')}",
             f"capacity measured again after the rates: {fmt_int(float(run['capacity_after']))} requests/s"
             if run.get("capacity_after") else "capacity not measured again after the rates",
             f"load average of the machine (1, 5, 15 min; 2 CPUs): {run.get('load_average_before', '?')} before "
             f"the run, {run.get('load_average_after', '?')} after",
             "client fell behind its schedule by at most "
             + ", ".join(f"{r.name} {r.client['max_behind_schedule_ms']:.0f} ms" for r in rates)]
    lines = [heading, ""] + table(rates, capacity, unloaded) + [""] + [f"- {line}" for line in
                                                                       goal(rates, capacity, unloaded) + notes]
    text = "\n".join(lines) + "\n"
    print(text)
    with open(os.path.join(directory, "summary.md"), "w", encoding="utf-8") as file:
        file.write(text)
    svg = chart(rates, capacity, unloaded)
    with open(os.path.join(directory, "chart.svg"), "w", encoding="utf-8") as file:
        file.write(svg + "\n")
    rows = "".join("<tr>" + "".join(f"<{'th' if i == 0 else 'td'}>{html.escape(cell.strip())}</{'th' if i == 0 else 'td'}>"
                                    for i, cell in enumerate(line.strip("|").split("|"))) + "</tr>"
                   for line in table(rates, capacity, unloaded) if not line.startswith("|---"))
    page = ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>usher load test: overload"
            f"</title><style>{STYLE}</style></head><body>\n<h1>{html.escape(heading.lstrip('# '))}</h1>\n"
            f"<p>{html.escape(run.get('description', ''))}</p>\n<table>{rows}</table>\n<ul>"
            + "".join(f"<li>{html.escape(line)}</li>" for line in goal(rates, capacity, unloaded) + notes)
            + f"</ul>\n{svg}\n</body></html>\n")
    with open(os.path.join(directory, "report.html"), "w", encoding="utf-8") as file:
        file.write(page)


if __name__ == "__main__":
    main()
