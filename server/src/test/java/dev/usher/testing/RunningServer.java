package dev.usher.testing;

import dev.usher.app.ApplicationFactory;
import dev.usher.app.ApplicationSetup;
import dev.usher.app.BuiltInApplications;
import dev.usher.config.ConfigLoader;
import dev.usher.config.InvalidConfigException;
import dev.usher.config.KernelNetworkSettings;
import dev.usher.config.LoadedConfig;
import dev.usher.lifecycle.DrainSummary;
import dev.usher.lifecycle.StartupException;
import dev.usher.lifecycle.UsherServer;
import dev.usher.metrics.ServerMetrics;
import dev.usher.overload.Overload;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * A real usher started in the test's JVM on ports the kernel picks (port 0), configured through the
 * same loader the process uses (the overrides are the system-property layer). Close it to drain and
 * stop.
 */
public final class RunningServer implements AutoCloseable {
  private final UsherServer server;
  private final ServerMetrics metrics;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private boolean stopped;

  private RunningServer(UsherServer server, ServerMetrics metrics) {
    this.server = server;
    this.metrics = metrics;
  }

  /** Starts with the defaults, on loopback and ephemeral ports, plus {@code overrides}. */
  public static RunningServer start(Map<String, String> overrides) throws Exception {
    return start(overrides, BuiltInApplications::forConfig);
  }

  /** Starts like {@link #start(Map)}, serving the application {@code applications} makes. */
  public static RunningServer start(Map<String, String> overrides, ApplicationFactory applications)
      throws Exception {
    Map<String, String> settings = new HashMap<>();
    settings.put("server.host", "127.0.0.1");
    settings.put("server.port", "0");
    settings.put("admin.host", "127.0.0.1");
    settings.put("admin.port", "0");
    settings.putAll(overrides);
    LoadedConfig loaded = load(settings);
    ServerMetrics metrics = new ServerMetrics();
    try {
      Overload overload = Overload.create(loaded.config(), metrics.registry());
      UsherServer server =
          UsherServer.start(
              loaded.config(),
              applications.create(
                  loaded.config(),
                  new ApplicationSetup(loaded.config(), metrics.registry(), overload)),
              metrics,
              overload,
              KernelNetworkSettings.read().somaxconn());
      return new RunningServer(server, metrics);
    } catch (StartupException | RuntimeException failure) {
      metrics.close();
      throw failure;
    }
  }

  public static RunningServer start() throws Exception {
    return start(Map.of());
  }

  static LoadedConfig load(Map<String, String> settings) throws InvalidConfigException {
    Properties properties = new Properties();
    properties.putAll(settings);
    return new ConfigLoader(Map.of(), properties, KernelNetworkSettings.read())
        .load(Optional.empty());
  }

  public UsherServer server() {
    return server;
  }

  public ServerMetrics metrics() {
    return metrics;
  }

  public InetSocketAddress address() {
    return new InetSocketAddress("127.0.0.1", server.address().getPort());
  }

  public int port() {
    return server.address().getPort();
  }

  public URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port() + path);
  }

  public URI adminUri(String path) {
    return URI.create("http://127.0.0.1:" + server.adminAddress().getPort() + path);
  }

  /** GETs an admin path and returns the response. */
  public HttpResponse<String> admin(String path) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(adminUri(path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The admin listener's {@code /metrics} in the Prometheus text format. */
  public PrometheusScrape scrape() throws IOException, InterruptedException {
    return PrometheusScrape.parse(admin("/metrics").body());
  }

  /** Drains and stops; idempotent. */
  public DrainSummary stop() throws InterruptedException {
    stopped = true;
    return server.drainAndStop();
  }

  @Override
  public void close() {
    try {
      if (!stopped) {
        stop();
      }
    } catch (InterruptedException interrupted) {
      // The test is being interrupted; the interrupt is kept for it to see.
      Thread.currentThread().interrupt();
    } finally {
      metrics.close();
    }
  }
}
