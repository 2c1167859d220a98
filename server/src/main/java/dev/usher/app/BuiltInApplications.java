package dev.usher.app;

import dev.usher.app.echo.EchoApplication;
import dev.usher.app.http.HttpApplication;
import dev.usher.app.http.HttpLimits;
import dev.usher.config.ServerConfig;
import dev.usher.metrics.HttpMeters;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** The applications usher ships, chosen by {@code server.protocol}. */
public final class BuiltInApplications {
  private BuiltInApplications() {}

  /**
   * The application {@code server.protocol} names, with its protocol meters in {@code registry}.
   */
  public static UsherApplication forConfig(ServerConfig config, PrometheusMeterRegistry registry) {
    return switch (config.protocol()) {
      case HTTP ->
          new HttpApplication(
              new HttpLimits(
                  config.maxInitialLineBytes(),
                  config.maxHeaderBytes(),
                  config.maxRequestBytes(),
                  config.requestTimeout(),
                  config.lingeringTimeout(),
                  config.lingeringTime()),
              new HttpMeters(registry)::newExchangeObserver);
      case ECHO -> new EchoApplication();
    };
  }
}
