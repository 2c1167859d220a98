package dev.usher.config;

/** The admin listener that serves {@code /metrics} and the health endpoints. */
public record AdminConfig(String host, int port) {}
