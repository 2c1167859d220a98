package dev.usher.app;

import dev.usher.app.echo.EchoApplication;
import dev.usher.app.http.HttpApplication;
import dev.usher.app.http.HttpLimits;
import dev.usher.config.HttpConfig;
import dev.usher.config.ServerConfig;
import dev.usher.config.UsherConfig;
import dev.usher.metrics.HttpMeters;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** The applications usher ships, chosen by {@code server.protocol}. */
public final class BuiltInApplications {
  private BuiltInApplications() {}

  /**
   * The application {@code server.protocol} names, with its protocol meters in {@code registry}.
   */
  public static UsherApplication forConfig(UsherConfig config, PrometheusMeterRegistry registry) {
    ServerConfig server = config.server();
    HttpConfig http = config.http();
    return switch (server.protocol()) {
      case HTTP ->
          new HttpApplication(
              new HttpLimits(
                  http.maxInitialLineBytes(),
                  http.maxHeaderBytes(),
                  http.maxBodyBytes(),
                  http.requestTimeout(),
                  server.lingeringTimeout(),
                  server.lingeringTime()),
              new HttpMeters(registry)::newExchangeObserver);
      case ECHO -> new EchoApplication();
    };
  }
}
