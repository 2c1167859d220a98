package dev.usher.accesslog;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import dev.usher.config.LogFormat;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.ILoggerFactory;

/**
 * The access log's Logback appender. The thread that logs (an event loop) only puts the line in a
 * bounded queue and never waits: a full queue drops the line and counts it ({@link #dropped()}).
 * One writer thread wakes every {@link #WRITE_PERIOD}, takes every queued line and has an {@link
 * AccessLineWriter} format and write them.
 *
 * <p>Nothing wakes the writer when a line arrives: Logback's {@code AsyncAppender} did, once per
 * line, and on a server with one CPU the woken thread preempted the event loop tens of thousands of
 * times a second (the loop's CPU per request nearly doubled). A line waits at most one period.
 *
 * <p>{@code config/logback.xml} names this class, so a configuration of one's own may keep it
 * ({@code <format>text|json</format>}).
 */
public final class AccessLogAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {
  static final int QUEUE_SIZE = 8192;
  static final Duration WRITE_PERIOD = Duration.ofMillis(10);
  private static final Duration STOP_WAIT = Duration.ofSeconds(1);

  private final ArrayBlockingQueue<ILoggingEvent> queue = new ArrayBlockingQueue<>(QUEUE_SIZE);
  private final LongAdder dropped = new LongAdder();
  private LogFormat format = LogFormat.TEXT;
  private OutputStream out;
  private AccessLineWriter writer;
  private Thread writerThread;

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
    if (isStarted()) {
      return;
    }
    writer =
        new AccessLineWriter(format, out != null ? out : new FileOutputStream(FileDescriptor.out));
    writer.setContext(getContext());
    super.start();
    writerThread =
        Thread.ofPlatform()
            .name(getName() == null ? "access-log-writer" : getName() + "-writer")
            .daemon()
            .start(this::writeUntilStopped);
  }

  @Override
  protected void append(ILoggingEvent event) {
    if (answeredIn(event) == null) {
      // Someone else's line: what it refers to may change once the logger returns.
      event.prepareForDeferredProcessing();
    }
    if (!queue.offer(event)) {
      dropped.increment();
    }
  }

  /** Lines dropped since the start because the writer could not keep up. */
  public long dropped() {
    return dropped.sum();
  }

  /** Writes what is queued (waiting at most a second for the writer) and stops its thread. */
  @Override
  public void stop() {
    if (!isStarted()) {
      return;
    }
    super.stop();
    LockSupport.unpark(writerThread);
    try {
      writerThread.join(STOP_WAIT);
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
    }
    if (writerThread.isAlive()) {
      addWarn("the access log's writer did not finish within " + STOP_WAIT.toMillis() + " ms");
    }
  }

  private void writeUntilStopped() {
    List<ILoggingEvent> lines = new ArrayList<>(QUEUE_SIZE);
    long period = WRITE_PERIOD.toNanos();
    while (isStarted()) {
      LockSupport.parkNanos(this, period);
      writeQueued(lines);
    }
    writeQueued(lines);
  }

  private void writeQueued(List<ILoggingEvent> lines) {
    while (queue.drainTo(lines, QUEUE_SIZE) > 0) {
      for (ILoggingEvent line : lines) {
        writer.write(line);
      }
      lines.clear();
    }
    writer.flush();
  }

  /** The access line {@code event} carries, or null for someone else's line on this logger. */
  static AnsweredRequest answeredIn(ILoggingEvent event) {
    Object[] arguments = event.getArgumentArray();
    return arguments != null && arguments.length == 1 && arguments[0] instanceof AnsweredRequest r
        ? r
        : null;
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
