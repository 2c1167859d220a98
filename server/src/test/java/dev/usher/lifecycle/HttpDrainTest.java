package dev.usher.lifecycle;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.usher.testing.RawConnection;
import dev.usher.testing.RunningServer;
import dev.usher.testing.SocketStatistics;
import dev.usher.testing.WireResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The graceful drain of the HTTP application, in process: idle keep-alive connections close at
 * once, a request in flight is finished and answered with {@code Connection: close}, and what never
 * finishes is closed at {@code shutdown.drain-timeout}; the {@link DrainSummary} counts each.
 */
class HttpDrainTest {

  @Test
  void finishesARequestInFlightWithConnectionCloseAndClosesIdleConnectionsAtOnce()
      throws Exception {
    try (RunningServer server = RunningServer.start(Map.of("shutdown.drain-timeout", "20s"));
        RawConnection idleOne = RawConnection.open(server.address());
        RawConnection idleTwo = RawConnection.open(server.address());
        RawConnection uploading = RawConnection.open(server.address());
        RawConnection silent = RawConnection.open(server.address())) {
      assertEquals(200, get(idleOne).status());
      assertEquals(200, get(idleTwo).status());
      // Accepted, but it has never sent a byte: it holds no HTTP handlers yet.
      await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () -> server.scrape().require("server_connections_active", "listener=\"main\"") == 4);

      String body = "a body still on its way when the drain starts";
      uploading.send(
          "POST /echo HTTP/1.1\r\nHost: usher\r\nExpect: 100-continue\r\nContent-Type: text/plain\r\nContent-Length: "
              + body.length()
              + "\r\n\r\n");
      // The interim answer proves the server has read the request head: the request is in flight.
      assertEquals(100, uploading.readResponse().status());
      uploading.send(body.substring(0, 10));

      StoppingThread stopping = StoppingThread.start(server);

      // Idle connections end at once, in an orderly way, while the drain still waits for the
      // upload.
      assertEquals(RawConnection.Ending.EOF, idleOne.awaitClosedByServer(Duration.ofSeconds(5)));
      assertEquals(RawConnection.Ending.EOF, idleTwo.awaitClosedByServer(Duration.ofSeconds(5)));
      assertEquals(RawConnection.Ending.EOF, silent.awaitClosedByServer(Duration.ofSeconds(5)));
      stopping.awaitWaitingForConnections();

      // The rest of the body, slowly, as a slow client sends it.
      for (String piece : pieces(body.substring(10), 5)) {
        uploading.send(piece);
        Thread.sleep(60);
      }
      WireResponse echo = uploading.readResponse();
      assertEquals(200, echo.status());
      assertEquals(body, echo.bodyText());
      assertEquals("text/plain", echo.header("content-type").orElseThrow());
      assertTrue(
          echo.announcesClose(), "the last response of a draining connection says so: " + echo);
      assertEquals(RawConnection.Ending.EOF, uploading.awaitClosedByServer(Duration.ofSeconds(5)));

      DrainSummary summary = stopping.summary(Duration.ofSeconds(10));
      assertEquals(4, summary.drained(), summary.toString());
      assertEquals(0, summary.forced(), summary.toString());
    }
  }

  @Test
  void aRequestWhoseFirstBytesHaveArrivedIsAnsweredNotDroppedAsIdle() throws Exception {
    try (RunningServer server = RunningServer.start(Map.of("shutdown.drain-timeout", "20s"));
        RawConnection idle = RawConnection.open(server.address());
        RawConnection arriving = RawConnection.open(server.address())) {
      assertEquals(200, get(idle).status());
      arriving.send("GET / HT");
      // The server has read those bytes (nothing waits in its receive queue): the codec holds a
      // partial request line, and no HttpRequest exists yet.
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> SocketStatistics.unreadAtServer(server.port()) == 0);

      StoppingThread stopping = StoppingThread.start(server);
      assertEquals(RawConnection.Ending.EOF, idle.awaitClosedByServer(Duration.ofSeconds(5)));
      stopping.awaitWaitingForConnections();

      arriving.send("TP/1.1\r\nHost: usher\r\n\r\n");
      WireResponse response = arriving.readResponse();
      assertEquals(200, response.status());
      assertTrue(response.announcesClose(), response.toString());
      assertEquals(RawConnection.Ending.EOF, arriving.awaitClosedByServer(Duration.ofSeconds(5)));
      assertEquals(0, stopping.summary(Duration.ofSeconds(10)).forced());
    }
  }

  @Test
  void closesByForceWhatIsStillOpenAtTheDrainTimeout() throws Exception {
    Duration drainTimeout = Duration.ofMillis(500);
    try (RunningServer server =
            RunningServer.start(Map.of("shutdown.drain-timeout", drainTimeout.toMillis() + "ms"));
        RawConnection idle = RawConnection.open(server.address());
        RawConnection stuck = RawConnection.open(server.address())) {
      assertEquals(200, get(idle).status());
      stuck.send(
          "POST /echo HTTP/1.1\r\nHost: usher\r\nExpect: 100-continue\r\nContent-Length: 100\r\n\r\n");
      assertEquals(100, stuck.readResponse().status());
      stuck.send("never finished");

      StoppingThread stopping = StoppingThread.start(server);
      idle.awaitClosedByServer(Duration.ofSeconds(5));
      stuck.awaitClosedByServer(Duration.ofSeconds(10));

      DrainSummary summary = stopping.summary(Duration.ofSeconds(10));
      assertEquals(1, summary.drained(), summary.toString());
      assertEquals(1, summary.forced(), summary.toString());
      assertTrue(summary.elapsed().compareTo(drainTimeout) >= 0, summary.toString());
    }
  }

  @Test
  void drainWithNoConnectionsStopsAtOnce() throws Exception {
    try (RunningServer server = RunningServer.start(Map.of("shutdown.drain-timeout", "20s"))) {
      DrainSummary summary = server.stop();
      assertEquals(new DrainSummary(0, 0, summary.elapsed()), summary);
      assertTrue(summary.elapsed().compareTo(Duration.ofSeconds(5)) < 0, summary.toString());
      assertFalse(server.server().isReady());
      assertEquals(ServerState.STOPPED, server.server().state());
    }
  }

  private static WireResponse get(RawConnection connection) throws Exception {
    return connection.send("GET / HTTP/1.1\r\nHost: usher\r\n\r\n").readResponse();
  }

  private static List<String> pieces(String text, int count) {
    int size = Math.max(1, (text.length() + count - 1) / count);
    List<String> pieces = new ArrayList<>();
    for (int start = 0; start < text.length(); start += size) {
      pieces.add(text.substring(start, Math.min(text.length(), start + size)));
    }
    return pieces;
  }

  /** {@link RunningServer#stop} on a thread of its own, as the signal handler runs it. */
  private static final class StoppingThread {
    private final Thread thread;
    private final CompletableFuture<DrainSummary> summary = new CompletableFuture<>();

    private StoppingThread(RunningServer server) {
      this.thread =
          Thread.ofPlatform()
              .name("test-drain")
              .unstarted(
                  () -> {
                    try {
                      summary.complete(server.stop());
                    } catch (Throwable failure) {
                      summary.completeExceptionally(failure);
                    }
                  });
    }

    static StoppingThread start(RunningServer server) {
      StoppingThread stopping = new StoppingThread(server);
      stopping.thread.start();
      return stopping;
    }

    /**
     * Waits until the drain has asked every connection to finish and is waiting for them to close:
     * the only place {@link ConnectionDrain#drain} blocks, so every connection's drain event has
     * been handed to its event loop.
     */
    void awaitWaitingForConnections() {
      await()
          .atMost(Duration.ofSeconds(5))
          .pollInterval(Duration.ofMillis(5))
          .until(
              () ->
                  (thread.getState() == Thread.State.WAITING
                          || thread.getState() == Thread.State.TIMED_WAITING)
                      && Arrays.stream(thread.getStackTrace())
                          .anyMatch(
                              frame ->
                                  frame.getClassName().equals(ConnectionDrain.class.getName())
                                      && frame.getMethodName().equals("drain")));
    }

    DrainSummary summary(Duration timeout) throws Exception {
      return summary.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
  }
}
