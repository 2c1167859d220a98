package dev.usher.lifecycle;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import dev.usher.config.LogConfig;
import java.net.URL;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/**
 * Applies {@code log.format} and {@code log.level} to Logback, through the {@code logback.xml}
 * packed in the jar. A user who starts with {@code -Dlogback.configurationFile} keeps their own.
 */
public final class LoggingSetup {
  private static final String PACKED_CONFIGURATION = "/logback.xml";

  private LoggingSetup() {}

  public static void apply(LogConfig config, boolean userSuppliedConfiguration) {
    if (userSuppliedConfiguration
        || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return;
    }
    URL packed = LoggingSetup.class.getResource(PACKED_CONFIGURATION);
    context.reset();
    context.putProperty("LOG_FORMAT", config.format().name().toLowerCase(Locale.ROOT));
    context.putProperty("LOG_LEVEL", config.level().toUpperCase(Locale.ROOT));
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    try {
      configurator.doConfigure(packed);
    } catch (JoranException broken) {
      throw new IllegalStateException("the packed logback.xml is broken", broken);
    }
  }
}
