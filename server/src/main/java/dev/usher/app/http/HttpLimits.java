package dev.usher.app.http;

import java.time.Duration;

/**
 * The sizes past which a request is refused (414, 431 and 413 respectively), the time a request may
 * take to arrive, from its first byte to its last (408), and how long a refused connection lingers
 * ({@link LingeringClose}).
 */
public record HttpLimits(
    int maxInitialLineBytes,
    int maxHeaderBytes,
    int maxRequestBytes,
    Duration requestTimeout,
    Duration lingeringTimeout,
    Duration lingeringTime) {}
