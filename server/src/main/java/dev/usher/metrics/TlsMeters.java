package dev.usher.metrics;

import dev.usher.tls.HandshakeResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;

/**
 * The TLS meters of one listener, registered once, every result value included; each connection's
 * handshake observer holds this object and only records into it.
 */
public final class TlsMeters {
  private final Map<HandshakeResult, Counter> handshakes;
  private final Timer handshakeDuration;
  private final Counter resumed;
  private final Counter reloadsSucceeded;
  private final Counter reloadsFailed;

  /**
   * @param certificateExpiry the {@code notAfter} of the certificate in use, in epoch seconds
   * @param countsResumptions whether resumed sessions can be told (BoringSSL only)
   */
  public TlsMeters(
      MeterRegistry registry,
      String listener,
      DoubleSupplier certificateExpiry,
      boolean countsResumptions) {
    Map<HandshakeResult, Counter> byResult = new EnumMap<>(HandshakeResult.class);
    for (HandshakeResult result : HandshakeResult.values()) {
      byResult.put(
          result,
          Counter.builder("server.tls.handshakes")
              .description("TLS handshakes that ended, by result: success, or why they failed")
              .tag("listener", listener)
              .tag("result", result.tag())
              .register(registry));
    }
    handshakes = Collections.unmodifiableMap(byResult);
    handshakeDuration =
        Timer.builder("server.tls.handshake.duration")
            .description(
                "From a connection's start on its worker loop to its TLS handshake done, successful handshakes only")
            .tag("listener", listener)
            .serviceLevelObjectives(
                millis(1),
                millis(2),
                millis(5),
                millis(10),
                millis(25),
                millis(50),
                millis(100),
                millis(250),
                millis(500),
                millis(1000),
                millis(2500),
                millis(5000),
                millis(10_000))
            .register(registry);
    resumed =
        countsResumptions
            ? Counter.builder("server.tls.sessions.resumed")
                .description("TLS handshakes that resumed an earlier session (abbreviated)")
                .tag("listener", listener)
                .register(registry)
            : null;
    Gauge.builder("server.tls.certificate.expiry.timestamp", certificateExpiry::getAsDouble)
        .description(
            "When the certificate in use expires (its notAfter), in seconds since the epoch")
        .baseUnit("seconds")
        .tag("listener", listener)
        .register(registry);
    reloadsSucceeded = reloads(registry, listener, "success");
    reloadsFailed = reloads(registry, listener, "failure");
  }

  private static Counter reloads(MeterRegistry registry, String listener, String result) {
    return Counter.builder("server.tls.certificate.reloads")
        .description(
            "Changed certificate files read again: success (served to new connections) or failure (refused, the old pair kept)")
        .tag("listener", listener)
        .tag("result", result)
        .register(registry);
  }

  /** A handshake finished, this long after the connection started on its worker. */
  public void handshakeSucceeded(long nanos, boolean sessionResumed) {
    handshakes.get(HandshakeResult.SUCCESS).increment();
    handshakeDuration.record(nanos, TimeUnit.NANOSECONDS);
    if (sessionResumed && resumed != null) {
      resumed.increment();
    }
  }

  public void handshakeFailed(HandshakeResult reason) {
    handshakes.get(reason).increment();
  }

  public void reloaded(boolean succeeded) {
    (succeeded ? reloadsSucceeded : reloadsFailed).increment();
  }

  private static Duration millis(long millis) {
    return Duration.ofMillis(millis);
  }
}
