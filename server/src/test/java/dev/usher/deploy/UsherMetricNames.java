package dev.usher.deploy;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names (Prometheus form) that usher's alerts and dashboard may use: the contract
 * between the server's meters and the deploy assets. A name outside it in a query is a typo, or a
 * meter that must be added to the server (and here) first.
 */
public final class UsherMetricNames {
  /** How a meter appears in Prometheus, which decides the series names it has. */
  enum Kind {
    GAUGE,
    COUNTER,
    /** A histogram: _bucket, _sum, _count, and Micrometer's _max. */
    HISTOGRAM,
    /** A Micrometer timer without buckets: _sum, _count, _max. */
    TIMER
  }

  static final Map<String, Kind> METERS =
      Map.ofEntries(
          Map.entry("server_listen_queue_depth", Kind.GAUGE),
          Map.entry("server_listen_queue_limit", Kind.GAUGE),
          Map.entry("server_listen_queue_peak", Kind.GAUGE),
          Map.entry("server_listen_overflows_total", Kind.COUNTER),
          Map.entry("server_listen_drops_total", Kind.COUNTER),
          Map.entry("server_connections_accepted_total", Kind.COUNTER),
          Map.entry("server_connections_refused_total", Kind.COUNTER),
          Map.entry("server_connections_active", Kind.GAUGE),
          Map.entry("server_connection_duration_seconds", Kind.HISTOGRAM),
          Map.entry("server_bytes_received_total", Kind.COUNTER),
          Map.entry("server_bytes_sent_total", Kind.COUNTER),
          Map.entry("server_accept_queue_wait_seconds", Kind.HISTOGRAM),
          Map.entry("server_accept_handoff_seconds", Kind.HISTOGRAM),
          Map.entry("server_accept_batch_size", Kind.HISTOGRAM),
          // The TLS meters: registered only where TLS is configured (server.tls.*).
          Map.entry("server_tls_handshakes_total", Kind.COUNTER),
          Map.entry("server_tls_handshake_duration_seconds", Kind.HISTOGRAM),
          Map.entry("server_tls_sessions_resumed_total", Kind.COUNTER),
          Map.entry("server_tls_certificate_expiry_timestamp_seconds", Kind.GAUGE),
          Map.entry("server_tls_certificate_reloads_total", Kind.COUNTER),
          Map.entry("server_event_loop_pending_tasks", Kind.GAUGE),
          Map.entry("server_event_loop_lag_seconds", Kind.HISTOGRAM),
          Map.entry("server_http_requests_total", Kind.COUNTER),
          Map.entry("server_http_requests_shed_total", Kind.COUNTER),
          Map.entry("server_event_loops_shedding", Kind.GAUGE),
          Map.entry("server_http2_streams_active", Kind.GAUGE),
          Map.entry("server_http2_goaways_sent_total", Kind.COUNTER),
          Map.entry("server_http2_resets_received_total", Kind.COUNTER),
          Map.entry("server_http_request_duration_seconds", Kind.HISTOGRAM),
          Map.entry("server_info", Kind.GAUGE),
          Map.entry("jvm_memory_used_bytes", Kind.GAUGE),
          Map.entry("jvm_gc_pause_seconds", Kind.TIMER),
          Map.entry("process_files_open_files", Kind.GAUGE),
          Map.entry("process_files_max_files", Kind.GAUGE),
          Map.entry("process_cpu_usage", Kind.GAUGE),
          Map.entry("jvm_threads_live_threads", Kind.GAUGE));

  /** Names a query may use that are not usher's meters: Prometheus' own. */
  private static final Set<String> PROMETHEUS_SERIES = Set.of("up");

  // A metric name in PromQL: an identifier of one of usher's prefixes, outside string literals.
  private static final Pattern CANDIDATE =
      Pattern.compile("\\b((?:server|jvm|process)_[a-zA-Z0-9_]+)\\b");
  private static final Pattern STRING_LITERAL =
      Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'");

  private UsherMetricNames() {}

  /** Every series name the meters above produce. */
  public static Set<String> series() {
    Set<String> series = new TreeSet<>(PROMETHEUS_SERIES);
    METERS.forEach(
        (name, kind) -> {
          switch (kind) {
            case GAUGE, COUNTER -> series.add(name);
            case HISTOGRAM ->
                series.addAll(
                    Set.of(name + "_bucket", name + "_sum", name + "_count", name + "_max"));
            case TIMER -> series.addAll(Set.of(name + "_sum", name + "_count", name + "_max"));
          }
        });
    return series;
  }

  /**
   * The series names of usher's prefixes (server_, jvm_, process_) that a PromQL expression uses.
   */
  public static Set<String> usedBy(String promql) {
    Matcher matcher = CANDIDATE.matcher(STRING_LITERAL.matcher(promql).replaceAll("\"\""));
    Set<String> names = new LinkedHashSet<>();
    while (matcher.find()) {
      names.add(matcher.group(1));
    }
    return names;
  }

  /** The names {@code promql} uses that are not in the contract. */
  public static Set<String> unknownIn(String promql) {
    Set<String> unknown = new LinkedHashSet<>(usedBy(promql));
    unknown.removeAll(series());
    return unknown;
  }
}
