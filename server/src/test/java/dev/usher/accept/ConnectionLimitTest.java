package dev.usher.accept;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.usher.testing.PrometheusScrape;
import dev.usher.testing.RawConnection;
import dev.usher.testing.RunningServer;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code server.max-connections}: connections above the limit are accepted and reset at once (the
 * client sees its connection end before any answer), counted as refused, and a slot freed by a
 * closing client is available again.
 */
class ConnectionLimitTest {
  private static final int LIMIT = 3;
  private static final int REFUSED_CLIENTS = 2;
  private static final String REFUSED = "server_connections_refused_total";
  private static final String ACTIVE = "server_connections_active";
  private static final String MAX_CONNECTIONS = "reason=\"max_connections\"";
  private static final String MAIN = "listener=\"main\"";

  @Test
  void refusesConnectionsAboveTheLimitAndCountsThem() throws Exception {
    List<RawConnection> admitted = new ArrayList<>();
    try (RunningServer server =
        RunningServer.start(Map.of("server.max-connections", String.valueOf(LIMIT)))) {
      try {
        for (int i = 0; i < LIMIT; i++) {
          RawConnection connection = RawConnection.open(server.address());
          admitted.add(connection);
          assertServes(connection);
        }

        for (int i = 0; i < REFUSED_CLIENTS; i++) {
          assertResetWithoutAnAnswer(server.address());
        }

        PrometheusScrape scrape = server.scrape();
        assertEquals(REFUSED_CLIENTS, scrape.require(REFUSED, MAX_CONNECTIONS, MAIN));
        assertEquals(LIMIT, scrape.require(ACTIVE, MAIN));
        assertEquals(LIMIT, scrape.require("server_connections_accepted_total", MAIN));
        // Refused connections are never handed to a worker, so only the admitted are timed.
        assertEquals(LIMIT, scrape.require("server_accept_handoff_seconds_count", MAIN));

        // The admitted connections were not disturbed by the refusals.
        for (RawConnection connection : admitted) {
          assertServes(connection);
        }

        admitted.removeFirst().close();
        await()
            .atMost(Duration.ofSeconds(5))
            .until(() -> server.scrape().require(ACTIVE, MAIN), active -> active == LIMIT - 1);

        RawConnection replacement = RawConnection.open(server.address());
        admitted.add(replacement);
        assertServes(replacement);
        PrometheusScrape after = server.scrape();
        assertEquals(LIMIT, after.require(ACTIVE, MAIN));
        assertEquals(REFUSED_CLIENTS, after.require(REFUSED, MAX_CONNECTIONS, MAIN));
      } finally {
        for (RawConnection connection : admitted) {
          connection.close();
        }
      }
    }
  }

  /**
   * The kernel completes the handshake; usher then closes with SO_LINGER 0, a reset that the client
   * sees while connecting, while sending or when reading, and never an answer to its request.
   */
  private static void assertResetWithoutAnAnswer(InetSocketAddress address) throws IOException {
    RawConnection refused;
    try {
      refused = RawConnection.open(address);
    } catch (ConnectException notListening) {
      throw new AssertionError(
          "the listener should accept and then reset, not refuse the handshake", notListening);
    } catch (SocketException reset) {
      assertTrue(reset.getMessage().contains("reset"), reset.toString());
      return;
    }
    try (refused) {
      try {
        refused.send("GET / HTTP/1.1\r\nHost: usher\r\n\r\n");
      } catch (SocketException resetBeforeTheRequestWasWritten) {
        // The reset arrived first and the write reported it. Linux reports a reset once, so the
        // read that follows would see a plain EOF: the write's error is the observation.
        assertTrue(
            resetBeforeTheRequestWasWritten.getMessage().matches("(?i).*(reset|broken pipe).*"),
            resetBeforeTheRequestWasWritten.toString());
        return;
      }
      assertEquals(RawConnection.Ending.RESET, refused.awaitClosedByServer(Duration.ofSeconds(5)));
    }
  }

  private static void assertServes(RawConnection connection) throws Exception {
    assertEquals(
        200, connection.send("GET / HTTP/1.1\r\nHost: usher\r\n\r\n").readResponse().status());
  }
}
