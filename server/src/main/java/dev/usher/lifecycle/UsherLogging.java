package dev.usher.lifecycle;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import dev.usher.accesslog.AccessLog;
import dev.usher.accesslog.AccessLogAppender;
import dev.usher.config.LogFormat;

/**
 * usher's logging to standard output, as text or one JSON object a line, built in code: Logback's
 * XML configurator costs about 350 ms of a cold start on one CPU, a fifth of usher's time to its
 * first answer; this costs 20 to 90 ms. {@code config/logback.xml} writes exactly the same lines
 * ({@code UsherLoggingTest} holds them equal), for a team that takes over logging with {@code
 * -Dlogback.configurationFile}.
 */
final class UsherLogging {
  static final String TEXT_PATTERN =
      "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{20} - %msg%n";

  private UsherLogging() {}

  static void configure(LoggerContext context, LogFormat format, Level level) {
    configure(context, format, level, false);
  }

  /**
   * @param accessLog whether the access log's logger ({@code usher.access}) gets its appender: its
   *     lines go to standard output too, but through their own thread, whatever the root's level
   */
  static void configure(LoggerContext context, LogFormat format, Level level, boolean accessLog) {
    context.reset();
    ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
    console.setContext(context);
    console.setName(format == LogFormat.JSON ? "json" : "text");
    console.setEncoder(format == LogFormat.JSON ? json(context) : text(context));
    console.start();
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(level);
    root.addAppender(console);
    context.getLogger("io.netty").setLevel(Level.INFO);
    if (accessLog) {
      AccessLogAppender access = new AccessLogAppender();
      access.setContext(context);
      access.setName("access");
      access.setFormat(format.name());
      access.start();
      Logger logger = context.getLogger(AccessLog.LOGGER_NAME);
      logger.setLevel(Level.INFO);
      logger.setAdditive(false);
      logger.addAppender(access);
    }
  }

  private static Encoder<ILoggingEvent> text(LoggerContext context) {
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(TEXT_PATTERN);
    encoder.start();
    return encoder;
  }

  // One readable "formattedMessage" per line rather than a template and its arguments.
  private static Encoder<ILoggingEvent> json(LoggerContext context) {
    JsonEncoder encoder = new JsonEncoder();
    encoder.setContext(context);
    encoder.setWithSequenceNumber(false);
    encoder.setWithNanoseconds(false);
    encoder.setWithContext(false);
    encoder.setWithMessage(false);
    encoder.setWithArguments(false);
    encoder.setWithFormattedMessage(true);
    encoder.start();
    return encoder;
  }
}
