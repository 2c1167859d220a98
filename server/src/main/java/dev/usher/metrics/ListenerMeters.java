package dev.usher.metrics;

import dev.usher.accept.ConnectionTracker;
import dev.usher.accept.RefusalReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * The connection meters of one listener, registered once; the accept path holds these references
 * and only increments them.
 */
public final class ListenerMeters {
  private final Counter accepted;
  private final Map<RefusalReason, Counter> refused;

  public ListenerMeters(MeterRegistry registry, String listener, ConnectionTracker tracker) {
    accepted =
        Counter.builder("server.connections.accepted")
            .description("Connections accepted from the listen queue and admitted")
            .tag("listener", listener)
            .register(registry);
    Map<RefusalReason, Counter> byReason = new EnumMap<>(RefusalReason.class);
    for (RefusalReason reason : RefusalReason.values()) {
      byReason.put(
          reason,
          Counter.builder("server.connections.refused")
              .description(
                  "Connections usher itself turned away, by reason (the kernel's drops are server_listen_*)")
              .tag("listener", listener)
              .tag("reason", reason.tag())
              .register(registry));
    }
    refused = Collections.unmodifiableMap(byReason);
    Gauge.builder("server.connections.active", tracker, ConnectionTracker::openConnections)
        .description("Connections accepted and not yet closed")
        .tag("listener", listener)
        .register(registry);
  }

  public Counter accepted() {
    return accepted;
  }

  public Map<RefusalReason, Counter> refused() {
    return refused;
  }
}
