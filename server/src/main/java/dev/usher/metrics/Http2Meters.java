package dev.usher.metrics;

import dev.usher.http.Http2Observer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.codec.http2.Http2Error;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The HTTP/2 meters of the main listener, registered once, every GOAWAY error code included: open
 * streams, GOAWAYs sent by error, resets received.
 */
public final class Http2Meters implements Http2Observer {
  private final LongAdder activeStreams = new LongAdder();
  private final Map<Http2Error, Counter> goAways = new EnumMap<>(Http2Error.class);
  private final Counter resets;

  public Http2Meters(MeterRegistry registry, String listener) {
    Gauge.builder("server.http2.streams.active", activeStreams, LongAdder::sum)
        .description("HTTP/2 streams open now")
        .tag("listener", listener)
        .register(registry);
    for (Http2Error error : Http2Error.values()) {
      goAways.put(
          error,
          Counter.builder("server.http2.goaways.sent")
              .description(
                  "HTTP/2 GOAWAY frames sent, by error code: no_error for graceful ends (drain, connection age, idle), others for connection errors")
              .tag("listener", listener)
              .tag("error", error.name().toLowerCase(Locale.ROOT))
              .register(registry));
    }
    resets =
        Counter.builder("server.http2.resets.received")
            .description("HTTP/2 streams the client reset (RST_STREAM)")
            .tag("listener", listener)
            .register(registry);
  }

  @Override
  public void streamOpened() {
    activeStreams.increment();
  }

  @Override
  public void streamClosed() {
    activeStreams.decrement();
  }

  @Override
  public void goAwaySent(Http2Error error) {
    goAways.get(error).increment();
  }

  @Override
  public void resetReceived() {
    resets.increment();
  }
}
