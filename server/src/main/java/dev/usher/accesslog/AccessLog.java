package dev.usher.accesslog;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.AsciiString;
import java.net.SocketAddress;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access log ({@code log.access = on}): one line per answered request to the logger {@value
 * #LOGGER_NAME}. On the event loop it only keeps what the request's head already holds and hands
 * one {@link AnsweredRequest} to Logback; formatting and writing happen on the {@link
 * AccessLogAppender}'s thread, which drops (and counts) rather than make a loop wait. Where the log
 * is off, the HTTP connection holds no {@code AccessLog} and does nothing for it.
 */
public final class AccessLog {
  public static final String LOGGER_NAME = "usher.access";
  private static final Logger log = LoggerFactory.getLogger(LOGGER_NAME);
  private static final String HTTP2 = "HTTP/2.0";
  private static final AsciiString FORWARDED = AsciiString.cached("forwarded");
  private static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");

  private final TrustedProxies proxies;

  public AccessLog(TrustedProxies proxies) {
    this.proxies = proxies;
  }

  /**
   * On the event loop, as a request arrives: what its line will need of its head.
   *
   * @param head the request's head, or null for bytes that never became a request
   * @param http2 whether it came on an HTTP/2 stream (whose head reads HTTP/1.1 once converted)
   * @param requestId its id, or null
   */
  public AnsweredRequest received(HttpRequest head, boolean http2, String requestId) {
    if (head == null) {
      return new AnsweredRequest(proxies, null, null, null, requestId, null, null, null, null);
    }
    HttpHeaders headers = head.headers();
    return new AnsweredRequest(
        proxies,
        head.method().name(),
        head.uri(),
        http2 ? HTTP2 : head.protocolVersion().text(),
        requestId,
        headers.get(HttpHeaderNames.USER_AGENT),
        headers.get(HttpHeaderNames.REFERER),
        proxies.any() ? joined(headers.getAll(FORWARDED)) : null,
        proxies.any() ? joined(headers.getAll(X_FORWARDED_FOR)) : null);
  }

  /**
   * On the event loop, once the answer's last byte has been flushed: hands the line to the log.
   *
   * @param peer the connection's client (its peer, or the PROXY protocol's address)
   * @param durationNanos from the read that brought the request to that flush
   */
  public void write(AnsweredRequest answered, SocketAddress peer, long durationNanos) {
    answered.completed(System.currentTimeMillis(), peer, durationNanos);
    log.info("{}", answered);
  }

  // Field lines of one name are one list (RFC 9110 5.3).
  private static String joined(List<String> lines) {
    return switch (lines.size()) {
      case 0 -> null;
      case 1 -> lines.getFirst();
      default -> String.join(",", lines);
    };
  }
}
