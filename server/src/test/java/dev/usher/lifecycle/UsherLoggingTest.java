package dev.usher.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.OutputStreamAppender;
import dev.usher.accesslog.AccessLog;
import dev.usher.accesslog.AccessLogAppender;
import dev.usher.config.LogFormat;
import dev.usher.deploy.DeployFiles;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The logging usher builds in code and {@code config/logback.xml}, the file a team copies to take
 * over logging, must write the same lines: the file is documented as usher's own setup.
 */
class UsherLoggingTest {

  @ParameterizedTest
  @EnumSource(LogFormat.class)
  void writesExactlyWhatConfigLogbackXmlWrites(LogFormat format) throws Exception {
    LoggerContext builtIn = newContext();
    UsherLogging.configure(builtIn, format, Level.WARN, true);

    LoggerContext fromFile = newContext();
    fromFile.putProperty("LOG_FORMAT", format.name().toLowerCase(Locale.ROOT));
    fromFile.putProperty("LOG_LEVEL", "WARN");
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(fromFile);
    configurator.doConfigure(DeployFiles.path("config/logback.xml").toFile());

    for (LoggerContext context : new LoggerContext[] {builtIn, fromFile}) {
      assertEquals(Level.WARN, context.getLogger(Logger.ROOT_LOGGER_NAME).getLevel());
      assertEquals(Level.INFO, context.getLogger("io.netty").getLevel());
    }
    String line = encode(builtIn, format);
    assertTrue(line.contains("accepting connections on 0.0.0.0:8080"), line);
    assertEquals(encode(fromFile, format), line);

    for (LoggerContext context : new LoggerContext[] {builtIn, fromFile}) {
      Logger access = context.getLogger(AccessLog.LOGGER_NAME);
      assertEquals(Level.INFO, access.getLevel());
      assertFalse(access.isAdditive(), "access lines go to their own appender alone");
      AccessLogAppender appender = AccessLogAppender.of(context).orElseThrow();
      assertEquals(format, appender.format());
      assertTrue(appender.isStarted());
      context.stop();
    }
  }

  // As SLF4J's Logback provider makes it; the JSON encoder writes the MDC.
  private static LoggerContext newContext() {
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new LogbackMDCAdapter());
    return context;
  }

  private static String encode(LoggerContext context, LogFormat format) {
    Logger logger = context.getLogger("dev.usher.lifecycle.UsherServer");
    LoggingEvent event =
        new LoggingEvent(
            Logger.FQCN,
            logger,
            Level.WARN,
            "accepting connections on {}",
            null,
            new Object[] {"0.0.0.0:8080"});
    event.setTimeStamp(1_764_000_000_000L);
    event.setThreadName("main");
    OutputStreamAppender<ILoggingEvent> appender =
        (OutputStreamAppender<ILoggingEvent>)
            context
                .getLogger(Logger.ROOT_LOGGER_NAME)
                .getAppender(format.name().toLowerCase(Locale.ROOT));
    return new String(appender.getEncoder().encode(event), StandardCharsets.UTF_8);
  }
}
