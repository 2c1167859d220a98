package dev.usher.http;

import io.netty.handler.codec.DateFormatter;
import io.netty.util.AsciiString;
import java.util.Date;

/**
 * The {@code Date} header's value (RFC 9110 6.6.1: an origin server with a clock sends it), made
 * once per second and shared by every connection: formatting a date per answer would cost more than
 * the rest of the headers.
 */
public final class HttpDate {
  private record Second(long epochSecond, AsciiString value) {}

  private static volatile Second current = format(System.currentTimeMillis());

  private HttpDate() {}

  /** The header value for the wall-clock time {@code epochMillis}. */
  public static AsciiString of(long epochMillis) {
    Second second = current;
    if (second.epochSecond() != epochMillis / 1000) {
      // Two loops may format the same second at once: both get the same text.
      second = format(epochMillis);
      current = second;
    }
    return second.value();
  }

  private static Second format(long epochMillis) {
    long epochSecond = epochMillis / 1000;
    return new Second(
        epochSecond, AsciiString.cached(DateFormatter.format(new Date(epochSecond * 1000))));
  }
}
