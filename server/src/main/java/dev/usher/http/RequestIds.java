package dev.usher.http;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A request's id, which ties its access-log line, the service's own log lines and the caller's
 * trace together: the caller's {@code X-Request-Id} when it is a sane one (1 to {@value
 * #MAX_LENGTH} visible ASCII characters), else the trace id of a valid W3C {@code traceparent},
 * else one made here (16 random hex digits). A hostile value (too long, control characters) is
 * replaced, never echoed.
 */
public final class RequestIds {
  /** The header that carries the id, in requests and in usher's answers. */
  public static final AsciiString HEADER = AsciiString.cached("x-request-id");

  /** The logging MDC key under which the id is set while the request's handler runs. */
  public static final String MDC_KEY = "request_id";

  static final int MAX_LENGTH = 128;
  private static final AsciiString TRACEPARENT = AsciiString.cached("traceparent");
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private RequestIds() {}

  /**
   * The id of the request with {@code headers}: ASCII, which the answer's head takes as bytes (a
   * {@code String} value is written there a character at a time); {@code toString()} gives the same
   * id as a string, made once.
   */
  public static AsciiString of(HttpHeaders headers) {
    String given = headers.get(HEADER);
    if (given != null && sane(given)) {
      return new AsciiString(given);
    }
    String traceparent = headers.get(TRACEPARENT);
    if (traceparent != null && isTraceparent(traceparent)) {
      return new AsciiString(traceparent, 3, 32);
    }
    return made();
  }

  private static boolean sane(String id) {
    if (id.isEmpty() || id.length() > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (c < 0x21 || c > 0x7E) {
        return false;
      }
    }
    return true;
  }

  // version "00" - 32 hex trace id, not all zeros - 16 hex parent id - 2 hex flags.
  private static boolean isTraceparent(String value) {
    if (value.length() != 55
        || !value.startsWith("00-")
        || value.charAt(35) != '-'
        || value.charAt(52) != '-') {
      return false;
    }
    boolean nonZero = false;
    for (int i = 3; i < 55; i++) {
      if (i == 35 || i == 52) {
        continue;
      }
      char c = value.charAt(i);
      boolean hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
      if (!hex) {
        return false;
      }
      nonZero |= i < 35 && c != '0';
    }
    return nonZero;
  }

  private static AsciiString made() {
    long random = ThreadLocalRandom.current().nextLong();
    byte[] id = new byte[16];
    for (int i = 15; i >= 0; i--) {
      id[i] = HEX[(int) (random & 0xF)];
      random >>>= 4;
    }
    return new AsciiString(id, false);
  }
}
