package dev.usher.app;

import dev.usher.app.echo.EchoApplication;
import dev.usher.app.http.HttpApplication;
import dev.usher.app.http.HttpLimits;
import dev.usher.config.ServerConfig;

/** The applications usher ships, chosen by {@code server.protocol}. */
public final class BuiltInApplications {
  private BuiltInApplications() {}

  public static UsherApplication forConfig(ServerConfig config) {
    return switch (config.protocol()) {
      case HTTP ->
          new HttpApplication(
              new HttpLimits(
                  config.maxInitialLineBytes(), config.maxHeaderBytes(), config.maxRequestBytes()));
      case ECHO -> new EchoApplication();
    };
  }
}
