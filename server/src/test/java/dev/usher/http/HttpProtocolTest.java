package dev.usher.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.usher.testing.RawConnection;
import dev.usher.testing.RunningServer;
import dev.usher.testing.WireResponse;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The built-in HTTP application as a client sees it: routes, keep-alive, pipelining, HTTP/1.0. */
class HttpProtocolTest {
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
  private static final String HELLO = "hello from usher\n";

  private static RunningServer server;
  private static HttpClient client;

  @BeforeAll
  static void startServer() throws Exception {
    server = RunningServer.start(Map.of());
    client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  }

  @AfterAll
  static void stopServer() throws Exception {
    client.close();
    server.close();
  }

  @Test
  void getRootAnswersHelloAsPlainText() throws Exception {
    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(server.uri("/")).build(), HttpResponse.BodyHandlers.ofString());

    assertEquals(200, response.statusCode());
    assertEquals(HELLO, response.body());
    assertEquals("text/plain", response.headers().firstValue("content-type").orElseThrow());
  }

  @Test
  void headRootAnswersTheHeadersOfGetWithoutABody() throws Exception {
    try (RawConnection connection = RawConnection.open(server.address())) {
      WireResponse head =
          connection.send("HEAD / HTTP/1.1\r\nHost: usher\r\n\r\n").readHeadResponse();
      assertEquals(200, head.status());
      assertEquals(String.valueOf(HELLO.length()), head.header("content-length").orElseThrow());
      assertEquals("text/plain", head.header("content-type").orElseThrow());

      // Had a body followed the HEAD response, it would be read here in place of a status line.
      WireResponse get = connection.send("GET / HTTP/1.1\r\nHost: usher\r\n\r\n").readResponse();
      assertEquals(200, get.status());
      assertEquals(HELLO, get.bodyText());
    }
  }

  @Test
  void postEchoSendsBackTheBodyAndItsContentType() throws Exception {
    String json = "{\"greeting\":\"héllo\"}";
    HttpResponse<byte[]> response =
        client.send(
            HttpRequest.newBuilder(server.uri("/echo"))
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());

    assertEquals(200, response.statusCode());
    assertArrayEquals(json.getBytes(StandardCharsets.UTF_8), response.body());
    assertEquals(
        "application/json; charset=utf-8",
        response.headers().firstValue("content-type").orElseThrow());
  }

  @Test
  void postEchoWithoutContentTypeAnswersOctetStream() throws Exception {
    try (RawConnection connection = RawConnection.open(server.address())) {
      WireResponse echo =
          connection
              .send("POST /echo HTTP/1.1\r\nHost: usher\r\nContent-Length: 5\r\n\r\nbytes")
              .readResponse();
      assertEquals(200, echo.status());
      assertEquals("bytes", echo.bodyText());
      assertEquals("application/octet-stream", echo.header("content-type").orElseThrow());
    }
  }

  @Test
  void postEchoAcceptsAChunkedBody() throws Exception {
    try (RawConnection connection = RawConnection.open(server.address())) {
      WireResponse echo =
          connection
              .send(
                  "POST /echo HTTP/1.1\r\nHost: usher\r\nTransfer-Encoding: chunked\r\n\r\n"
                      + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
              .readResponse();
      assertEquals(200, echo.status());
      assertEquals("hello world", echo.bodyText());
    }
  }

  @Test
  void unknownPathAnswers404AndKeepsTheConnectionAlive() throws Exception {
    try (RawConnection connection = RawConnection.open(server.address())) {
      WireResponse missing =
          connection.send("GET /no/such/path HTTP/1.1\r\nHost: usher\r\n\r\n").readResponse();
      assertEquals(404, missing.status());
      assertFalse(missing.announcesClose(), "404 must not end the connection: " + missing);

      WireResponse next = connection.send("GET / HTTP/1.1\r\nHost: usher\r\n\r\n").readResponse();
      assertEquals(200, next.status());
      assertEquals(HELLO, next.bodyText());
    }
  }

  @Test
  void servesSeveralRequestsOneAfterAnotherOnOneConnection() throws Exception {
    try (RawConnection connection = RawConnection.open(server.address())) {
      for (int i = 0; i < 20; i++) {
        String body = "request " + i;
        WireResponse echo =
            connection
                .send(
                    "POST /echo HTTP/1.1\r\nHost: usher\r\nContent-Length: "
                        + body.length()
                        + "\r\n\r\n"
                        + body)
                .readResponse();
        assertEquals(200, echo.status());
        assertEquals(body, echo.bodyText());
        assertFalse(echo.announcesClose());
      }
    }
  }

  @Test
  void answersPipelinedRequestsInOrder() throws Exception {
    try (RawConnection connection = RawConnection.open(server.address())) {
      connection.send(
          "GET / HTTP/1.1\r\nHost: usher\r\n\r\n"
              + "POST /echo HTTP/1.1\r\nHost: usher\r\nContent-Length: 6\r\n\r\nsecond"
              + "GET /missing HTTP/1.1\r\nHost: usher\r\n\r\n"
              + "HEAD / HTTP/1.1\r\nHost: usher\r\n\r\n"
              + "POST /echo HTTP/1.1\r\nHost: usher\r\nContent-Length: 5\r\n\r\nfifth");

      WireResponse first = connection.readResponse();
      WireResponse second = connection.readResponse();
      WireResponse third = connection.readResponse();
      WireResponse fourth = connection.readHeadResponse();
      WireResponse fifth = connection.readResponse();

      assertEquals(HELLO, first.bodyText());
      assertEquals("second", second.bodyText());
      assertEquals(404, third.status());
      assertEquals(200, fourth.status());
      assertEquals("fifth", fifth.bodyText());

      // Still open for more after the batch.
      assertEquals(
          200, connection.send("GET / HTTP/1.1\r\nHost: usher\r\n\r\n").readResponse().status());
    }
  }

  @Test
  void http10RequestWithoutKeepAliveIsAnsweredThenClosed() throws Exception {
    try (RawConnection connection = RawConnection.open(server.address())) {
      WireResponse response = connection.send("GET / HTTP/1.0\r\n\r\n").readResponse();

      // RFC 9110 6.2: a server sends the highest minor version it conforms to, here 1.1.
      assertEquals("HTTP/1.1", response.version());
      assertTrue(response.announcesClose(), response.toString());
      assertEquals(200, response.status());
      assertEquals(HELLO, response.bodyText());
      connection.awaitClosedByServer(CLOSE_TIMEOUT);
    }
  }

  @Test
  void http10RequestAskingForKeepAliveKeepsTheConnection() throws Exception {
    try (RawConnection connection = RawConnection.open(server.address())) {
      WireResponse first =
          connection.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").readResponse();
      assertEquals(200, first.status());
      assertTrue(
          "keep-alive".equalsIgnoreCase(first.header("connection").orElseThrow()),
          first.toString());

      WireResponse second =
          connection.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").readResponse();
      assertEquals(200, second.status());
      assertTrue(second.bodyText().startsWith("hello"));
    }
  }

  @Test
  void http11RequestWithConnectionCloseIsAnsweredThenClosed() throws Exception {
    try (RawConnection connection = RawConnection.open(server.address())) {
      WireResponse response =
          connection
              .send("GET / HTTP/1.1\r\nHost: usher\r\nConnection: close\r\n\r\n")
              .readResponse();

      assertEquals(200, response.status());
      assertTrue(response.announcesClose(), response.toString());
      connection.awaitClosedByServer(CLOSE_TIMEOUT);
    }
  }
}
