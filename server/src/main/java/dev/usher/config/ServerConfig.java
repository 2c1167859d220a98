package dev.usher.config;

import java.time.Duration;
import java.util.Optional;

/**
 * The main listener: where it binds, how the kernel queues its connections, which transport and
 * threads serve them, and the limits that protect it. The limits of an HTTP exchange are in {@link
 * HttpConfig}.
 *
 * @param backlog the resolved SO_BACKLOG (never "auto": resolved to net.core.somaxconn at load)
 * @param workerThreads the resolved worker thread count (never "auto")
 * @param tls TLS on the listener, when a certificate and key are configured
 */
public record ServerConfig(
    String host,
    int port,
    int backlog,
    TransportPreference transport,
    AcceptMode acceptMode,
    int workerThreads,
    Protocol protocol,
    int maxConnections,
    Duration idleTimeout,
    Duration lingeringTimeout,
    Duration lingeringTime,
    SocketOptionsConfig socket,
    Optional<TlsConfig> tls,
    ProxyProtocolConfig proxyProtocol,
    OverloadConfig overload) {}
