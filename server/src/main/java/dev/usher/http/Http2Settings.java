package dev.usher.http;

import java.time.Duration;

/**
 * HTTP/2's rules on a connection, beside {@link HttpSettings}' (whose body, header and idle limits
 * apply to HTTP/2 too).
 *
 * @param maxConcurrentStreams streams a client may have open at once (SETTINGS)
 * @param maxConnectionAge a connection older than this is ended gracefully; zero is off
 */
public record Http2Settings(boolean enabled, int maxConcurrentStreams, Duration maxConnectionAge) {
  /** HTTP/2 off: HTTP/1.1 alone. */
  public static final Http2Settings OFF = new Http2Settings(false, 100, Duration.ZERO);
}
