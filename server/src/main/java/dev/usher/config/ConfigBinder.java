package dev.usher.config;

import io.netty.util.NetUtil;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** Turns validated values into the configuration records, resolving every {@code auto}. */
final class ConfigBinder {
  private static final Pattern HOST_NAME =
      Pattern.compile(
          "[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*");
  // RFC 1123 2.1: a host name is never all digits and dots; 300.1.1.1 is a mistyped address.
  private static final Pattern DIGITS_AND_DOTS = Pattern.compile("[0-9.]+");
  private static final Set<String> LOG_LEVELS = Set.of("trace", "debug", "info", "warn", "error");
  private static final int MAX_PORT = 65_535;
  private static final long MAX_INT_BYTES = Integer.MAX_VALUE;
  private static final Duration ONE_DAY = Duration.ofDays(1);
  // sun_path holds 108 bytes with its terminating NUL.
  private static final int MAX_UNIX_SOCKET_PATH_BYTES = 107;

  private final ConfigValues values;
  private final KernelNetworkSettings kernel;

  ConfigBinder(ConfigValues values, KernelNetworkSettings kernel) {
    this.values = values;
    this.kernel = kernel;
  }

  UsherConfig bind() throws InvalidConfigException {
    ServerConfig server = server();
    AdminConfig admin = admin(server);
    return new UsherConfig(server, http(), admin, lifecycle(server), shutdown(), log(), metrics());
  }

  private ServerConfig server() throws InvalidConfigException {
    int cores = Runtime.getRuntime().availableProcessors();
    return new ServerConfig(
        host("server.host"),
        values.integer("server.port", 0, MAX_PORT),
        values
            .integerOrAuto("server.backlog", 1, Integer.MAX_VALUE, "net.core.somaxconn")
            .orElse(kernel.somaxconn()),
        values.choice("server.transport", TransportPreference.class),
        values.choice("server.accept-mode", AcceptMode.class),
        values.integerOrAuto("server.worker-threads", 1, 4096, "2 x cores").orElse(2 * cores),
        values.choice("server.protocol", Protocol.class),
        values.integer("server.max-connections", 1, Integer.MAX_VALUE),
        values.duration("server.idle-timeout", Duration.ofMillis(1), ONE_DAY),
        values.duration("server.lingering-timeout", Duration.ofMillis(1), ONE_DAY),
        values.duration("server.lingering-time", Duration.ZERO, ONE_DAY),
        new SocketOptionsConfig(
            values.bool("server.socket.tcp-nodelay"),
            values.bool("server.socket.keep-alive"),
            values.bool("server.socket.reuse-address")),
        tls(),
        proxyProtocol(),
        overload());
  }

  private OverloadConfig overload() throws InvalidConfigException {
    return new OverloadConfig(
        values.duration("server.overload.accept-queue-timeout", Duration.ZERO, ONE_DAY),
        values.duration("server.overload.max-event-loop-lag", Duration.ZERO, ONE_DAY),
        values.integer("server.overload.max-concurrent-requests", 0, Integer.MAX_VALUE),
        values.bool("server.overload.adaptive-concurrency"));
  }

  private Optional<TlsConfig> tls() throws InvalidConfigException {
    Optional<Path> certificate = path("server.tls.certificate");
    Optional<Path> privateKey = path("server.tls.private-key");
    if (certificate.isEmpty() != privateKey.isEmpty()) {
      String missing = certificate.isEmpty() ? "server.tls.certificate" : "server.tls.private-key";
      throw values.invalid(
          missing,
          "a PEM file too: TLS needs both server.tls.certificate and server.tls.private-key");
    }
    if (certificate.isEmpty()) {
      return Optional.empty();
    }
    List<String> protocols = values.list("server.tls.protocols");
    if (protocols.isEmpty() || !TlsConfig.SUPPORTED_PROTOCOLS.containsAll(protocols)) {
      throw values.invalid("server.tls.protocols", "one or both of TLSv1.3, TLSv1.2");
    }
    TlsConfig.ClientAuth clientAuth =
        values.choice("server.tls.client-auth", TlsConfig.ClientAuth.class);
    Optional<Path> trust = path("server.tls.trust-certificates");
    if (clientAuth != TlsConfig.ClientAuth.NONE && trust.isEmpty()) {
      throw values.invalid(
          "server.tls.trust-certificates",
          "a PEM file of the certificates client certificates must chain to, since"
              + " server.tls.client-auth is "
              + clientAuth.name().toLowerCase(Locale.ROOT));
    }
    return Optional.of(
        new TlsConfig(
            certificate.get(),
            privateKey.get(),
            values.choice("server.tls.provider", TlsConfig.TlsProvider.class),
            protocols,
            values.duration(
                "server.tls.handshake-timeout", Duration.ofMillis(1), Duration.ofMinutes(10)),
            clientAuth,
            trust,
            values.duration("server.tls.reload-interval", Duration.ofSeconds(1), ONE_DAY)));
  }

  private ProxyProtocolConfig proxyProtocol() throws InvalidConfigException {
    return new ProxyProtocolConfig(
        onOrOff("server.proxy-protocol.mode"),
        networks("server.proxy-protocol.trusted-sources"),
        values.duration(
            "server.proxy-protocol.timeout", Duration.ofMillis(1), Duration.ofMinutes(10)));
  }

  private boolean onOrOff(String key) throws InvalidConfigException {
    String mode = values.string(key).toLowerCase(Locale.ROOT);
    if (!mode.equals("on") && !mode.equals("off")) {
      throw values.invalid(key, "on or off");
    }
    return mode.equals("on");
  }

  private List<Cidr> networks(String key) throws InvalidConfigException {
    List<Cidr> networks = new ArrayList<>();
    for (String written : values.list(key)) {
      networks.add(
          Cidr.parse(written)
              .orElseThrow(
                  () ->
                      values.invalid(
                          key,
                          "networks in CIDR notation such as 10.0.0.0/8, ::1/128 or 192.0.2.7 ("
                              + written
                              + " is not one)")));
    }
    return List.copyOf(networks);
  }

  // An empty string is "not set": the defaults name no file.
  private Optional<Path> path(String key) throws InvalidConfigException {
    String written = values.string(key);
    return written.isEmpty() ? Optional.empty() : Optional.of(Path.of(written));
  }

  private HttpConfig http() throws InvalidConfigException {
    return new HttpConfig(
        values.bytes("http.max-initial-line-bytes", 64, 1 << 20),
        values.bytes("http.max-header-bytes", 64, 1 << 20),
        values.bytes("http.max-body-bytes", 0, MAX_INT_BYTES),
        values.duration("http.request-timeout", Duration.ofMillis(1), ONE_DAY),
        new Http2Config(
            values.bool("http.http2.enabled"),
            values.integer("http.http2.max-concurrent-streams", 1, 10_000),
            values.duration("http.http2.max-connection-age", Duration.ZERO, Duration.ofDays(365))),
        values.integer("http.blocking.max-concurrent", 1, 1_000_000),
        values.bool("http.sample-load-routes"),
        values.bool("http.request-id"),
        networks("http.trusted-proxies"));
  }

  private AdminConfig admin(ServerConfig server) throws InvalidConfigException {
    int port = values.integer("admin.port", 0, MAX_PORT);
    if (port != 0 && port == server.port()) {
      throw values.invalid("admin.port", "a port other than server.port (" + server.port() + ")");
    }
    return new AdminConfig(host("admin.host"), port);
  }

  private LifecycleConfig lifecycle(ServerConfig server) throws InvalidConfigException {
    Optional<Path> handoverPath = path("lifecycle.handover-path");
    if (handoverPath.isPresent() && server.transport() == TransportPreference.NIO) {
      throw values.invalid(
          "lifecycle.handover-path",
          "empty while server.transport is nio (the hand-over passes socket descriptors, which"
              + " nio does not expose): set server.transport to auto or epoll, or leave this empty");
    }
    if (handoverPath.isPresent()
        && handoverPath.get().toString().getBytes(StandardCharsets.UTF_8).length
            > MAX_UNIX_SOCKET_PATH_BYTES) {
      throw values.invalid(
          "lifecycle.handover-path",
          "a Unix socket path of at most " + MAX_UNIX_SOCKET_PATH_BYTES + " bytes (sun_path)");
    }
    return new LifecycleConfig(handoverPath);
  }

  private ShutdownConfig shutdown() throws InvalidConfigException {
    return new ShutdownConfig(
        values.duration("shutdown.pre-stop-delay", Duration.ZERO, ONE_DAY),
        values.duration("shutdown.drain-timeout", Duration.ofMillis(1), ONE_DAY));
  }

  private LogConfig log() throws InvalidConfigException {
    String level = values.string("log.level").toLowerCase(Locale.ROOT);
    if (!LOG_LEVELS.contains(level)) {
      throw values.invalid("log.level", "one of trace, debug, info, warn, error");
    }
    return new LogConfig(
        values.choice("log.format", LogFormat.class), level, onOrOff("log.access"));
  }

  private MetricsConfig metrics() throws InvalidConfigException {
    return new MetricsConfig(
        values.bool("metrics.accept-path"),
        values.duration(
            "metrics.listen-queue.sample-interval", Duration.ofMillis(1), Duration.ofSeconds(10)),
        values.duration(
            "metrics.listen-queue.peak-window", Duration.ofSeconds(1), Duration.ofHours(1)),
        values.duration(
            "metrics.event-loop.probe-interval", Duration.ofMillis(10), Duration.ofSeconds(10)));
  }

  private String host(String key) throws InvalidConfigException {
    String host = values.string(key);
    boolean valid =
        NetUtil.isValidIpV4Address(host)
            || NetUtil.isValidIpV6Address(host)
            || (HOST_NAME.matcher(host).matches() && !DIGITS_AND_DOTS.matcher(host).matches());
    if (!valid) {
      throw values.invalid(key, "an IP address such as 0.0.0.0, 127.0.0.1 or ::, or a host name");
    }
    return host;
  }
}
