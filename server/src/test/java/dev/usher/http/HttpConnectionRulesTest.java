package dev.usher.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.usher.http.ConformanceRows.Row;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What an HTTP connection answers to what a client sends, and how the connection goes on: the rows
 * of {@code deploy/conformance/http1.tsv} (bytes in, statuses and the connection's state out, with
 * the RFC section of each), which {@code conformance.py} also runs against usher and nginx.
 */
class HttpConnectionRulesTest {
  private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.1 (\\d{3}) ");
  private static final String HOST = "Host: usher\r\n";
  private static final String GET = "GET / HTTP/1.1\r\n" + HOST + "\r\n";

  static List<Row> rows() {
    return ConformanceRows.read();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void answersAndThen(Row row) {
    try (EmbeddedHttpConnection connection = EmbeddedHttpConnection.open()) {
      String sent = connection.send(row.sent()).sent();

      assertEquals(row.statuses(), statuses(sent), sent);
      boolean announcesClose = sent.toLowerCase().contains("connection: close");
      switch (row.then()) {
        case KEPT -> {
          assertTrue(connection.isOpen(), "closed");
          assertFalse(connection.lingers(), "lingers");
          assertFalse(announcesClose, sent);
        }
        case CLOSED -> {
          assertFalse(connection.isOpen(), "still open");
          assertTrue(announcesClose, sent);
        }
        case LINGERS -> {
          assertTrue(connection.lingers(), "does not linger");
          assertTrue(announcesClose, sent);
        }
      }
    }
  }

  @Test
  void answersWithHttp11AndTellsAnHttp10ClientThatTheConnectionIsKept() {
    try (EmbeddedHttpConnection connection = EmbeddedHttpConnection.open()) {
      String sent = connection.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").sent();
      assertTrue(sent.startsWith("HTTP/1.1 200 OK\r\n"), sent);
      assertTrue(sent.toLowerCase().contains("connection: keep-alive"), sent);
    }
  }

  @Test
  void headGetsTheHeadersOfGetWithoutABody() {
    try (EmbeddedHttpConnection connection = EmbeddedHttpConnection.open()) {
      String get = connection.send(GET).sent();
      String head = connection.send("HEAD / HTTP/1.1\r\n" + HOST + "\r\n").sent();

      assertEquals(withoutDate(get.substring(0, get.indexOf("\r\n\r\n") + 4)), withoutDate(head));
      assertTrue(head.contains("content-length: 17"), head);
    }
  }

  @Test
  void aBodyThatFollowsItsContinueIsEchoed() {
    try (EmbeddedHttpConnection connection = EmbeddedHttpConnection.open()) {
      connection.send(
          "POST /echo HTTP/1.1\r\n" + HOST + "Expect: 100-continue\r\nContent-Length: 5\r\n\r\n");
      assertTrue(connection.sent().startsWith("HTTP/1.1 100 Continue"));

      String echo = connection.send("hello").sent();
      assertEquals(List.of(200), statuses(echo));
      assertTrue(echo.endsWith("\r\n\r\nhello"), echo);
    }
  }

  @Test
  void addsTheCodecWithTheFirstByte() {
    try (EmbeddedHttpConnection connection = EmbeddedHttpConnection.open()) {
      assertFalse(connection.hasCodec(), "a connection that sent nothing holds no codec");
      connection.send("G");
      assertTrue(connection.hasCodec());
      assertEquals(
          List.of(200), statuses(connection.send("ET / HTTP/1.1\r\n" + HOST + "\r\n").sent()));
    }
  }

  @Test
  void everyAnswerCarriesADate() {
    try (EmbeddedHttpConnection connection = EmbeddedHttpConnection.open()) {
      String sent =
          connection.send(GET + "GET /missing HTTP/1.1\r\n" + HOST + "\r\ngarbage\r\n\r\n").sent();
      Matcher dates =
          Pattern.compile(
                  "date: [A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT\r\n")
              .matcher(sent);
      assertEquals(3, dates.results().count(), sent);
    }
  }

  private static String withoutDate(String head) {
    return head.replaceAll("date: [^\r]*\r\n", "");
  }

  @Test
  void nothingPipelinedBehindAClientsLastRequestReachesTheService() {
    HeldService service = new HeldService();
    try (EmbeddedHttpConnection connection = EmbeddedHttpConnection.open(service)) {
      connection.send("GET /last HTTP/1.1\r\n" + HOST + "Connection: close\r\n\r\n" + GET);
      assertEquals(1, service.held(), "a request after Connection: close was served");
      service.answer(0);
      assertEquals(List.of(200), statuses(connection.sent()));
      assertFalse(connection.isOpen());
    }
  }

  @Test
  void anInterimAnswerFromTheServiceIsRefusedAndTheRequestGets500() {
    HttpService interim =
        (request, exchange) -> exchange.respond(HttpResponses.status(HttpResponseStatus.CONTINUE));
    try (EmbeddedHttpConnection connection = EmbeddedHttpConnection.open(interim)) {
      assertEquals(List.of(500), statuses(connection.send(GET).sent()));
      assertTrue(connection.isOpen());
    }
  }

  static List<Integer> statuses(String sent) {
    List<Integer> statuses = new ArrayList<>();
    Matcher matcher = STATUS_LINE.matcher(sent);
    while (matcher.find()) {
      statuses.add(Integer.parseInt(matcher.group(1)));
    }
    return statuses;
  }
}
