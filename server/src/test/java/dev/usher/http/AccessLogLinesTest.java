package dev.usher.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import dev.usher.accesslog.AccessLog;
import dev.usher.accesslog.TrustedProxies;
import dev.usher.sample.HelloService;
import dev.usher.testing.CapturedLog;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The access log's line for each kind of answer an HTTP/1.1 connection gives: bytes in, the lines
 * of {@code usher.access} out, one per answer, in the order the answers went, with the status and
 * body bytes sent and the duration on the connection's ticker. (The line's own format is {@code
 * AccessLineTest}'s; a real socket and the writer are {@code AccessLogIT}'s.)
 */
class AccessLogLinesTest {
  private static final AccessLog ACCESS_LOG = new AccessLog(TrustedProxies.NONE);
  private static final HttpSettings REQUEST_IDS =
      new HttpSettings(
          256,
          512,
          EmbeddedHttpConnection.MAX_BODY_BYTES,
          EmbeddedHttpConnection.REQUEST_TIMEOUT,
          EmbeddedHttpConnection.IDLE_TIMEOUT,
          EmbeddedHttpConnection.LINGERING_TIMEOUT,
          EmbeddedHttpConnection.LINGERING_TIME,
          true);
  // The embedded channel's peer is "embedded"; the time in brackets is the wall clock's.
  private static final String LINE_START =
      "embedded - - \\[\\d\\d/\\w{3}/\\d{4}:\\d\\d:\\d\\d:\\d\\d [-+]\\d{4}\\] ";

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          GET                | GET / HTTP/1.1\\r\\nHost: a\\r\\nUser-Agent: probe/1\\r\\n\\r\\n                       | "GET / HTTP/1.1" 200 17 "-" "probe/1" 0.000000 -
          HEAD, no body sent | HEAD / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n                                             | "HEAD / HTTP/1.1" 200 0 "-" "-" 0.000000 -
          HTTP/1.0           | GET / HTTP/1.0\\r\\nReferer: http://r/\\r\\n\\r\\n                                    | "GET / HTTP/1.0" 200 17 "http://r/" "-" 0.000000 -
          404                | GET /nothing HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n                                      | "GET /nothing HTTP/1.1" 404 14 "-" "-" 0.000000 -
          unreadable: 400    | GET / HTTP/1.1\\r\\nHost: a\\r\\nno colon here\\r\\n\\r\\n                           | "-" 400 16 "-" "-" 0.000000 -
          refused by the rules: 400 | GET /%zz HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n                                   | "GET /%zz HTTP/1.1" 400 16 "-" "-" 0.000000 -
          no Host: 400       | GET / HTTP/1.1\\r\\n\\r\\n                                                          | "GET / HTTP/1.1" 400 16 "-" "-" 0.000000 -
          body too large: 413 | POST /echo HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 5000\\r\\n\\r\\n               | "POST /echo HTTP/1.1" 413 29 "-" "-" 0.000000 -
          line too long: 414 | GET /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa HTTP/1.1\\r\\n\\r\\n | "-" 414 25 "-" "-" 0.000000 -
          """)
  void writesOneLinePerAnswer(String kind, String request, String expected) {
    try (CapturedLog access = CapturedLog.capture(AccessLog.LOGGER_NAME, Level.INFO);
        EmbeddedHttpConnection connection =
            EmbeddedHttpConnection.open(
                EmbeddedHttpConnection.SETTINGS, new HelloService(), ACCESS_LOG)) {
      connection.send(request.replace("\\r\\n", "\r\n"));

      assertEquals(List.of(expected), requestParts(access), kind);
    }
  }

  @Test
  void pipelinedRequestsAreLoggedInTheOrderTheirAnswersWent() {
    try (CapturedLog access = CapturedLog.capture(AccessLog.LOGGER_NAME, Level.INFO);
        EmbeddedHttpConnection connection =
            EmbeddedHttpConnection.open(
                EmbeddedHttpConnection.SETTINGS, new HelloService(), ACCESS_LOG)) {
      connection.send(
          "GET /a HTTP/1.1\r\nHost: a\r\n\r\n"
              + "HEAD / HTTP/1.1\r\nHost: a\r\n\r\n"
              + "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");

      assertEquals(
          List.of(
              "\"GET /a HTTP/1.1\" 404 14 \"-\" \"-\" 0.000000 -",
              "\"HEAD / HTTP/1.1\" 200 0 \"-\" \"-\" 0.000000 -",
              "\"GET / HTTP/1.1\" 200 17 \"-\" \"-\" 0.000000 -"),
          requestParts(access));
    }
  }

  @Test
  void theDurationRunsFromTheReadToTheFlushOnTheConnectionsTicker() {
    HeldService held = new HeldService();
    try (CapturedLog access = CapturedLog.capture(AccessLog.LOGGER_NAME, Level.INFO);
        EmbeddedHttpConnection connection =
            EmbeddedHttpConnection.open(REQUEST_IDS, held, ACCESS_LOG)) {
      connection.send(
          "GET /slow HTTP/1.1\r\nHost: a\r\nX-Request-Id: caller-7\r\n\r\n"
              + "GET /fast HTTP/1.1\r\nHost: a\r\n\r\n");
      connection.advance(Duration.ofMillis(250));
      held.answer(1);
      assertEquals(List.of(), requestParts(access), "the second answer waits for the first");

      connection.advance(Duration.ofMillis(1));
      held.answer(0);

      List<String> lines = requestParts(access);
      assertEquals("\"GET /slow HTTP/1.1\" 200 5 \"-\" \"-\" 0.251000 caller-7", lines.get(0));
      assertTrue(
          Pattern.matches(
              "\"GET /fast HTTP/1\\.1\" 200 5 \"-\" \"-\" 0\\.251000 [0-9a-f]{16}", lines.get(1)),
          lines.get(1));
    }
  }

  @Test
  void aRequestCutShortByTheRequestTimeoutIsLoggedWithItsStatus() {
    try (CapturedLog access = CapturedLog.capture(AccessLog.LOGGER_NAME, Level.INFO);
        EmbeddedHttpConnection connection =
            EmbeddedHttpConnection.open(
                EmbeddedHttpConnection.SETTINGS, new HelloService(), ACCESS_LOG)) {
      connection.send("GET / HTTP/1.1\r\nHost: a\r\n");
      connection.advance(EmbeddedHttpConnection.REQUEST_TIMEOUT);

      assertEquals(List.of("\"-\" 408 20 \"-\" \"-\" 30.000000 -"), requestParts(access));
    }
  }

  @Test
  void withoutAnAccessLogNothingIsLogged() {
    try (CapturedLog access = CapturedLog.capture(AccessLog.LOGGER_NAME, Level.INFO);
        EmbeddedHttpConnection connection = EmbeddedHttpConnection.open()) {
      connection.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");

      assertTrue(connection.sent().startsWith("HTTP/1.1 200 OK"));
      assertEquals(List.of(), access.lines());
    }
  }

  // Each line after its client address and time, which every line of this connection shares.
  private static List<String> requestParts(CapturedLog access) {
    return access.lines().stream()
        .map(
            line -> {
              String message = line.substring(line.indexOf(" - ") + 3);
              assertTrue(
                  Pattern.compile("^" + LINE_START).matcher(message).find(), "line: " + message);
              return message.replaceFirst(LINE_START, "");
            })
        .collect(Collectors.toList());
  }
}
