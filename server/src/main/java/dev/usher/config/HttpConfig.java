package dev.usher.config;

import java.time.Duration;
import java.util.List;

/**
 * The limits of an HTTP exchange on the main listener (keys under {@code http.*}): past each size a
 * request is refused with its status and the connection closes, and a request that takes too long
 * to arrive gets 408. Read only when {@code server.protocol = http}.
 *
 * @param maxInitialLineBytes the longest request line ({@code http.max-initial-line-bytes}; 414
 *     above)
 * @param maxHeaderBytes the largest header block ({@code http.max-header-bytes}; 431 above)
 * @param maxBodyBytes the largest request body ({@code http.max-body-bytes}; 413 above)
 * @param requestTimeout how long a request may take to arrive, from its first byte to its last
 *     ({@code http.request-timeout}; 408 after it)
 * @param blockingMaxConcurrent blocking handlers running at once on virtual threads; above it, 503
 *     ({@code http.blocking.max-concurrent})
 * @param sampleLoadRoutes whether the sample's routes that cost work exist ({@code
 *     http.sample-load-routes}): denial-of-service handles, off by default
 * @param requestIds whether each request gets an id, echoed in {@code X-Request-Id} ({@code
 *     http.request-id})
 * @param trustedProxies the peers whose {@code Forwarded} or {@code X-Forwarded-For} names the
 *     client in the access log ({@code http.trusted-proxies}; none by default)
 */
public record HttpConfig(
    int maxInitialLineBytes,
    int maxHeaderBytes,
    int maxBodyBytes,
    Duration requestTimeout,
    Http2Config http2,
    int blockingMaxConcurrent,
    boolean sampleLoadRoutes,
    boolean requestIds,
    List<Cidr> trustedProxies) {}
