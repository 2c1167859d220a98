package dev.usher.config;

/**
 * Log output: {@code format} is {@code text} or {@code json}; {@code level} a Logback level name.
 */
public record LogConfig(LogFormat format, String level) {}
