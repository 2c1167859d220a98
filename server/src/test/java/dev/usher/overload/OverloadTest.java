package dev.usher.overload;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.usher.testing.RawConnection;
import dev.usher.testing.RunningServer;
import dev.usher.testing.WireResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Shedding on a real server: the request above {@code server.overload.max-concurrent-requests}, and
 * a worker loop kept busy on purpose by {@code GET /work}, which sheds and then recovers.
 */
class OverloadTest {
  private static final Duration PATIENCE = Duration.ofSeconds(20);
  private static final String GET = "GET / HTTP/1.1\r\nHost: usher\r\n\r\n";

  @Test
  void theRequestAboveTheConcurrencyLimitGets503AndTheConnectionIsKept() throws Exception {
    try (RunningServer usher =
            RunningServer.start(
                Map.of(
                    "server.overload.max-concurrent-requests", "1",
                    "http.sample-load-routes", "on"));
        RawConnection sleeping = RawConnection.open(usher.address());
        RawConnection other = RawConnection.open(usher.address())) {
      sleeping.send("GET /sleep?ms=2000 HTTP/1.1\r\nHost: usher\r\n\r\n");
      await()
          .atMost(PATIENCE)
          .until(() -> usher.scrape().require("server_blocking_tasks_active") == 1);

      WireResponse shed = other.send(GET).readResponse();
      assertEquals(503, shed.status());
      assertEquals("1", shed.header("retry-after").orElseThrow());
      assertFalse(shed.announcesClose(), "a shed request keeps its connection");

      assertEquals(200, sleeping.readResponse().status());
      assertEquals(200, other.send(GET).readResponse().status());
      assertEquals(
          1, usher.scrape().require("server_http_requests_shed_total", "reason=\"concurrency\""));
    }
  }

  @Test
  void aWorkerLoopKeptBusyShedsItsRequestsAndConnectionsThenRecovers() throws Exception {
    try (RunningServer usher =
            RunningServer.start(
                Map.of(
                    "server.worker-threads", "1",
                    "server.overload.max-event-loop-lag", "20ms",
                    "metrics.event-loop.probe-interval", "10ms",
                    "http.sample-load-routes", "on"));
        RawConnection probe = RawConnection.open(usher.address())) {
      assertEquals(200, probe.send(GET).readResponse().status());
      AtomicBoolean busy = new AtomicBoolean(true);
      CompletableFuture<Void> worker =
          CompletableFuture.runAsync(
              () -> {
                while (busy.get()) {
                  keepTheLoopBusy(usher, busy);
                }
              });
      try {
        await()
            .atMost(PATIENCE)
            .pollInterval(Duration.ofMillis(50))
            .until(() -> probe.send(GET).readResponse().status() == 503);
        await()
            .atMost(PATIENCE)
            .pollInterval(Duration.ofMillis(50))
            .until(() -> refusedWhileShedding(usher));
      } finally {
        busy.set(false);
        worker.get();
      }

      await()
          .atMost(PATIENCE)
          .pollInterval(Duration.ofMillis(200))
          .until(() -> probe.send(GET).readResponse().status() == 200);
      var scrape = usher.scrape();
      assertTrue(
          scrape.require("server_http_requests_shed_total", "reason=\"event_loop_lag\"") > 0);
      assertTrue(
          scrape.require("server_connections_refused_total", "reason=\"overloaded\"") > 0,
          scrape.text());
      // The last piece of work may have started shedding again: it ends a calm second later.
      await()
          .atMost(PATIENCE)
          .until(() -> usher.scrape().require("server_event_loops_shedding") == 0);
    }
  }

  // Work on one connection until told to stop, or until it is refused or reset: a connection
  // opened while the loop sheds is.
  private static void keepTheLoopBusy(RunningServer usher, AtomicBoolean busy) {
    try (RawConnection work = RawConnection.open(usher.address())) {
      while (busy.get()) {
        work.send("GET /work?cpu=200000 HTTP/1.1\r\nHost: usher\r\n\r\n");
        if (work.readResponseOrEnd(false).isEmpty()) {
          return;
        }
      }
    } catch (IOException refused) {
      // Open another.
    }
  }

  // A new connection, reset while the loop sheds (else served, and tried again).
  private static boolean refusedWhileShedding(RunningServer usher) throws IOException {
    try (RawConnection fresh = RawConnection.open(usher.address())) {
      fresh.send(GET);
      return fresh.readResponseOrEnd(false).isEmpty();
    } catch (java.net.SocketException reset) {
      return true;
    }
  }
}
