package dev.usher.config;

/**
 * Log output: {@code format} is {@code text} or {@code json}; {@code level} a Logback level name;
 * {@code access} whether each answered HTTP request is written to the access log ({@code
 * log.access}, logger {@code usher.access}).
 */
public record LogConfig(LogFormat format, String level, boolean access) {}
