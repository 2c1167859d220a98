package dev.usher.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The kernel's own counts of connections a full listen queue threw away, from {@code
 * /proc/net/netstat} (TcpExt). They count for the whole network namespace, that is per container or
 * pod, not per listener: a second server in the same namespace moves them too.
 */
public final class KernelListenCounters {
  static final Path NETSTAT = Path.of("/proc/net/netstat");
  private static final long SNAPSHOT_TTL_NANOS = 100_000_000L;

  private record Counter(String field, String name, String description) {}

  private static final List<Counter> COUNTERS =
      List.of(
          new Counter(
              "ListenOverflows",
              "server.listen.overflows",
              "Handshakes dropped because a listen queue was full (TcpExt ListenOverflows, per network namespace)"),
          new Counter(
              "ListenDrops",
              "server.listen.drops",
              "Connections dropped at a listener for any reason, overflows included (TcpExt ListenDrops, per network namespace)"),
          new Counter(
              "SyncookiesSent",
              "server.listen.syncookies.sent",
              "SYN cookies sent because a SYN queue was full (TcpExt SyncookiesSent, per network namespace)"),
          new Counter(
              "TCPReqQFullDrop",
              "server.listen.syn.queue.drops",
              "SYNs dropped because the SYN queue was full and SYN cookies were off (TcpExt TCPReqQFullDrop, per network namespace)"));

  private final Path netstat;
  private Map<String, Long> snapshot = Map.of();
  private long snapshotNanos;

  KernelListenCounters(Path netstat) {
    this.netstat = netstat;
  }

  /**
   * Registers the counters when {@code /proc/net/netstat} can be read. Meters hold their source
   * weakly: keep the returned object for as long as the counters are to be read.
   */
  static Optional<KernelListenCounters> register(MeterRegistry registry, Path netstat) {
    KernelListenCounters counters = new KernelListenCounters(netstat);
    Map<String, Long> first = counters.read();
    if (first.isEmpty()) {
      return Optional.empty();
    }
    for (Counter counter : COUNTERS) {
      if (first.containsKey(counter.field())) {
        FunctionCounter.builder(counter.name(), counters, c -> c.value(counter.field()))
            .description(counter.description())
            .register(registry);
      }
    }
    return Optional.of(counters);
  }

  private synchronized double value(String field) {
    if (System.nanoTime() - snapshotNanos > SNAPSHOT_TTL_NANOS) {
      snapshot = read();
      snapshotNanos = System.nanoTime();
    }
    Long value = snapshot.get(field);
    return value == null ? Double.NaN : value;
  }

  /** TcpExt fields and values; empty when the file cannot be read. */
  Map<String, Long> read() {
    List<String> lines;
    try {
      lines = Files.readAllLines(netstat);
    } catch (IOException | RuntimeException unreadable) {
      return Map.of();
    }
    Map<String, Long> values = new HashMap<>();
    for (int i = 0; i + 1 < lines.size(); i++) {
      String names = lines.get(i);
      String numbers = lines.get(i + 1);
      if (names.startsWith("TcpExt:") && numbers.startsWith("TcpExt:")) {
        String[] keys = names.substring(7).trim().split("\\s+");
        String[] parsed = numbers.substring(7).trim().split("\\s+");
        for (int k = 0; k < Math.min(keys.length, parsed.length); k++) {
          values.put(keys[k], Long.parseLong(parsed[k]));
        }
        break;
      }
    }
    return values;
  }
}
