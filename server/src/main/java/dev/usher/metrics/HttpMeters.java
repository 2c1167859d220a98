package dev.usher.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.channel.ChannelHandler;
import java.time.Duration;

/**
 * HTTP meters, registered once: requests by status class and request duration. {@link
 * #newExchangeObserver()} gives the per-connection handler that records into them.
 */
public final class HttpMeters {
  private final Counter[] requestsByStatusClass = new Counter[6];
  final Timer requestDuration;

  public HttpMeters(MeterRegistry registry) {
    for (int statusClass = 1; statusClass <= 5; statusClass++) {
      requestsByStatusClass[statusClass] =
          Counter.builder("server.http.requests")
              .description("HTTP requests answered, by status class")
              .tag("status_class", statusClass + "xx")
              .register(registry);
    }
    requestDuration =
        Timer.builder("server.http.request.duration")
            .description(
                "From the request's first line decoded to its response's last byte written")
            .serviceLevelObjectives(
                Duration.ofNanos(100_000),
                Duration.ofNanos(250_000),
                Duration.ofNanos(500_000),
                Duration.ofMillis(1),
                Duration.ofMillis(2),
                Duration.ofMillis(5),
                Duration.ofMillis(10),
                Duration.ofMillis(25),
                Duration.ofMillis(50),
                Duration.ofMillis(100),
                Duration.ofMillis(250),
                Duration.ofMillis(500),
                Duration.ofSeconds(1),
                Duration.ofSeconds(5),
                Duration.ofSeconds(10))
            .register(registry);
  }

  void answered(int status) {
    int statusClass = status / 100;
    if (statusClass >= 1 && statusClass <= 5) {
      requestsByStatusClass[statusClass].increment();
    }
  }

  /** A handler for one connection, to sit right after the HTTP codec. */
  public ChannelHandler newExchangeObserver() {
    return new HttpExchangeObserver(this);
  }
}
