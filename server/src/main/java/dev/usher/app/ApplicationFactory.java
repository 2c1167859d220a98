package dev.usher.app;

import dev.usher.config.UsherConfig;

/**
 * Makes the application once at start, from the configuration and what usher offers it ({@link
 * ApplicationSetup}): an HTTP service is wrapped with {@link ApplicationSetup#http}; a raw TCP
 * protocol is an {@link UsherApplication} of its own.
 */
@FunctionalInterface
public interface ApplicationFactory {
  UsherApplication create(UsherConfig config, ApplicationSetup setup);
}
