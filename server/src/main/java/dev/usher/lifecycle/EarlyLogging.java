package dev.usher.lifecycle;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.spi.ContextAwareBase;
import dev.usher.config.LogFormat;

/**
 * Logback's first configuration, found through {@code META-INF/services}: text at INFO until the
 * configuration is loaded and {@link LoggingSetup} applies {@code log.format} and {@code
 * log.level}. It steps aside, leaving Logback's own search, for a {@code
 * -Dlogback.configurationFile} and for a test class path's {@code logback-test.xml}.
 */
public final class EarlyLogging extends ContextAwareBase implements Configurator {

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (System.getProperty(ContextInitializer.CONFIG_FILE_PROPERTY) != null
        || EarlyLogging.class.getClassLoader().getResource("logback-test.xml") != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    UsherLogging.configure(context, LogFormat.TEXT, Level.INFO);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }
}
