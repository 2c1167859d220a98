package dev.usher.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.LongSupplier;

/**
 * The access log's meter, registered once: {@code server_access_log_dropped_total}, read at the
 * scrape from the count the access log's appender keeps (the event loops never touch a meter).
 */
public final class AccessLogMeters {
  private AccessLogMeters() {}

  /** Registers the counter of access lines dropped, read from {@code dropped}. */
  public static void countDropped(MeterRegistry registry, LongSupplier dropped) {
    FunctionCounter.builder("server.access.log.dropped", dropped, d -> d.getAsLong())
        .description(
            "Access log lines dropped because the log's writer could not keep up (log.access = on)")
        .register(registry);
  }
}
