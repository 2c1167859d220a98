package dev.usher.accesslog;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import dev.usher.config.LogFormat;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.util.Iterator;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.ILoggerFactory;

/**
 * The access log's Logback appender: Logback's {@link AsyncAppender} that never blocks the thread
 * that logs (an event loop) and counts what it drops, in front of an {@link AccessLineWriter} that
 * formats the lines and writes them to standard output on the appender's own thread.
 *
 * <p>It holds {@value #QUEUE_SIZE} lines; once fewer than {@value #ROOM_FOR_RACES} places are free,
 * each further line is dropped and counted ({@link #dropped()}). Logback's never-blocking offer
 * would drop silently when the queue is full; the room kept below it is for loggers that are
 * between the check and the offer at the same moment, so that no line is lost uncounted unless more
 * than that many threads race there at once (the event loops log, a few dozen at most).
 *
 * <p>{@code config/logback.xml} names this class, so a configuration of one's own may keep it
 * ({@code <format>text|json</format>}).
 */
public final class AccessLogAppender extends AsyncAppender {
  static final int QUEUE_SIZE = 8192;
  static final int ROOM_FOR_RACES = 256;

  private final LongAdder dropped = new LongAdder();
  private LogFormat format = LogFormat.TEXT;
  private OutputStream out;

  /** {@code text} (the default) or {@code json}, as {@code log.format}. */
  public void setFormat(String format) {
    this.format = LogFormat.valueOf(format.strip().toUpperCase(Locale.ROOT));
  }

  public LogFormat format() {
    return format;
  }

  /** Where the lines go; standard output unless set before {@link #start()}. */
  void setOutput(OutputStream out) {
    this.out = out;
  }

  @Override
  public void start() {
    setNeverBlock(true);
    setQueueSize(QUEUE_SIZE);
    setDiscardingThreshold(ROOM_FOR_RACES);
    if (!iteratorForAppenders().hasNext()) {
      AccessLineWriter writer =
          new AccessLineWriter(
              format,
              out != null ? out : new FileOutputStream(FileDescriptor.out),
              () -> getNumberOfElementsInQueue() == 0);
      writer.setContext(getContext());
      writer.setName(getName() + "-writer");
      writer.start();
      addAppender(writer);
    }
    super.start();
  }

  // Called only when fewer than ROOM_FOR_RACES places are free: every line then is dropped.
  @Override
  protected boolean isDiscardable(ILoggingEvent event) {
    dropped.increment();
    return true;
  }

  // An access line's argument is made to be formatted later, on this appender's thread; Logback's
  // own preparation would format it on the event loop. Other events are prepared as usual.
  @Override
  protected void preprocess(ILoggingEvent event) {
    Object[] arguments = event.getArgumentArray();
    if (arguments != null && arguments.length == 1 && arguments[0] instanceof AnsweredRequest) {
      event.getThreadName();
    } else {
      super.preprocess(event);
    }
  }

  /** Lines dropped since the start because the writer could not keep up. */
  public long dropped() {
    return dropped.sum();
  }

  /** The access log's appender in {@code loggers}' configuration, if the logger has one. */
  public static Optional<AccessLogAppender> of(ILoggerFactory loggers) {
    if (loggers instanceof LoggerContext context) {
      Logger logger = context.getLogger(AccessLog.LOGGER_NAME);
      for (Iterator<Appender<ILoggingEvent>> it = logger.iteratorForAppenders(); it.hasNext(); ) {
        if (it.next() instanceof AccessLogAppender appender) {
          return Optional.of(appender);
        }
      }
    }
    return Optional.empty();
  }
}
