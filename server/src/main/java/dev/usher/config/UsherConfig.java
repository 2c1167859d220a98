package dev.usher.config;

/** The whole, validated configuration of one usher process. Built once at start; immutable. */
public record UsherConfig(
    ServerConfig server,
    HttpConfig http,
    AdminConfig admin,
    LifecycleConfig lifecycle,
    ShutdownConfig shutdown,
    LogConfig log,
    MetricsConfig metrics) {}
