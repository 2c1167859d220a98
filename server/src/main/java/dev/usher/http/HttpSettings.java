package dev.usher.http;

import java.time.Duration;

/**
 * The rules of an HTTP connection: the sizes past which a request is refused (414, 431 and 413),
 * the time a request may take to arrive from its first byte to its last (408), how long a silent
 * connection stays open, and how long a refused connection lingers.
 */
public record HttpSettings(
    int maxInitialLineBytes,
    int maxHeaderBytes,
    int maxBodyBytes,
    Duration requestTimeout,
    Duration idleTimeout,
    Duration lingeringTimeout,
    Duration lingeringTime,
    boolean requestIds) {}
