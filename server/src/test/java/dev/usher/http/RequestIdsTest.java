package dev.usher.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.usher.testing.RawConnection;
import dev.usher.testing.RunningServer;
import dev.usher.testing.WireResponse;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.MDC;

/**
 * A request's id: the caller's {@code X-Request-Id} kept when sane, a {@code traceparent}'s trace
 * id, or one usher makes; echoed in the answer and in the logging MDC while the handler runs, on
 * the event loop and on a virtual thread alike.
 */
class RequestIdsTest {
  private static final Pattern MADE = Pattern.compile("[0-9a-f]{16}");
  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          x-request-id | abc-123                                                    | abc-123
          x-request-id | 0123456789abcdef0123456789abcdef                           | 0123456789abcdef0123456789abcdef
          traceparent  | 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01    | 4bf92f3577b34da6a3ce929d0e0e4736
          """)
  void aSaneIdOrATraceIdIsKept(String header, String value, String id) {
    HttpHeaders headers = new DefaultHttpHeaders().set(header, value);

    assertEquals(id, RequestIds.of(headers).toString());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          x-request-id | has space
          x-request-id | tab\there
          traceparent  | 00-00000000000000000000000000000000-00f067aa0ba902b7-01
          traceparent  | 01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01
          traceparent  | 00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01
          """)
  void aHostileOrInvalidValueIsReplacedNeverEchoed(String header, String value) {
    String written = value.replace("\\t", "\t");
    HttpHeaders headers = new DefaultHttpHeaders(false).set(header, written);

    String id = RequestIds.of(headers).toString();

    assertNotEquals(written, id);
    assertTrue(MADE.matcher(id).matches(), id);
  }

  @Test
  void anIdLongerThanTheBoundIsReplaced() {
    String tooLong = "a".repeat(RequestIds.MAX_LENGTH + 1);

    assertTrue(
        MADE.matcher(
                RequestIds.of(new DefaultHttpHeaders().set("x-request-id", tooLong)).toString())
            .matches());
    assertEquals(
        "a".repeat(RequestIds.MAX_LENGTH),
        RequestIds.of(
                new DefaultHttpHeaders().set("x-request-id", "a".repeat(RequestIds.MAX_LENGTH)))
            .toString());
  }

  @Test
  void theIdIsEchoedAndInTheMdcOnTheLoopAndOnAVirtualThread() throws Exception {
    HttpService mdc =
        (request, exchange) ->
            exchange.respond(
                HttpResponses.text(
                    HttpResponseStatus.OK,
                    Unpooled.copiedBuffer(
                        MDC.get(RequestIds.MDC_KEY) + " " + exchange.requestId(),
                        StandardCharsets.US_ASCII)));
    try (RunningServer usher =
            RunningServer.start(
                Map.of(),
                (config, setup) -> {
                  HttpService blocking = setup.blocking(mdc);
                  return setup.http(
                      (request, exchange) -> {
                        if (request.uri().equals("/blocking")) {
                          blocking.serve(request, exchange);
                        } else {
                          mdc.serve(request, exchange);
                        }
                      });
                });
        RawConnection client = RawConnection.open(usher.address())) {
      WireResponse given =
          client.send("GET / HTTP/1.1\r\nHost: a\r\nX-Request-Id: order-42\r\n\r\n").readResponse();
      WireResponse traced =
          client
              .send(
                  "GET /blocking HTTP/1.1\r\nHost: a\r\ntraceparent: 00-"
                      + TRACE
                      + "-00f067aa0ba902b7-01\r\n\r\n")
              .readResponse();
      WireResponse made = client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").readResponse();

      assertEquals("order-42", given.header("x-request-id").orElseThrow());
      assertEquals("order-42 order-42", given.bodyText());
      assertEquals(TRACE, traced.header("x-request-id").orElseThrow());
      assertEquals(TRACE + " " + TRACE, traced.bodyText(), "in the MDC on the virtual thread");
      String id = made.header("x-request-id").orElseThrow();
      assertTrue(MADE.matcher(id).matches(), id);
      assertEquals(id + " " + id, made.bodyText());
    }
  }

  @Test
  void offThereIsNoId() throws Exception {
    try (RunningServer usher = RunningServer.start(Map.of("http.request-id", "off"));
        RawConnection client = RawConnection.open(usher.address())) {
      WireResponse answer =
          client.send("GET / HTTP/1.1\r\nHost: a\r\nX-Request-Id: order-42\r\n\r\n").readResponse();

      assertTrue(answer.header("x-request-id").isEmpty());
    }
  }
}
