package dev.usher.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.usher.config.OverloadConfig;
import dev.usher.overload.Overload;
import dev.usher.overload.ShedReason;
import dev.usher.sample.HelloService;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Requests shed under overload, on connections whose loop's time is a mock ticker: a loop that fell
 * behind answers 503 with {@code Retry-After} and keeps the connection, and serves again after a
 * calm second; a server at its concurrency limit sheds the request one above it.
 */
class OverloadSheddingTest {
  private static final String GET = "GET / HTTP/1.1\r\nHost: usher\r\n\r\n";
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<EmbeddedHttpConnection> connections = new ArrayList<>();

  @AfterEach
  void close() {
    connections.forEach(EmbeddedHttpConnection::close);
  }

  private EmbeddedHttpConnection open(HttpService service, Overload overload) {
    EmbeddedHttpConnection connection = EmbeddedHttpConnection.open(service, overload);
    connections.add(connection);
    return connection;
  }

  private double shed(Overload overload, ShedReason reason) {
    return overload.shedCounter(reason).count();
  }

  // server.overload.max-event-loop-lag = limit, each loop probed every 10 ms.
  private Overload lagLimit(Duration limit) {
    return Overload.create(
        new OverloadConfig(Duration.ZERO, limit, 0, false), Duration.ofMillis(10), registry);
  }

  @Test
  void aLoopThatFellBehindShedsRequestsKeepsTheConnectionAndRecoversAfterACalmSecond() {
    Overload overload = lagLimit(Duration.ofMillis(50));
    EmbeddedHttpConnection connection = open(new HelloService(), overload);
    assertTrue(connection.send(GET).sent().startsWith("HTTP/1.1 200 "));

    connection.stall(Duration.ofMillis(200));
    String shedAnswer = connection.send(GET).sent();
    assertTrue(shedAnswer.startsWith("HTTP/1.1 503 "), shedAnswer);
    assertTrue(shedAnswer.contains("retry-after: 1"), shedAnswer);
    assertFalse(shedAnswer.contains("connection: close"), shedAnswer);
    assertTrue(connection.isOpen());

    connection.advance(Duration.ofMillis(500));
    assertTrue(connection.send(GET).sent().startsWith("HTTP/1.1 503 "), "calm for half a second");
    connection.advance(Duration.ofMillis(600));
    assertTrue(connection.send(GET).sent().startsWith("HTTP/1.1 200 "), "calm for a second");
    assertEquals(2, shed(overload, ShedReason.EVENT_LOOP_LAG));
    assertEquals(0, shed(overload, ShedReason.CONCURRENCY));
  }

  @Test
  void aLoopBehindShedsOnlyWhatWaitedLongerThanTheLimitAndServesWhatIsFresh() {
    Overload overload = lagLimit(Duration.ofMillis(50));
    WorkingService working = new WorkingService(Duration.ofMillis(20));
    EmbeddedHttpConnection connection = open(working, overload);
    working.on(connection);

    // Five requests read in one round, each 20 ms of work: the loop owes its tasks a turn for 60 ms
    // by the fourth, which has waited that long (its socket cannot tell: since the loop last ran
    // its tasks), as has the fifth.
    connection.sendInOneBatch(GET.repeat(5));
    assertEquals(
        List.of(200, 200, 200, 503, 503), HttpConnectionRulesTest.statuses(connection.sent()));
    assertFalse(connection.reads(), "a loop behind its tasks reads on");

    // The loop runs its tasks, and reads again; it sheds on (no calm second yet), but what it reads
    // now is fresh.
    connection.runLoopTasks();
    assertTrue(connection.reads());
    connection.sendInOneBatch(GET.repeat(2));
    assertEquals(List.of(200, 200), HttpConnectionRulesTest.statuses(connection.sent()));
    assertEquals(2, shed(overload, ShedReason.EVENT_LOOP_LAG));
  }

  /** Answers 200 after keeping its loop busy for a while. */
  private static final class WorkingService implements HttpService {
    private final Duration work;
    private EmbeddedHttpConnection connection;

    WorkingService(Duration work) {
      this.work = work;
    }

    void on(EmbeddedHttpConnection connection) {
      this.connection = connection;
    }

    @Override
    public void serve(FullHttpRequest request, HttpExchange exchange) {
      connection.busy(work);
      exchange.respond(
          HttpResponses.text(
              HttpResponseStatus.OK, Unpooled.copiedBuffer("done\n", StandardCharsets.UTF_8)));
    }
  }

  @Test
  void theRequestAboveTheConcurrencyLimitIsShedAndItsPlaceFreesWhenTheFirstIsAnswered() {
    Overload overload =
        Overload.create(
            new OverloadConfig(Duration.ZERO, Duration.ZERO, 1, false),
            Duration.ofMillis(10),
            registry);
    List<HttpExchange> held = new ArrayList<>();
    HttpService slowThenFast =
        (request, exchange) -> {
          if (request.uri().equals("/slow")) {
            held.add(exchange);
          } else {
            exchange.respond(
                HttpResponses.text(
                    HttpResponseStatus.OK, Unpooled.copiedBuffer("ok\n", StandardCharsets.UTF_8)));
          }
        };
    EmbeddedHttpConnection first = open(slowThenFast, overload);
    EmbeddedHttpConnection second = open(slowThenFast, overload);

    first.send("GET /slow HTTP/1.1\r\nHost: usher\r\n\r\n");
    String shedAnswer = second.send(GET).sent();
    assertTrue(shedAnswer.startsWith("HTTP/1.1 503 "), shedAnswer);
    assertTrue(shedAnswer.contains("retry-after: 1"), shedAnswer);
    assertTrue(second.isOpen(), "a shed request keeps its connection");

    held.getFirst()
        .respond(
            HttpResponses.text(
                HttpResponseStatus.OK, Unpooled.copiedBuffer("slow\n", StandardCharsets.UTF_8)));
    assertTrue(first.sent().startsWith("HTTP/1.1 200 "));
    assertTrue(second.send(GET).sent().startsWith("HTTP/1.1 200 "));
    assertEquals(1, shed(overload, ShedReason.CONCURRENCY));
  }

  @Test
  void anAbandonedRequestGivesBackItsPlace() {
    Overload overload =
        Overload.create(
            new OverloadConfig(Duration.ZERO, Duration.ZERO, 1, false),
            Duration.ofMillis(10),
            registry);
    HttpService neverAnswers = (request, exchange) -> {};
    EmbeddedHttpConnection first = open(neverAnswers, overload);
    first.send("GET /slow HTTP/1.1\r\nHost: usher\r\n\r\n");
    first.close();

    EmbeddedHttpConnection second = open(new HelloService(), overload);
    assertTrue(second.send(GET).sent().startsWith("HTTP/1.1 200 "));
  }
}
