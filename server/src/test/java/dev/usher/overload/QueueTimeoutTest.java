package dev.usher.overload;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.usher.lifecycle.AcceptHold;
import dev.usher.testing.PrometheusScrape;
import dev.usher.testing.RawConnection;
import dev.usher.testing.RunningServer;
import dev.usher.testing.WireResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code server.overload.accept-queue-timeout} on a real listener held from accepting, so that
 * connections wait in the kernel's queue as they do behind a stalled server: once it accepts again,
 * the request that waited too long gets 503 and a close, the silent connection a reset, and a fresh
 * connection is served; all counted.
 */
class QueueTimeoutTest {
  private static final Duration PATIENCE = Duration.ofSeconds(10);
  private static final String GET = "GET / HTTP/1.1\r\nHost: usher\r\n\r\n";
  private static final String MAIN = "listener=\"main\"";

  @Test
  void connectionsThatWaitedTooLongAreNotServedAndFreshOnesAre() throws Exception {
    try (RunningServer usher =
        RunningServer.start(Map.of("server.overload.accept-queue-timeout", "200ms"))) {
      PrometheusScrape before = usher.scrape();
      RawConnection withRequest;
      RawConnection silent;
      try (AcceptHold hold = AcceptHold.hold(usher.server())) {
        withRequest = RawConnection.open(usher.address()).send(GET);
        silent = RawConnection.open(usher.address());
        // The kernel's own clock measures the wait; the hold has to last past the timeout.
        Thread.sleep(600);
      }
      try (withRequest;
          silent) {
        WireResponse late = withRequest.readResponse();
        assertEquals(503, late.status());
        assertEquals("1", late.header("retry-after").orElseThrow());
        assertTrue(late.announcesClose());
        assertEquals(RawConnection.Ending.EOF, withRequest.awaitClosedByServer(PATIENCE));
        assertEquals(RawConnection.Ending.RESET, silent.awaitClosedByServer(PATIENCE));
      }

      try (RawConnection fresh = RawConnection.open(usher.address())) {
        assertEquals(200, fresh.send(GET).readResponse().status());
      }
      await()
          .atMost(PATIENCE)
          .untilAsserted(
              () -> {
                PrometheusScrape after = usher.scrape();
                double refused =
                    after.sum("server_connections_refused_total", MAIN, "reason=\"queue_timeout\"")
                        - before.sum(
                            "server_connections_refused_total", MAIN, "reason=\"queue_timeout\"");
                // The two clients, and the hold's sentinel where it too waited in the queue.
                assertTrue(refused == 2 || refused == 3, "refused for queue_timeout: " + refused);
                // The hold's sentinel, the two that waited and the fresh one were all admitted.
                assertTrue(
                    after.sum("server_connections_accepted_total", MAIN)
                            - before.sum("server_connections_accepted_total", MAIN)
                        >= 3);
              });
    }
  }
}
