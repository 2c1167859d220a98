package dev.usher.config;

/** The whole, validated configuration of one usher process. Built once at start; immutable. */
public record UsherConfig(
    ServerConfig server,
    HttpConfig http,
    AdminConfig admin,
    ShutdownConfig shutdown,
    LogConfig log,
    MetricsConfig metrics) {}
