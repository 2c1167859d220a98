package dev.usher.accept;

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

/** {@code server.idle-timeout}: a silent connection is closed; a busy one is left alone. */
class IdleTimeoutTest {
  private static final Duration IDLE_TIMEOUT = Duration.ofMillis(300);

  private static RunningServer server;

  @BeforeAll
  static void startServer() throws Exception {
    server = RunningServer.start(Map.of("server.idle-timeout", IDLE_TIMEOUT.toMillis() + "ms"));
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  @Test
  void closesAConnectionThatNeverSendsAnything() throws Exception {
    long connecting = System.nanoTime();
    try (RawConnection connection = RawConnection.open(server.address())) {
      connection.awaitClosedByServer(Duration.ofSeconds(5));
      assertNotBefore(IDLE_TIMEOUT, connecting);
    }
  }

  @Test
  void closesAKeepAliveConnectionThatFallsSilentAfterARequest() throws Exception {
    try (RawConnection connection = RawConnection.open(server.address())) {
      // Taken before the request: the server's last activity (its response) comes after this.
      long lastRequest = System.nanoTime();
      WireResponse response =
          connection.send("GET / HTTP/1.1\r\nHost: usher\r\n\r\n").readResponse();
      assertEquals(200, response.status());
      assertFalse(response.announcesClose());

      connection.awaitClosedByServer(Duration.ofSeconds(5));
      assertNotBefore(IDLE_TIMEOUT, lastRequest);
    }
  }

  @Test
  void closesAConnectionStuckInTheMiddleOfARequest() throws Exception {
    try (RawConnection connection = RawConnection.open(server.address())) {
      connection.send("POST /echo HTTP/1.1\r\nHost: usher\r\nContent-Length: 10\r\n\r\nhalf");
      connection.awaitClosedByServer(Duration.ofSeconds(5));
    }
  }

  @Test
  void keepsAConnectionThatStaysBusyLongerThanTheTimeout() throws Exception {
    // A server of its own with a longer timeout, so that the client's pacing has a wide margin.
    Duration timeout = Duration.ofSeconds(1);
    try (RunningServer patient =
            RunningServer.start(Map.of("server.idle-timeout", timeout.toMillis() + "ms"));
        RawConnection connection = RawConnection.open(patient.address())) {
      long started = System.nanoTime();
      int requests = 0;
      // Requests every 50 ms for two and a half timeouts: the pacing is the client's behaviour
      // under test, not a wait for the server.
      while (System.nanoTime() - started < timeout.multipliedBy(5).dividedBy(2).toNanos()) {
        WireResponse response =
            connection.send("GET / HTTP/1.1\r\nHost: usher\r\n\r\n").readResponse();
        assertEquals(200, response.status());
        requests++;
        Thread.sleep(50);
      }
      assertTrue(requests >= 3, "only " + requests + " requests");
    }
  }

  private static void assertNotBefore(Duration timeout, long sinceNanos) {
    Duration elapsed = Duration.ofNanos(System.nanoTime() - sinceNanos);
    assertTrue(
        elapsed.compareTo(timeout) >= 0,
        "closed after "
            + elapsed.toMillis()
            + " ms, before the idle timeout of "
            + timeout.toMillis()
            + " ms");
  }
}
