package dev.usher.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What an HTTP connection answers to what a client sends, and how the connection goes on: one row
 * per rule, bytes in, statuses and the connection's state out (RFC 9112 for the message rules).
 */
class HttpConnectionRulesTest {
  private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.1 (\\d{3}) ");
  private static final String HOST = "Host: usher\r\n";
  private static final String GET = "GET / HTTP/1.1\r\n" + HOST + "\r\n";

  /** How the connection goes on after the answers. */
  enum Then {
    /** Open, for the next request. */
    KEPT,
    /** Closed once the answers were written. */
    CLOSED,
    /** Output shut, reading and dropping what the client still sends (lingering close). */
    LINGERS
  }

  record Row(String rule, String sent, List<Integer> statuses, Then then) {
    @Override
    public String toString() {
      return rule;
    }
  }

  static Stream<Row> rows() {
    return Stream.of(
        new Row("a request is answered and the connection kept", GET, List.of(200), Then.KEPT),
        new Row(
            "an unknown path gets 404 and the connection is kept",
            "GET /missing HTTP/1.1\r\n" + HOST + "\r\n",
            List.of(404),
            Then.KEPT),
        new Row(
            "a method the route does not take gets 405, the connection kept (its body was read)",
            "PUT / HTTP/1.1\r\n" + HOST + "Content-Length: 5\r\n\r\nhello",
            List.of(405),
            Then.KEPT),
        new Row(
            "pipelined requests are answered in order",
            GET
                + "GET /missing HTTP/1.1\r\n"
                + HOST
                + "\r\n"
                + "POST /echo HTTP/1.1\r\n"
                + HOST
                + "Content-Length: 2\r\n\r\nhi"
                + GET,
            List.of(200, 404, 200, 200),
            Then.KEPT),
        new Row(
            "Connection: close is answered, then the connection closes",
            "GET / HTTP/1.1\r\n" + HOST + "Connection: close\r\n\r\n",
            List.of(200),
            Then.CLOSED),
        new Row(
            "a request pipelined behind Connection: close is not answered (RFC 9112 9.6)",
            "GET / HTTP/1.1\r\n" + HOST + "Connection: close\r\n\r\n" + GET,
            List.of(200),
            Then.CLOSED),
        new Row(
            "HTTP/1.0 without keep-alive is answered, then closed",
            "GET / HTTP/1.0\r\n\r\n",
            List.of(200),
            Then.CLOSED),
        new Row(
            "HTTP/1.0 asking for keep-alive keeps the connection",
            "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
            List.of(200),
            Then.KEPT),
        new Row(
            "a chunked body is assembled",
            "POST /echo HTTP/1.1\r\n"
                + HOST
                + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            List.of(200),
            Then.KEPT),
        new Row(
            "garbage gets 400 and a lingering close",
            "this is not http\r\n\r\n",
            List.of(400),
            Then.LINGERS),
        new Row(
            "nothing pipelined behind a refusal is answered",
            "this is not http\r\n\r\n" + GET,
            List.of(400),
            Then.LINGERS),
        new Row(
            "a header line without a colon gets 400",
            "GET / HTTP/1.1\r\n" + HOST + "no colon here\r\n\r\n",
            List.of(400),
            Then.LINGERS),
        new Row(
            "a request line over the limit gets 414",
            "GET /" + "a".repeat(300) + " HTTP/1.1\r\n" + HOST + "\r\n",
            List.of(414),
            Then.LINGERS),
        new Row(
            "a header block over the limit gets 431",
            "GET / HTTP/1.1\r\n" + HOST + "X-Padding: " + "p".repeat(600) + "\r\n\r\n",
            List.of(431),
            Then.LINGERS),
        new Row(
            "a declared body over the limit gets 413 before it is sent",
            "POST /echo HTTP/1.1\r\n" + HOST + "Content-Length: 2000\r\n\r\n",
            List.of(413),
            Then.LINGERS),
        new Row(
            "a chunked body growing over the limit gets 413",
            "POST /echo HTTP/1.1\r\n"
                + HOST
                + "Transfer-Encoding: chunked\r\n\r\n"
                + "200\r\n"
                + "x".repeat(512)
                + "\r\n"
                + "200\r\n"
                + "x".repeat(512)
                + "\r\n"
                + "1\r\nx\r\n",
            List.of(413),
            Then.LINGERS),
        new Row(
            "an invalid chunk size gets 400",
            "POST /echo HTTP/1.1\r\n" + HOST + "Transfer-Encoding: chunked\r\n\r\nzz\r\n",
            List.of(400),
            Then.LINGERS),
        new Row(
            "an expectation other than 100-continue gets 417",
            "POST /echo HTTP/1.1\r\n" + HOST + "Expect: tea\r\nContent-Length: 5\r\n\r\n",
            List.of(417),
            Then.LINGERS),
        new Row(
            "100-continue over the limit gets 413 instead of 100",
            "POST /echo HTTP/1.1\r\n"
                + HOST
                + "Expect: 100-continue\r\nContent-Length: 2000\r\n\r\n",
            List.of(413),
            Then.LINGERS),
        new Row(
            "an HTTP/1.1 request without Host gets 400 (RFC 9112 3.2)",
            "GET / HTTP/1.1\r\n\r\n",
            List.of(400),
            Then.LINGERS),
        new Row(
            "a request with two Host lines gets 400 (RFC 9112 3.2)",
            "GET / HTTP/1.1\r\n" + HOST + HOST + "\r\n",
            List.of(400),
            Then.LINGERS),
        new Row(
            "an invalid Host gets 400 (RFC 9112 3.2)",
            "GET / HTTP/1.1\r\nHost: us/her\r\n\r\n",
            List.of(400),
            Then.LINGERS),
        new Row(
            "an HTTP/1.0 request without Host is served",
            "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
            List.of(200),
            Then.KEPT),
        new Row(
            "a version usher does not speak gets 505 (RFC 9110 15.6.6)",
            "GET / HTTP/2.0\r\n" + HOST + "\r\n",
            List.of(505),
            Then.LINGERS),
        new Row(
            "HTTP/1.2 is served as HTTP/1.1 (RFC 9110 2.5)",
            "GET / HTTP/1.2\r\n" + HOST + "\r\n",
            List.of(200),
            Then.KEPT),
        new Row(
            "an absolute-form target does not excuse two Host lines (RFC 9112 3.2)",
            "GET http://usher/ HTTP/1.1\r\n" + HOST + HOST + "\r\n",
            List.of(400),
            Then.LINGERS),
        new Row(
            "an HTTP/1.0 client is never sent 100 Continue (RFC 9110 10.1.1)",
            "POST /echo HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n",
            List.of(),
            Then.KEPT),
        new Row(
            "an absolute-form target is served as its origin form (RFC 9112 3.2.2)",
            "GET http://usher/ HTTP/1.1\r\nHost: elsewhere\r\n\r\n",
            List.of(200),
            Then.KEPT),
        new Row(
            "a target in no form a server takes gets 400 (RFC 9112 3.2)",
            "GET usher/ HTTP/1.1\r\n" + HOST + "\r\n",
            List.of(400),
            Then.LINGERS),
        new Row(
            "a NUL in the target gets 400",
            "GET /\u0000 HTTP/1.1\r\n" + HOST + "\r\n",
            List.of(400),
            Then.LINGERS),
        new Row(
            "a transfer coding other than chunked gets 501 (RFC 9112 6.1)",
            "POST /echo HTTP/1.1\r\n"
                + HOST
                + "Transfer-Encoding: gzip, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            List.of(501),
            Then.LINGERS),
        new Row(
            "a chunk extension over the line limit gets 400, not 414",
            "POST /echo HTTP/1.1\r\n"
                + HOST
                + "Transfer-Encoding: chunked\r\n\r\n5;ext="
                + "e".repeat(300)
                + "\r\nhello\r\n0\r\n\r\n",
            List.of(400),
            Then.LINGERS),
        new Row(
            "100-continue within the limit gets 100, then the answer",
            "POST /echo HTTP/1.1\r\n" + HOST + "Expect: 100-continue\r\nContent-Length: 5\r\n\r\n",
            List.of(100),
            Then.KEPT));
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
