package dev.usher.app;

import dev.usher.config.UsherConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * Makes the application once at start. The registry is there for protocol meters registered up
 * front (as the HTTP application's are) and for a forking team's own business meters.
 */
@FunctionalInterface
public interface ApplicationFactory {
  UsherApplication create(UsherConfig config, PrometheusMeterRegistry registry);
}
