package dev.usher.overload;

import dev.usher.config.OverloadConfig;
import dev.usher.config.UsherConfig;
import dev.usher.metrics.LagProbe;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.Channel;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * usher's load shedding, one per process ({@code server.overload.*}): whether a worker loop is too
 * far behind to take new work, and whether a new request may be served now or is answered 503; what
 * it sheds it counts in {@code server_http_requests_shed_total{reason}}, registered here with every
 * reason.
 *
 * <p>Readiness is left alone on purpose: a replica that declared itself unready under load would
 * move all of it onto the others at once.
 */
public final class Overload {
  private static final String SHED_DESCRIPTION =
      "HTTP requests answered 503 to protect the server, by reason: event_loop_lag"
          + " (server.overload.max-event-loop-lag), concurrency"
          + " (server.overload.max-concurrent-requests), blocking_limit"
          + " (http.blocking.max-concurrent)";

  private static final int ADAPTIVE_INITIAL_LIMIT = 100;
  private static final int ADAPTIVE_MAX_LIMIT = 10_000;

  private final long maxLagNanos;
  private final long probeIntervalNanos;
  private final ConcurrencyLimit concurrency;
  private final Map<ShedReason, Counter> shed = new EnumMap<>(ShedReason.class);
  private final Map<EventExecutor, LoopPressure> pressures = new ConcurrentHashMap<>();

  private Overload(OverloadConfig config, Duration probeInterval, MeterRegistry registry) {
    this.maxLagNanos = config.maxEventLoopLag().toNanos();
    this.probeIntervalNanos = probeInterval.toNanos();
    this.concurrency = concurrencyLimit(config);
    for (ShedReason reason : ShedReason.values()) {
      shed.put(
          reason,
          Counter.builder("server.http.requests.shed")
              .description(SHED_DESCRIPTION)
              .tag("reason", reason.tag())
              .register(registry));
    }
    Gauge.builder("server.event.loops.shedding", this, Overload::loopsShedding)
        .description(
            "Worker loops whose lag is above server.overload.max-event-loop-lag: they answer 503 to"
                + " requests, and refuse connections, that waited longer than it")
        .register(registry);
    if (concurrency != null) {
      Gauge.builder("server.overload.concurrency.limit", concurrency, ConcurrencyLimit::limit)
          .description(
              "Requests that may be served at once (server.overload.max-concurrent-requests, or the"
                  + " adaptive limit found from latency)")
          .register(registry);
      Gauge.builder("server.overload.requests.in.flight", concurrency, ConcurrencyLimit::inFlight)
          .description("Requests being served now, against server_overload_concurrency_limit")
          .register(registry);
    }
  }

  private static ConcurrencyLimit concurrencyLimit(OverloadConfig config) {
    if (config.adaptiveConcurrency()) {
      int max =
          config.maxConcurrentRequests() > 0 ? config.maxConcurrentRequests() : ADAPTIVE_MAX_LIMIT;
      return new AdaptiveConcurrencyLimit(Math.min(ADAPTIVE_INITIAL_LIMIT, max), max);
    }
    return config.maxConcurrentRequests() > 0
        ? new FixedConcurrencyLimit(config.maxConcurrentRequests())
        : null;
  }

  private double loopsShedding() {
    return pressures.values().stream().filter(LoopPressure::shedding).count();
  }

  /**
   * The server's rules ({@code server.overload.*}); a loop's lag is probed as often as {@code
   * metrics.event-loop.probe-interval} says, once a connection on it has asked.
   */
  public static Overload create(UsherConfig config, MeterRegistry registry) {
    return create(config.server().overload(), config.metrics().eventLoopProbeInterval(), registry);
  }

  /**
   * @param probeInterval how often a loop's lag is probed, once a connection on it has asked
   */
  public static Overload create(
      OverloadConfig config, Duration probeInterval, MeterRegistry registry) {
    return new Overload(config, probeInterval, registry);
  }

  /** Every rule off, its counts kept apart: for an HTTP application made outside a server. */
  public static Overload none() {
    return create(OverloadConfig.OFF, Duration.ofMillis(100), new SimpleMeterRegistry());
  }

  /** The counter of requests shed for {@code reason}. */
  public Counter shedCounter(ShedReason reason) {
    return shed.get(reason);
  }

  /** The pressure of {@code loop}; its probe starts with the first caller. */
  public LoopPressure pressureOf(EventExecutor loop) {
    if (maxLagNanos == 0) {
      return LoopPressure.NEVER;
    }
    return pressures.computeIfAbsent(
        loop,
        probed -> {
          LoopPressure pressure = new LoopPressure(probed, maxLagNanos);
          LagProbe.start(probed, probeIntervalNanos, pressure::observe);
          return pressure;
        });
  }

  /**
   * Whether a request the loop under {@code pressure} has just read from {@code socket} (the
   * connection's; an HTTP/2 stream's parent) may be served: its place among the requests being
   * served, to give back at its end; null when it is shed (and counted by reason).
   */
  public Permit admit(LoopPressure pressure, Channel socket) {
    if (pressure.shedsRequest(socket)) {
      shed.get(ShedReason.EVENT_LOOP_LAG).increment();
      return null;
    }
    if (concurrency == null) {
      return Permit.UNLIMITED;
    }
    Permit permit = concurrency.tryAcquire();
    if (permit == null) {
      shed.get(ShedReason.CONCURRENCY).increment();
    }
    return permit;
  }
}
