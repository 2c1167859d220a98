package dev.usher.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.usher.testing.RawConnection;
import dev.usher.testing.RunningServer;
import dev.usher.testing.WireResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * http.request-timeout: a request must arrive whole within it, however steadily its bytes trickle
 * in; the idle timeout, restarted by every byte, cannot stop a slowloris alone.
 */
class RequestTimeoutTest {

  @Test
  void aRequestTrickledByteByByteGets408AndTheConnectionClosesThoughItNeverIdles()
      throws Exception {
    try (RunningServer server =
            RunningServer.start(
                Map.of("http.request-timeout", "500ms", "server.idle-timeout", "300ms"));
        RawConnection slowloris = RawConnection.open(server.address())) {
      long started = System.nanoTime();
      String request = "GET / HTTP/1.1\r\nHost: usher\r\nX-Padding: " + "a".repeat(200);
      // The slow client: a byte every 50 ms, well within the idle timeout, for up to 10 s.
      Thread trickle =
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      for (int i = 0; i < request.length(); i++) {
                        slowloris.send(request.substring(i, i + 1));
                        Thread.sleep(50);
                      }
                    } catch (java.io.IOException | InterruptedException closedByServer) {
                      // The server answered and closed: the trickle is over.
                    }
                  });
      WireResponse response = slowloris.readResponse();
      trickle.interrupt();
      trickle.join(5_000);
      assertEquals(408, response.status());
      assertTrue(response.announcesClose());
      long elapsedMillis = (System.nanoTime() - started) / 1_000_000;
      assertTrue(elapsedMillis >= 500, "not before the request timeout: " + elapsedMillis + " ms");
      slowloris.awaitClosedByServer(Duration.ofSeconds(5));
    }
  }

  @Test
  void requestsThatArriveInTimeAreServedOnAKeepAliveConnectionLongerThanTheTimeout()
      throws Exception {
    try (RunningServer server = RunningServer.start(Map.of("http.request-timeout", "300ms"));
        RawConnection client = RawConnection.open(server.address())) {
      long started = System.nanoTime();
      int requests = 0;
      while (System.nanoTime() - started < Duration.ofMillis(900).toNanos()) {
        assertEquals(
            200, client.send("GET / HTTP/1.1\r\nHost: usher\r\n\r\n").readResponse().status());
        requests++;
      }
      assertTrue(requests > 1);
    }
  }
}
