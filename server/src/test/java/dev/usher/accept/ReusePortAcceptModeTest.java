package dev.usher.accept;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.usher.lifecycle.StartupException;
import dev.usher.testing.PrometheusScrape;
import dev.usher.testing.RawConnection;
import dev.usher.testing.RunningServer;
import dev.usher.testing.SocketStatistics;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code server.accept-mode = reuseport}: one SO_REUSEPORT listening socket per worker loop, each
 * accepting and serving its own connections, each measured under its own listener tag.
 */
class ReusePortAcceptModeTest {

  @Test
  void listensWithOneSocketPerWorkerLoopAndServesAndCountsOnEach() throws Exception {
    try (RunningServer server =
        RunningServer.start(
            Map.of("server.accept-mode", "reuseport", "server.worker-threads", "2"))) {
      assertEquals(
          2, SocketStatistics.listeners(server.port()).size(), "two listening sockets on one port");

      int requests = 60;
      for (int i = 0; i < requests; i++) {
        // A new connection each time, from a new port, so the kernel spreads them over both
        // sockets.
        try (RawConnection client = RawConnection.open(server.address())) {
          assertEquals(
              200, client.send("GET / HTTP/1.1\r\nHost: usher\r\n\r\n").readResponse().status());
        }
      }

      PrometheusScrape scrape = server.scrape();
      double first = scrape.require("server_connections_accepted_total", "listener=\"main-0\"");
      double second = scrape.require("server_connections_accepted_total", "listener=\"main-1\"");
      assertEquals(requests, first + second, scrape.text());
      assertTrue(
          first > 0 && second > 0,
          "the kernel spreads connections over both sockets: " + first + " / " + second);
      assertTrue(scrape.value("server_listen_queue_limit", "listener=\"main-1\"").isPresent());
      assertEquals(
          first + second,
          scrape.require("server_accept_handoff_seconds_count", "listener=\"main-0\"")
              + scrape.require("server_accept_handoff_seconds_count", "listener=\"main-1\""));
      assertFalse(
          scrape.value("server_event_loop_pending_tasks", "group=\"boss\"").isPresent(),
          "no boss loop");
    }
  }

  @Test
  void refusesToStartWithTheNioTransport() {
    StartupException refused =
        assertThrows(
            StartupException.class,
            () ->
                RunningServer.start(
                    Map.of("server.accept-mode", "reuseport", "server.transport", "nio")));
    assertEquals(
        "server.accept-mode = reuseport needs the io_uring or epoll transport (SO_REUSEPORT), not nio",
        refused.getMessage());
  }
}
