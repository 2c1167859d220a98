package dev.usher.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.usher.testing.RawConnection;
import dev.usher.testing.RunningServer;
import dev.usher.testing.WireResponse;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A refusal in the middle of an upload: the server answers, shuts its side, and reads and drops the
 * rest, so the client's writes do not meet a reset before it reads the answer.
 */
class LingeringCloseTest {
  private static final int LIMIT = 1024;
  private static final String ACTIVE = "server_connections_active";
  private static final String MAIN = "listener=\"main\"";

  private static RunningServer server;

  @BeforeAll
  static void startServer() throws Exception {
    server = RunningServer.start(Map.of("server.max-request-bytes", LIMIT + "B"));
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  @Test
  void aClientStillUploadingAfterA413FinishesItsWritesAndSeesAnOrderlyClose() throws Exception {
    try (RawConnection uploading = RawConnection.open(server.address())) {
      WireResponse refusal = uploading.send(uploadHead() + "x".repeat(4096)).readResponse();
      assertEquals(413, refusal.status(), refusal.toString());

      // Closed outright, the server's socket would answer these with a reset, and a write would
      // fail with "connection reset" or "broken pipe".
      OutputStream out = uploading.socket().getOutputStream();
      byte[] chunk = new byte[16 * 1024];
      for (int i = 0; i < 32; i++) {
        out.write(chunk);
        out.flush();
        Thread.sleep(5);
      }
      uploading.socket().shutdownOutput();

      assertEquals(RawConnection.Ending.EOF, uploading.awaitClosedByServer(Duration.ofSeconds(5)));
    }
  }

  @Test
  void aRefusedClientThatFallsQuietWithoutClosingIsClosedByTheServer() throws Exception {
    await().atMost(Duration.ofSeconds(5)).until(() -> server.scrape().require(ACTIVE, MAIN) == 0);
    try (RawConnection quiet = RawConnection.open(server.address())) {
      assertEquals(413, quiet.send(uploadHead()).readResponse().status());

      // The client keeps its socket open and sends nothing more: the linger ends after its quiet
      // period (5 s) rather than at the idle timeout (60 s).
      await()
          .atMost(Duration.ofSeconds(15))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> server.scrape().require(ACTIVE, MAIN) == 0);
    }
  }

  private static String uploadHead() {
    return "POST /echo HTTP/1.1\r\nHost: usher\r\nContent-Length: 10000000\r\n\r\n";
  }
}
