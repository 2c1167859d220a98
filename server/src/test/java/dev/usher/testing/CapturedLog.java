package dev.usher.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/**
 * What usher logs under one logger while a test runs, down to a chosen level. Close it to detach
 * and restore the logger's level.
 */
public final class CapturedLog implements AutoCloseable {
  private final Logger logger;
  private final Level previousLevel;
  private final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();
  private final AppenderBase<ILoggingEvent> appender =
      new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
          events.add(event);
        }
      };

  private CapturedLog(Logger logger, Level level) {
    this.logger = logger;
    this.previousLevel = logger.getLevel();
    logger.setLevel(level);
    appender.setContext(logger.getLoggerContext());
    appender.start();
    logger.addAppender(appender);
  }

  /** Captures {@code loggerName} and its children at {@code level} and above. */
  public static CapturedLog capture(String loggerName, Level level) {
    return new CapturedLog((Logger) LoggerFactory.getLogger(loggerName), level);
  }

  public static CapturedLog capture(Class<?> type, Level level) {
    return capture(type.getName(), level);
  }

  /** The formatted messages, each with its level and, if any, its exception, one per line. */
  public List<String> lines() {
    return events.stream().map(CapturedLog::line).toList();
  }

  /** The events at WARN or above, formatted. */
  public List<String> warningsAndErrors() {
    return events.stream()
        .filter(event -> event.getLevel().isGreaterOrEqual(Level.WARN))
        .map(CapturedLog::line)
        .toList();
  }

  private static String line(ILoggingEvent event) {
    String thrown =
        event.getThrowableProxy() == null ? "" : " " + event.getThrowableProxy().getClassName();
    return event.getLevel()
        + " "
        + event.getLoggerName()
        + " - "
        + event.getFormattedMessage()
        + thrown;
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    appender.stop();
    logger.setLevel(previousLevel);
  }
}
