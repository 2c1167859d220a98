package dev.usher.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * How usher's life begins and ends besides the drain.
 *
 * @param handoverPath the Unix socket of the listener hand-over: a serving usher listens there and
 *     gives its listening sockets to a new usher started with the same path; empty when off
 */
public record LifecycleConfig(Optional<Path> handoverPath) {}
