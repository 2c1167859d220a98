package dev.usher.testing;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One HTTP/1.x response exactly as it came off a socket: the status line, the headers (names
 * lower-cased, in order of arrival) and the body bytes that {@code Content-Length} announced.
 */
public record WireResponse(String statusLine, Map<String, List<String>> headers, byte[] body) {

  /** The status code, such as 200. */
  public int status() {
    String[] parts = statusLine.split(" ", 3);
    return Integer.parseInt(parts[1]);
  }

  /** The protocol version of the status line, such as {@code HTTP/1.1}. */
  public String version() {
    return statusLine.split(" ", 2)[0];
  }

  /** The first value of a header, if present; the name is case-insensitive. */
  public Optional<String> header(String name) {
    List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.getFirst());
  }

  /** Whether the server announced that it closes the connection after this response. */
  public boolean announcesClose() {
    return header("connection").map(value -> value.equalsIgnoreCase("close")).orElse(false);
  }

  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return statusLine + " " + headers + " (" + body.length + " body bytes)";
  }
}
