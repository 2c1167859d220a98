package dev.usher.lifecycle;

import java.time.Duration;

/**
 * How a drain went: connections that finished by themselves, those closed at the drain timeout, and
 * the time from the shutdown signal to the end.
 */
public record DrainSummary(int drained, int forced, Duration elapsed) {}
