package dev.usher.config;

import java.time.Duration;

/**
 * HTTP/2 on the main listener ({@code http.http2.*}): h2 through TLS's ALPN and h2c with prior
 * knowledge on a cleartext listener, beside HTTP/1.1.
 *
 * @param maxConcurrentStreams streams a client may have open at once; one more is refused with
 *     {@code RST_STREAM REFUSED_STREAM}
 * @param maxConnectionAge a connection older than this is ended the graceful way (two GOAWAYs), so
 *     that clients spread over new replicas; zero is off
 */
public record Http2Config(boolean enabled, int maxConcurrentStreams, Duration maxConnectionAge) {}
