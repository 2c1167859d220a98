package dev.usher.accesslog;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import dev.usher.config.LogFormat;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.util.function.BooleanSupplier;

/**
 * Formats access lines and writes them, on the {@link AccessLogAppender}'s one thread: text or
 * JSON, a line each, in writes of at most {@value #WRITE_BYTES} bytes (whole lines, so that a line
 * on a pipe shared with usher's other log lines is never split; {@code PIPE_BUF} is 4,096), flushed
 * whenever the queue in front has no more lines, so a quiet server's last line is not held back.
 */
final class AccessLineWriter extends UnsynchronizedAppenderBase<ILoggingEvent> {
  static final int WRITE_BYTES = 4096;

  private final LogFormat format;
  private final OutputStream out;
  private final BooleanSupplier queueEmpty;
  private final StringBuilder line = new StringBuilder(256);
  private long timeSecond = Long.MIN_VALUE;
  private String time;
  private boolean failed;

  AccessLineWriter(LogFormat format, OutputStream out, BooleanSupplier queueEmpty) {
    this.format = format;
    this.out = new BufferedOutputStream(out, WRITE_BYTES);
    this.queueEmpty = queueEmpty;
  }

  @Override
  protected void append(ILoggingEvent event) {
    line.setLength(0);
    Object[] arguments = event.getArgumentArray();
    if (arguments != null && arguments.length == 1 && arguments[0] instanceof AnsweredRequest r) {
      if (format == LogFormat.JSON) {
        r.appendJson(line);
      } else {
        r.appendText(line, time(r.epochMillis()));
      }
    } else if (format == LogFormat.JSON) {
      // Someone else's line on this logger, in the shape of usher's other JSON lines.
      line.append("{\"timestamp\":").append(event.getTimeStamp()).append(",\"level\":\"");
      line.append(event.getLevel()).append("\",\"loggerName\":");
      AnsweredRequest.json(line, event.getLoggerName()).append(",\"formattedMessage\":");
      AnsweredRequest.json(line, event.getFormattedMessage()).append('}');
    } else {
      line.append(event.getFormattedMessage());
    }
    line.append('\n');
    try {
      out.write(line.toString().getBytes(StandardCharsets.UTF_8));
      if (queueEmpty.getAsBoolean()) {
        out.flush();
      }
    } catch (IOException cannotWrite) {
      if (!failed) {
        failed = true;
        addError("cannot write the access log; further failures are not reported", cannotWrite);
      }
    }
  }

  // The time in brackets changes once a second: formatted once a second.
  private String time(long epochMillis) {
    long second = Math.floorDiv(epochMillis, 1000);
    if (second != timeSecond) {
      timeSecond = second;
      time =
          AnsweredRequest.COMBINED_TIME.format(
              Instant.ofEpochSecond(second).atZone(ZoneId.systemDefault()));
    }
    return time;
  }

  @Override
  public void stop() {
    try {
      out.flush();
    } catch (IOException cannotWrite) {
      addError("cannot write the access log", cannotWrite);
    }
    super.stop();
  }
}
