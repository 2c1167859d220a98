package dev.usher.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.usher.testing.RawConnection;
import dev.usher.testing.RunningServer;
import dev.usher.testing.WireResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Requests the HTTP application refuses: each gets the status that names the problem, announced
 * with {@code Connection: close}, and then the connection really closes, since the rest of its byte
 * stream can no longer be trusted. Limits are 1 KiB here so that the tests show the configured
 * values are the ones enforced.
 */
class MalformedRequestTest {
  private static final int LIMIT = 1024;
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

  private static RunningServer server;

  @BeforeAll
  static void startServer() throws Exception {
    server =
        RunningServer.start(
            Map.of(
                "http.max-initial-line-bytes", LIMIT + "B",
                "http.max-header-bytes", LIMIT + "B",
                "http.max-body-bytes", LIMIT + "B"));
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  @Test
  void garbageRequestLineGets400AndTheConnectionCloses() throws Exception {
    assertRefusedAndClosed("this is not http\r\n\r\n", 400);
  }

  @Test
  void binaryGarbageGets400AndTheConnectionCloses() throws Exception {
    assertRefusedAndClosed("\u0016\u0003\u0001\u0002\u0000 \u0001\u0000\u0001\r\n\r\n", 400);
  }

  @Test
  void headerLineWithoutAColonGets400AndTheConnectionCloses() throws Exception {
    assertRefusedAndClosed("GET / HTTP/1.1\r\nHost: usher\r\nthis line has no colon\r\n\r\n", 400);
  }

  @Test
  void invalidChunkSizeGets400AndTheConnectionCloses() throws Exception {
    assertRefusedAndClosed(
        "POST /echo HTTP/1.1\r\nHost: usher\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
        400);
  }

  @Test
  void requestLineLongerThanTheLimitGets414AndTheConnectionCloses() throws Exception {
    assertRefusedAndClosed(
        "GET /" + "a".repeat(2 * LIMIT) + " HTTP/1.1\r\nHost: usher\r\n\r\n", 414);
  }

  @Test
  void requestLineWithinTheLimitIsServed() throws Exception {
    try (RawConnection connection = RawConnection.open(server.address())) {
      WireResponse response =
          connection
              .send("GET /" + "a".repeat(LIMIT / 2) + " HTTP/1.1\r\nHost: usher\r\n\r\n")
              .readResponse();
      assertEquals(404, response.status(), "a long but allowed path is routed, not refused");
    }
  }

  @Test
  void headersLargerThanTheLimitGet431AndTheConnectionCloses() throws Exception {
    assertRefusedAndClosed(
        "GET / HTTP/1.1\r\nHost: usher\r\nX-Padding: " + "p".repeat(2 * LIMIT) + "\r\n\r\n", 431);
  }

  @Test
  void manyHeadersAddingUpToMoreThanTheLimitGet431AndTheConnectionCloses() throws Exception {
    StringBuilder request = new StringBuilder("GET / HTTP/1.1\r\nHost: usher\r\n");
    for (int i = 0; i < 40; i++) {
      request.append("X-Header-").append(i).append(": ").append("v".repeat(40)).append("\r\n");
    }
    assertRefusedAndClosed(request.append("\r\n").toString(), 431);
  }

  @Test
  void headersWithinTheLimitAreServed() throws Exception {
    try (RawConnection connection = RawConnection.open(server.address())) {
      WireResponse response =
          connection
              .send(
                  "GET / HTTP/1.1\r\nHost: usher\r\nX-Padding: "
                      + "p".repeat(LIMIT / 2)
                      + "\r\n\r\n")
              .readResponse();
      assertEquals(200, response.status());
    }
  }

  @Test
  void declaredContentLengthAboveTheLimitGets413BeforeTheBodyIsSent() throws Exception {
    assertRefusedAndClosed(
        "POST /echo HTTP/1.1\r\nHost: usher\r\nContent-Length: " + (LIMIT + 1) + "\r\n\r\n", 413);
  }

  @Test
  void chunkedBodyGrowingAboveTheLimitGets413AndTheConnectionCloses() throws Exception {
    String chunk = "c".repeat(LIMIT / 2);
    String chunkLine = Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n";
    // Three chunks of half the limit; the stream stops there, unterminated, and the server must not
    // wait for the rest.
    assertRefusedAndClosed(
        "POST /echo HTTP/1.1\r\nHost: usher\r\nTransfer-Encoding: chunked\r\n\r\n"
            + chunkLine.repeat(3),
        413);
  }

  @Test
  void expect100ContinueWithContentLengthAboveTheLimitGets413AndTheConnectionCloses()
      throws Exception {
    assertRefusedAndClosed(
        "POST /echo HTTP/1.1\r\nHost: usher\r\nExpect: 100-continue\r\nContent-Length: "
            + (LIMIT + 1)
            + "\r\n\r\n",
        413);
  }

  @Test
  void expect100ContinueWithinTheLimitGetsContinueAndThenTheEcho() throws Exception {
    try (RawConnection connection = RawConnection.open(server.address())) {
      WireResponse interim =
          connection
              .send(
                  "POST /echo HTTP/1.1\r\nHost: usher\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
              .readResponse();
      assertEquals(100, interim.status());

      WireResponse echo = connection.send("hello").readResponse();
      assertEquals(200, echo.status());
      assertEquals("hello", echo.bodyText());
      assertFalse(echo.announcesClose());
    }
  }

  @Test
  void unsupportedExpectationGets417AndTheConnectionCloses() throws Exception {
    assertRefusedAndClosed(
        "POST /echo HTTP/1.1\r\nHost: usher\r\nExpect: teapot\r\nContent-Length: 5\r\n\r\n", 417);
  }

  @Test
  void bodyOfExactlyTheLimitIsEchoed() throws Exception {
    String body = "b".repeat(LIMIT);
    try (RawConnection connection = RawConnection.open(server.address())) {
      WireResponse echo =
          connection
              .send(
                  "POST /echo HTTP/1.1\r\nHost: usher\r\nContent-Length: "
                      + LIMIT
                      + "\r\n\r\n"
                      + body)
              .readResponse();
      assertEquals(200, echo.status());
      assertEquals(body, echo.bodyText());
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "'BREW / HTTP/1.1\r\nHost: usher\r\n\r\n', 'GET, HEAD'",
    "'DELETE / HTTP/1.1\r\nHost: usher\r\n\r\n', 'GET, HEAD'",
    "'GET /echo HTTP/1.1\r\nHost: usher\r\n\r\n', POST",
    "'PUT / HTTP/1.1\r\nHost: usher\r\nContent-Length: 5\r\n\r\nhello', 'GET, HEAD'",
  })
  void aMethodTheRouteDoesNotTakeGets405WithAllowAndKeepsTheConnection(
      String request, String allowed) throws Exception {
    try (RawConnection connection = RawConnection.open(server.address())) {
      WireResponse refused = connection.send(request).readResponse();
      assertEquals(405, refused.status(), refused.toString());
      assertEquals(allowed, refused.header("allow").orElseThrow());
      assertFalse(refused.announcesClose(), "the request was read whole: " + refused);

      WireResponse next = connection.send("GET / HTTP/1.1\r\nHost: usher\r\n\r\n").readResponse();
      assertEquals(200, next.status());
    }
  }

  @Test
  void malformedClientsDoNotDisturbAnotherClientsKeepAliveConnection() throws Exception {
    try (RawConnection bystander = RawConnection.open(server.address())) {
      assertEquals(
          200, bystander.send("GET / HTTP/1.1\r\nHost: usher\r\n\r\n").readResponse().status());
      // The bystander is in the middle of a request while the others misbehave.
      bystander.send("POST /echo HTTP/1.1\r\nHost: usher\r\nContent-Length: 10\r\n\r\nstill ");

      assertRefusedAndClosed("this is not http\r\n\r\n", 400);
      assertRefusedAndClosed("GET /" + "a".repeat(2 * LIMIT) + " HTTP/1.1\r\n\r\n", 414);
      assertRefusedAndClosed(
          "GET / HTTP/1.1\r\nX-Padding: " + "p".repeat(2 * LIMIT) + "\r\n\r\n", 431);
      assertRefusedAndClosed(
          "POST /echo HTTP/1.1\r\nHost: usher\r\nContent-Length: " + (LIMIT + 1) + "\r\n\r\n", 413);

      WireResponse echo = bystander.send("here").readResponse();
      assertEquals(200, echo.status());
      assertEquals("still here", echo.bodyText());
      assertFalse(echo.announcesClose());
      assertEquals(
          200, bystander.send("GET / HTTP/1.1\r\nHost: usher\r\n\r\n").readResponse().status());
    }
  }

  private static WireResponse assertRefusedAndClosed(String request, int expectedStatus)
      throws Exception {
    try (RawConnection connection = RawConnection.open(server.address())) {
      WireResponse response = connection.send(request).readResponse();
      assertEquals(expectedStatus, response.status(), response.toString());
      assertTrue(
          response.announcesClose(), "the refusal must announce Connection: close: " + response);
      connection.awaitClosedByServer(CLOSE_TIMEOUT);
      return response;
    }
  }
}
