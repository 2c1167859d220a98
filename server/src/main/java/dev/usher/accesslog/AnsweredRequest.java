package dev.usher.accesslog;

import java.net.SocketAddress;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * One request and its answer as the access log writes it: made on the event loop when the request
 * arrives, from references its head already holds, completed there when the answer has gone, and
 * formatted later by the log's own thread (the hand-over through the log's queue publishes it). Its
 * {@link #toString()} is the text line, so a Logback configuration of one's own ({@code %msg})
 * writes it too.
 */
public final class AnsweredRequest {
  static final DateTimeFormatter COMBINED_TIME =
      DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT);

  private final TrustedProxies proxies;
  private final String method;
  private final String target;
  private final String protocol;
  private final String requestId;
  private final String userAgent;
  private final String referer;
  private final String forwarded;
  private final String forwardedFor;
  private int status;
  private long bodyBytes;
  private long epochMillis;
  private SocketAddress peer;
  private long durationNanos;
  private String client;

  AnsweredRequest(
      TrustedProxies proxies,
      String method,
      String target,
      String protocol,
      String requestId,
      String userAgent,
      String referer,
      String forwarded,
      String forwardedFor) {
    this.proxies = proxies;
    this.method = method;
    this.target = target;
    this.protocol = protocol;
    this.requestId = requestId;
    this.userAgent = userAgent;
    this.referer = referer;
    this.forwarded = forwarded;
    this.forwardedFor = forwardedFor;
  }

  /** On the event loop: the answer is written, with this status and body. */
  public void sent(int status, long bodyBytes) {
    this.status = status;
    this.bodyBytes = bodyBytes;
  }

  // On the event loop, as the line is handed to the log.
  void completed(long epochMillis, SocketAddress peer, long durationNanos) {
    this.epochMillis = epochMillis;
    this.peer = peer;
    this.durationNanos = durationNanos;
  }

  /** The client's address: the peer's, or the one a trusted proxy forwarded. */
  public String client() {
    if (client == null) {
      client = proxies.client(peer, forwarded, forwardedFor);
    }
    return client;
  }

  public long epochMillis() {
    return epochMillis;
  }

  public int status() {
    return status;
  }

  /**
   * nginx's combined format, then the duration in seconds and the request id ({@code -} for none):
   * {@code 192.0.2.7 - - [21/Nov/2025:16:00:00 +0000] "GET / HTTP/1.1" 200 17 "-" "curl/8.5.0"
   * 0.000118 4bf92f3577b34da6}. {@code time} is the time in brackets, as {@link #COMBINED_TIME}
   * writes {@link #epochMillis()}. Quotes, backslashes and bytes outside printable ASCII in what
   * the client sent are written {@code \xHH}, as nginx does.
   */
  void appendText(StringBuilder line, CharSequence time) {
    line.append(client()).append(" - - [").append(time).append("] \"");
    if (method == null) {
      line.append('-');
    } else {
      escaped(line, method).append(' ');
      escaped(line, target).append(' ').append(protocol);
    }
    line.append("\" ").append(status).append(' ').append(bodyBytes).append(" \"");
    escaped(line, referer).append("\" \"");
    escaped(line, userAgent).append("\" ");
    seconds(line, durationNanos).append(' ');
    escaped(line, requestId);
  }

  /** One JSON object, the names of Logback's JSON lines first; absent values are null. */
  void appendJson(StringBuilder line) {
    line.append("{\"timestamp\":")
        .append(epochMillis)
        .append(",\"level\":\"INFO\",\"loggerName\":\"")
        .append(AccessLog.LOGGER_NAME)
        .append("\",\"remote_addr\":");
    json(line, client()).append(",\"method\":");
    json(line, method).append(",\"target\":");
    json(line, target).append(",\"protocol\":");
    json(line, protocol).append(",\"status\":").append(status);
    line.append(",\"bytes_sent\":").append(bodyBytes).append(",\"duration_seconds\":");
    seconds(line, durationNanos).append(",\"request_id\":");
    json(line, requestId).append(",\"user_agent\":");
    json(line, userAgent).append(",\"referer\":");
    json(line, referer).append('}');
  }

  @Override
  public String toString() {
    StringBuilder line = new StringBuilder(160);
    appendText(
        line,
        COMBINED_TIME.format(Instant.ofEpochMilli(epochMillis).atZone(ZoneId.systemDefault())));
    return line.toString();
  }

  // Microseconds, as 0.000118.
  private static StringBuilder seconds(StringBuilder line, long nanos) {
    long micros = Math.max(0, nanos) / 1_000;
    line.append(micros / 1_000_000).append('.');
    String fraction = Long.toString(micros % 1_000_000);
    for (int pad = fraction.length(); pad < 6; pad++) {
      line.append('0');
    }
    return line.append(fraction);
  }

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private static StringBuilder escaped(StringBuilder line, String value) {
    if (value == null || value.isEmpty()) {
      return line.append('-');
    }
    // Nearly every value needs no escape: it is copied whole.
    int plain = 0;
    while (plain < value.length() && !needsEscape(value.charAt(plain))) {
      plain++;
    }
    line.append(value, 0, plain);
    for (int i = plain; i < value.length(); i++) {
      char c = value.charAt(i);
      if (needsEscape(c)) {
        if (c > 0xff) {
          line.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 0xf]);
        } else {
          line.append("\\x");
        }
        line.append(HEX[(c >> 4) & 0xf]).append(HEX[c & 0xf]);
      } else {
        line.append(c);
      }
    }
    return line;
  }

  private static boolean needsEscape(char c) {
    return c < 0x20 || c >= 0x7f || c == '"' || c == '\\';
  }

  private static boolean needsJsonEscape(char c) {
    return c < 0x20 || c == 0x7f || c == '"' || c == '\\' || Character.isSurrogate(c);
  }

  static StringBuilder json(StringBuilder line, String value) {
    if (value == null) {
      return line.append("null");
    }
    line.append('"');
    int plain = 0;
    while (plain < value.length() && !needsJsonEscape(value.charAt(plain))) {
      plain++;
    }
    line.append(value, 0, plain);
    for (int i = plain; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> line.append("\\\"");
        case '\\' -> line.append("\\\\");
        default -> {
          if (c < 0x20 || c == 0x7f || Character.isSurrogate(c)) {
            line.append("\\u")
                .append(HEX[c >> 12])
                .append(HEX[(c >> 8) & 0xf])
                .append(HEX[(c >> 4) & 0xf])
                .append(HEX[c & 0xf]);
          } else {
            line.append(c);
          }
        }
      }
    }
    return line.append('"');
  }
}
