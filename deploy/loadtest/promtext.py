"""Reads the Prometheus text format that usher's /metrics serves: series, deltas, histograms.

A series is keyed as it is written, name and labels (`server_http_requests_total{status_class="2xx"}`);
a Metrics object answers questions about a set of them (one scrape, or the difference of two).
"""
import math
import re

_SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})?\s+(\S+)')
_LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def parse(text):
    """Series key -> value for every sample line of a scrape."""
    series = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        match = _SAMPLE.match(line)
        if match:
            series[match.group(1) + (match.group(2) or "")] = float(match.group(3))
    return series


def split_key(key):
    """(name, {label: value}) of a series key."""
    name, _, rest = key.partition("{")
    return name, dict(_LABEL.findall(rest))


class Metrics:
    """A set of series with the questions the load-test report asks of them."""

    def __init__(self, series):
        self.series = dict(series)
        self._parsed = [(key, *split_key(key)) for key in self.series]

    @classmethod
    def read(cls, path):
        with open(path, encoding="utf-8") as file:
            return cls(parse(file.read()))

    def minus(self, before):
        """The change from `before` to this (for counters and histogram buckets)."""
        return Metrics({key: value - before.series.get(key, 0.0) for key, value in self.series.items()})

    def matching(self, name, **labels):
        """(labels, value) of every series of `name` whose labels include `labels`."""
        return [
            (series_labels, self.series[key])
            for key, series_name, series_labels in self._parsed
            if series_name == name and all(series_labels.get(k) == v for k, v in labels.items())
        ]

    def has(self, name):
        return bool(self.matching(name))

    def value(self, name, **labels):
        """The sum over the matching series, or None when there is none (never a made-up zero)."""
        found = self.matching(name, **labels)
        return sum(value for _, value in found) if found else None

    def by_label(self, name, label, **labels):
        """{label value: value} of the matching series, summed over their other labels."""
        summed = {}
        for series_labels, value in self.matching(name, **labels):
            key = series_labels.get(label, "")
            summed[key] = summed.get(key, 0.0) + value
        return summed

    def buckets(self, name, **labels):
        """Sorted (upper bound, cumulative count) of histogram `name` (without the _bucket suffix)."""
        summed = {}
        for series_labels, value in self.matching(name + "_bucket", **labels):
            bound = float(series_labels["le"].replace("+Inf", "inf"))
            summed[bound] = summed.get(bound, 0.0) + value
        return sorted(summed.items())

    def quantile(self, q, name, **labels):
        return quantile(q, self.buckets(name, **labels))


def quantile(q, buckets):
    """The q-quantile of a cumulative histogram, interpolated within its bucket as Prometheus's
    histogram_quantile() does; None without observations. Above the last finite bound it answers
    that bound (the histogram cannot say more)."""
    if not buckets or buckets[-1][1] <= 0:
        return None
    rank = q * buckets[-1][1]
    lower_bound, lower_count = 0.0, 0.0
    for bound, count in buckets:
        if count >= rank:
            if math.isinf(bound):
                return lower_bound
            if count == lower_count:
                return bound
            return lower_bound + (bound - lower_bound) * (rank - lower_count) / (count - lower_count)
        lower_bound, lower_count = bound, count
    return lower_bound
