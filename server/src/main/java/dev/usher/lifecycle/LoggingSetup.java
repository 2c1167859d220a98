package dev.usher.lifecycle;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import dev.usher.accesslog.AccessLogAppender;
import dev.usher.config.LogConfig;
import org.slf4j.LoggerFactory;

/**
 * Applies {@code log.format}, {@code log.level} and {@code log.access} to Logback. A user who
 * starts with {@code -Dlogback.configurationFile} keeps their own.
 */
public final class LoggingSetup {
  private LoggingSetup() {}

  public static void apply(LogConfig config, boolean userSuppliedConfiguration) {
    if (userSuppliedConfiguration
        || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return;
    }
    UsherLogging.configure(
        context, config.format(), Level.toLevel(config.level(), Level.INFO), config.access());
  }

  /**
   * Writes the access lines still queued (waiting at most a second) and stops the access log's
   * thread: the process is about to exit.
   */
  public static void finish() {
    AccessLogAppender.of(LoggerFactory.getILoggerFactory()).ifPresent(AccessLogAppender::stop);
  }
}
