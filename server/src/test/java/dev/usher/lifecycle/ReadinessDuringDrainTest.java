package dev.usher.lifecycle;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.usher.testing.RawConnection;
import dev.usher.testing.RunningServer;
import dev.usher.testing.WireResponse;
import java.net.ConnectException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What a load balancer sees when usher shuts down: readiness turns 503 at once, liveness stays 200,
 * and the listener keeps serving for {@code shutdown.pre-stop-delay} so that clients still routed
 * here are not refused; after the delay it stops accepting.
 */
class ReadinessDuringDrainTest {
  private static final Duration PRE_STOP_DELAY = Duration.ofSeconds(2);

  @Test
  void readinessTurns503AtOnceWhileTheListenerStillServesDuringThePreStopDelay() throws Exception {
    try (RunningServer server =
        RunningServer.start(Map.of("shutdown.pre-stop-delay", PRE_STOP_DELAY.toMillis() + "ms"))) {
      assertEquals(200, server.admin("/health/ready").statusCode());
      assertEquals(200, server.admin("/health/live").statusCode());
      RawConnection keptAlive = RawConnection.open(server.address());
      try (keptAlive) {
        assertEquals(200, get(keptAlive).status());

        long stopCalled = System.nanoTime();
        CompletableFuture<DrainSummary> stopping = stopInTheBackground(server);

        await()
            .atMost(PRE_STOP_DELAY.dividedBy(2))
            .pollInterval(Duration.ofMillis(10))
            .until(() -> server.admin("/health/ready").statusCode() == 503);
        Duration untilNotReady = Duration.ofNanos(System.nanoTime() - stopCalled);
        assertTrue(untilNotReady.compareTo(PRE_STOP_DELAY) < 0, "503 only after " + untilNotReady);

        // Still within the pre-stop delay: a new client is accepted and served, and so is one
        // already connected; the process is alive.
        try (RawConnection newcomer = RawConnection.open(server.address())) {
          WireResponse response = get(newcomer);
          assertEquals(200, response.status());
          assertFalse(
              response.announcesClose(), "no drain yet during the pre-stop delay: " + response);
        }
        assertEquals(200, get(keptAlive).status());
        assertEquals(200, server.admin("/health/live").statusCode());
        assertEquals("not ready\n", server.admin("/health/ready").body());
        assertFalse(stopping.isDone(), "the pre-stop delay was cut short");

        DrainSummary summary =
            stopping.get(PRE_STOP_DELAY.toMillis() + 10_000, TimeUnit.MILLISECONDS);
        assertTrue(
            summary.elapsed().compareTo(PRE_STOP_DELAY) >= 0,
            "stopped after " + summary.elapsed() + ", before the pre-stop delay");
        assertEquals(1, summary.drained(), "the idle keep-alive connection is drained: " + summary);
        keptAlive.awaitClosedByServer(Duration.ofSeconds(5));
      }

      assertThrows(ConnectException.class, () -> RawConnection.open(server.address()).close());
    }
  }

  private static WireResponse get(RawConnection connection) throws Exception {
    return connection.send("GET / HTTP/1.1\r\nHost: usher\r\n\r\n").readResponse();
  }

  private static CompletableFuture<DrainSummary> stopInTheBackground(RunningServer server) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return server.stop();
          } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new CompletionException(interrupted);
          }
        });
  }
}
