package dev.usher.http;

import static dev.usher.http.EmbeddedHttpConnection.IDLE_TIMEOUT;
import static dev.usher.http.EmbeddedHttpConnection.LINGERING_TIME;
import static dev.usher.http.EmbeddedHttpConnection.LINGERING_TIMEOUT;
import static dev.usher.http.EmbeddedHttpConnection.REQUEST_TIMEOUT;
import static dev.usher.http.HttpConnectionRulesTest.statuses;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The connection's timing rules, with time from the event loop's ticker advanced by the test: the
 * request deadline (408), the idle timeout and the lingering close.
 */
class HttpConnectionTimingTest {
  private static final Duration SECOND = Duration.ofSeconds(1);
  private static final String HOST = "Host: usher\r\n";
  private static final String GET = "GET / HTTP/1.1\r\n" + HOST + "\r\n";

  /** Bytes sent at a moment, the time that then passes, and what the client has seen by then. */
  record Step(String sent, Duration then, List<Integer> statuses, boolean open) {}

  record Row(String rule, List<Step> steps) {
    @Override
    public String toString() {
      return rule;
    }
  }

  static Step step(String sent, Duration then, List<Integer> statuses, boolean open) {
    return new Step(sent, then, statuses, open);
  }

  static Stream<Row> rows() {
    Duration justUnder = REQUEST_TIMEOUT.minus(SECOND);
    return Stream.of(
        new Row(
            "a request line trickled past the request timeout gets 408",
            List.of(
                step("GET / HT", justUnder, List.of(), true),
                step("", SECOND, List.of(408), true))),
        new Row(
            "the deadline runs from the first byte, whatever arrives after it",
            List.of(
                step("GET / HTTP/1.1\r\n", Duration.ofSeconds(20), List.of(), true),
                step(HOST, Duration.ofSeconds(9), List.of(), true),
                step("X-More: 1\r\n", SECOND, List.of(408), true))),
        new Row(
            "a body trickled past the request timeout gets 408",
            List.of(
                step(
                    "POST /echo HTTP/1.1\r\n" + HOST + "Content-Length: 10\r\n\r\nhello",
                    REQUEST_TIMEOUT,
                    List.of(408),
                    true))),
        new Row(
            "a byte no request line starts with is refused at once, not left to any timeout",
            List.of(step("\u007f\u0080", SECOND, List.of(400), true))),
        new Row(
            "each request of a keep-alive connection gets its own time",
            List.of(
                step(GET, Duration.ofSeconds(20), List.of(200), true),
                step("GET / HT", Duration.ofSeconds(20), List.of(), true),
                step("TP/1.1\r\n" + HOST + "\r\n", SECOND, List.of(200), true),
                step("GET / HT", justUnder, List.of(), true))),
        new Row(
            "a connection silent for the idle timeout closes (within 1.25 times it)",
            List.of(
                step(GET, IDLE_TIMEOUT.minus(SECOND), List.of(200), true),
                step("", IDLE_TIMEOUT.dividedBy(4).plus(SECOND), List.of(), false))),
        new Row(
            "a connection that never sent a byte closes at the idle timeout",
            List.of(step("", IDLE_TIMEOUT.multipliedBy(5).dividedBy(4), List.of(), false))),
        new Row(
            "after a refusal, a client silent for the lingering timeout is closed",
            List.of(
                step("garbage\r\n\r\n", LINGERING_TIMEOUT.minus(SECOND), List.of(400), true),
                step("", LINGERING_TIMEOUT.dividedBy(4).plus(SECOND), List.of(), false))),
        new Row(
            "a client that keeps sending after a refusal is closed at the lingering time",
            Stream.iterate(0, i -> i + 1)
                .limit(LINGERING_TIME.toSeconds() / 2)
                .map(
                    i ->
                        step(
                            i == 0 ? "garbage\r\n\r\n" : "more",
                            Duration.ofSeconds(2),
                            i == 0 ? List.of(400) : List.of(),
                            i < LINGERING_TIME.toSeconds() / 2 - 1))
                .toList()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void timing(Row row) {
    try (EmbeddedHttpConnection connection = EmbeddedHttpConnection.open()) {
      for (Step step : row.steps()) {
        if (!step.sent().isEmpty()) {
          connection.send(step.sent());
        }
        connection.advance(step.then());
        String sent = connection.sent();
        assertEquals(step.statuses(), statuses(sent), step + ": " + sent);
        assertEquals(step.open(), connection.isOpen(), step.toString());
      }
    }
  }

  @Test
  void aRequestAwaitingTheServiceIsNotIdle() {
    HeldService service = new HeldService();
    try (EmbeddedHttpConnection connection = EmbeddedHttpConnection.open(service)) {
      connection.send(GET).advance(IDLE_TIMEOUT.multipliedBy(2));
      assertTrue(connection.isOpen());
      assertTrue(
          connection.nanosToNextTimer() >= IDLE_TIMEOUT.dividedBy(8).toNanos(),
          "the timer spins while the service works: next in "
              + connection.nanosToNextTimer()
              + " ns");

      service.answer(0);
      assertEquals(List.of(200), statuses(connection.sent()));
      connection.advance(IDLE_TIMEOUT.multipliedBy(5).dividedBy(4));
      assertFalse(connection.isOpen());
    }
  }

  @Test
  void aRequestWaitingForItsContinueBehindAnotherHasNoDeadlineAndGetsTheContinueInTurn() {
    HeldService service = new HeldService();
    try (EmbeddedHttpConnection connection = EmbeddedHttpConnection.open(service)) {
      connection.send(
          GET
              + "POST /echo HTTP/1.1\r\n"
              + HOST
              + "Expect: 100-continue\r\nContent-Length: 5\r\n\r\n");
      connection.advance(REQUEST_TIMEOUT.multipliedBy(2));
      assertEquals("", connection.sent(), "answered before the first request was");

      service.answer(0);
      String sent = connection.sent();
      assertTrue(sent.startsWith("HTTP/1.1 200 OK"), sent);
      assertTrue(sent.contains("HTTP/1.1 100 Continue"), sent);
      assertTrue(connection.isOpen());
    }
  }

  @Test
  void aLingeringConnectionClosesWhenTheClientFinishesSending() {
    try (EmbeddedHttpConnection connection = EmbeddedHttpConnection.open()) {
      connection.send("garbage\r\n\r\n");
      assertTrue(connection.lingers());
      connection.halfClose();
      assertFalse(connection.isOpen());
    }
  }
}
