package dev.usher.config;

import java.time.Duration;

/**
 * Graceful drain timing.
 *
 * @param preStopDelay how long the listener stays open after readiness turns 503
 * @param drainTimeout how long accepted connections get to finish before they are closed by force
 */
public record ShutdownConfig(Duration preStopDelay, Duration drainTimeout) {}
