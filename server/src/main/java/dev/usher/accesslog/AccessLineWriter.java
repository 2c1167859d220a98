package dev.usher.accesslog;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.spi.ContextAwareBase;
import dev.usher.config.LogFormat;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;

/**
 * Formats access lines and writes them, on the {@link AccessLogAppender}'s writer thread: text or
 * JSON, a line each, in writes of at most {@value #WRITE_BYTES} bytes (whole lines, so that a line
 * on a pipe shared with usher's other log lines is never split; {@code PIPE_BUF} is 4,096), and
 * what is left at each {@link #flush()}.
 */
final class AccessLineWriter extends ContextAwareBase {
  static final int WRITE_BYTES = 4096;

  private final LogFormat format;
  private final OutputStream out;
  private final StringBuilder line = new StringBuilder(256);
  private byte[] bytes = new byte[256];
  private long timeSecond = Long.MIN_VALUE;
  private String time;
  private boolean failed;

  AccessLineWriter(LogFormat format, OutputStream out) {
    this.format = format;
    this.out = new BufferedOutputStream(out, WRITE_BYTES);
  }

  void write(ILoggingEvent event) {
    line.setLength(0);
    AnsweredRequest r = AccessLogAppender.answeredIn(event);
    if (r != null) {
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
      writeLine();
    } catch (IOException cannotWrite) {
      failedOnce(cannotWrite);
    }
  }

  // A line is nearly always ASCII (the text format escapes everything else): copied byte for byte
  // into a buffer kept for the purpose, rather than made a String and encoded.
  private void writeLine() throws IOException {
    int length = line.length();
    if (bytes.length < length) {
      bytes = new byte[Math.max(length, 2 * bytes.length)];
    }
    for (int i = 0; i < length; i++) {
      char c = line.charAt(i);
      if (c >= 0x80) {
        out.write(line.toString().getBytes(StandardCharsets.UTF_8));
        return;
      }
      bytes[i] = (byte) c;
    }
    out.write(bytes, 0, length);
  }

  void flush() {
    try {
      out.flush();
    } catch (IOException cannotWrite) {
      failedOnce(cannotWrite);
    }
  }

  private void failedOnce(IOException cannotWrite) {
    if (!failed) {
      failed = true;
      addError("cannot write the access log; further failures are not reported", cannotWrite);
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
}
