package dev.usher.app;

import dev.usher.config.ServerConfig;
import dev.usher.config.UsherConfig;
import dev.usher.sample.EchoApplication;
import dev.usher.sample.HelloService;
import dev.usher.sample.SleepService;
import dev.usher.sample.WorkService;
import java.util.Map;

/** The sample applications usher ships, chosen by {@code server.protocol}. */
public final class BuiltInApplications {
  private BuiltInApplications() {}

  /** The application {@code server.protocol} names. */
  public static UsherApplication forConfig(UsherConfig config, ApplicationSetup setup) {
    ServerConfig server = config.server();
    return switch (server.protocol()) {
      case HTTP ->
          setup.http(
              config.http().sampleLoadRoutes()
                  ? new HelloService(
                      Map.of(
                          "/sleep", setup.blocking(new SleepService()), "/work", new WorkService()))
                  : new HelloService());
      case ECHO ->
          new EchoApplication(
              server.idleTimeout(), server.lingeringTimeout(), server.lingeringTime());
    };
  }
}
