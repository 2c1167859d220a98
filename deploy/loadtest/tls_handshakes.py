"""usher's own view of TLS handshakes over some phases of a load test, for tls.sh.

usage: tls_handshakes.py CLIENT_REQUESTS BEFORE.prom AFTER.prom [BEFORE.prom AFTER.prom ...]

Sums the change of server_tls_handshakes_total (by result), server_tls_sessions_resumed_total and
the server_tls_handshake_duration_seconds histogram over each pair of scrapes (before and after a
phase), and prints them as Markdown: the handshakes beside the CLIENT_REQUESTS the clients counted
(one request per connection), the quantiles, and the histogram bucket by bucket.
"""
import sys

import promtext

HANDSHAKES = "server_tls_handshakes_total"
RESUMED = "server_tls_sessions_resumed_total"
DURATION = "server_tls_handshake_duration_seconds"


def fmt_ms(seconds):
    if seconds is None:
        return "—"
    ms = seconds * 1000
    return f"{ms:.1f}" if ms < 100 else f"{ms:,.0f}"


def bound_ms(bound):
    return "+Inf" if bound == float("inf") else f"{bound * 1000:g}"


def main(argv):
    if len(argv) < 4 or len(argv) % 2:
        sys.exit(__doc__.strip().splitlines()[2])
    client_requests = int(float(argv[1]))
    results, resumed, buckets = {}, None, {}
    for before_path, after_path in zip(argv[2::2], argv[3::2]):
        change = promtext.Metrics.read(after_path).minus(promtext.Metrics.read(before_path))
        for result, value in change.by_label(HANDSHAKES, "result").items():
            results[result] = results.get(result, 0.0) + value
        if change.has(RESUMED):
            resumed = (resumed or 0.0) + change.value(RESUMED)
        for bound, count in change.buckets(DURATION):
            buckets[bound] = buckets.get(bound, 0.0) + count
    if not results:
        sys.exit(f"no {HANDSHAKES} in the scrapes: was usher started with TLS?")

    succeeded = results.get("success", 0.0)
    print("| result (server_tls_handshakes_total) | handshakes |")
    print("|---|---|")
    for result, value in sorted(results.items(), key=lambda item: (item[0] != "success", item[0])):
        print(f"| {result} | {value:,.0f} |")
    print(f"| sessions resumed (server_tls_sessions_resumed_total) | "
          f"{'— (not counted with this provider)' if resumed is None else f'{resumed:,.0f}'} |")
    print()
    if succeeded == client_requests:
        verdict = "agree"
    elif succeeded > client_requests:
        verdict = "differ, explained: usher counts the handshakes of requests the client had not finished when it stopped, and of the client's failed ones"
    else:
        verdict = "DIFFER: usher counted fewer handshakes than the client's answered requests"
    print(f"client and server {verdict} on full handshakes: client {client_requests:,} answered "
          f"requests (one per connection), usher {succeeded:,.0f} successful handshakes")
    print()

    cumulative = sorted(buckets.items())
    quantiles = [(q, promtext.quantile(q, cumulative)) for q in (0.5, 0.9, 0.99)]
    print("server_tls_handshake_duration_seconds (from the connection's start on its worker to the "
          "handshake done), " + ", ".join(f"p{q * 100:g} {fmt_ms(v)} ms" for q, v in quantiles)
          + " (interpolated within buckets, as histogram_quantile does)")
    print()
    print("| bucket (ms, le) | handshakes in it | cumulative share |")
    print("|---|---|---|")
    total = cumulative[-1][1] if cumulative else 0.0
    previous = 0.0
    for bound, count in cumulative:
        share = f"{count / total:.1%}" if total else "—"
        print(f"| ≤ {bound_ms(bound)} | {count - previous:,.0f} | {share} |")
        previous = count


if __name__ == "__main__":
    main(sys.argv)
