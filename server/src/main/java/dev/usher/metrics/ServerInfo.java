package dev.usher.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/** The {@code server_info} gauge: always 1, with what this process is running as tags. */
public final class ServerInfo {
  private ServerInfo() {}

  public static void register(MeterRegistry registry, String transport, String protocol) {
    String version = ServerInfo.class.getPackage().getImplementationVersion();
    Gauge.builder("server.info", () -> 1)
        .description("usher's version, transport and protocol, as tags; the value is always 1")
        .tag("version", version == null ? "development" : version)
        .tag("transport", transport)
        .tag("protocol", protocol)
        .register(registry);
  }
}
