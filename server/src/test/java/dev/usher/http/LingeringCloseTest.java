package dev.usher.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.usher.lifecycle.DrainSummary;
import dev.usher.testing.RawConnection;
import dev.usher.testing.RunningServer;
import dev.usher.testing.WireResponse;
import java.io.OutputStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A refusal in the middle of an upload: the server answers, shuts its side, and reads and drops the
 * rest, so the client's writes do not meet a reset before it reads the answer; and the linger ends
 * when the client closes, falls silent, or the server drains.
 */
class LingeringCloseTest {
  private static final int LIMIT = 1024;
  private static final Duration LINGERING_TIMEOUT = Duration.ofSeconds(3);
  private static final Map<String, String> SETTINGS =
      Map.of(
          "http.max-body-bytes", LIMIT + "B",
          "server.lingering-timeout", LINGERING_TIMEOUT.toSeconds() + "s");
  private static final String ACTIVE = "server_connections_active";
  private static final String MAIN = "listener=\"main\"";
  private static final String UPLOAD_HEAD =
      "POST /echo HTTP/1.1\r\nHost: usher\r\nContent-Length: 10000000\r\n\r\n";

  private static RunningServer server;

  @BeforeAll
  static void startServer() throws Exception {
    server = RunningServer.start(SETTINGS);
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  @ParameterizedTest(name = "{1}")
  @CsvSource({
    // A body larger than the limit, refused halfway.
    "'" + UPLOAD_HEAD + "', 413",
    // A malformed header block, followed by more.
    "'PUT / HTTP/1.1\r\nHost: usher\r\nthis line has no colon\r\n\r\n', 400",
  })
  void aClientStillSendingAfterARefusalFinishesItsWritesAndTheServerClosesAfterIt(
      String head, int status) throws Exception {
    try (RawConnection uploading = RawConnection.open(server.address())) {
      WireResponse refusal = uploading.send(head + "x".repeat(4096)).readResponse();
      assertEquals(status, refusal.status(), refusal.toString());

      // Closed outright, the server's socket would answer these with a reset, and a write would
      // fail with "connection reset" or "broken pipe". The pauses pace the upload, so that each
      // write reaches the server after it has answered.
      OutputStream out = uploading.socket().getOutputStream();
      byte[] chunk = new byte[16 * 1024];
      for (int i = 0; i < 32; i++) {
        out.write(chunk);
        out.flush();
        Thread.sleep(5);
      }
      assertEquals(RawConnection.Ending.EOF, uploading.awaitClosedByServer(Duration.ofSeconds(5)));
      assertEquals(1, server.scrape().require(ACTIVE, MAIN), "the server lingers");

      // The client closes its side: the server closes, well before its lingering timeout.
      uploading.socket().shutdownOutput();
      await()
          .atMost(LINGERING_TIMEOUT.dividedBy(2))
          .until(() -> server.scrape().require(ACTIVE, MAIN) == 0);
    }
  }

  @Test
  void aRefusedClientThatFallsSilentWithoutClosingIsClosedAfterTheLingeringTimeout()
      throws Exception {
    await().atMost(Duration.ofSeconds(5)).until(() -> server.scrape().require(ACTIVE, MAIN) == 0);
    try (RawConnection silent = RawConnection.open(server.address())) {
      assertEquals(413, silent.send(UPLOAD_HEAD).readResponse().status());
      assertEquals(1, server.scrape().require(ACTIVE, MAIN), "the server lingers");

      // The client keeps its socket open and sends nothing more.
      await()
          .atMost(LINGERING_TIMEOUT.multipliedBy(3))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> server.scrape().require(ACTIVE, MAIN) == 0);
    }
  }

  @Test
  void aLingeringTimeOfZeroClosesAtOnce() throws Exception {
    Map<String, String> noLinger = new HashMap<>(SETTINGS);
    noLinger.put("server.lingering-time", "0s");
    try (RunningServer closing = RunningServer.start(noLinger);
        RawConnection silent = RawConnection.open(closing.address())) {
      assertEquals(413, silent.send(UPLOAD_HEAD).readResponse().status());

      await()
          .atMost(LINGERING_TIMEOUT.dividedBy(2))
          .until(() -> closing.scrape().require(ACTIVE, MAIN) == 0);
    }
  }

  @Test
  void aDrainEndsALingeringConnectionAtOnce() throws Exception {
    try (RunningServer draining = RunningServer.start(SETTINGS);
        RawConnection silent = RawConnection.open(draining.address())) {
      assertEquals(413, silent.send(UPLOAD_HEAD).readResponse().status());

      DrainSummary summary = draining.stop();

      assertEquals(1, summary.drained(), summary.toString());
      assertEquals(0, summary.forced(), summary.toString());
      // Had it waited for the linger to end, the drain would have taken the lingering timeout.
      assertTrue(
          summary.elapsed().compareTo(LINGERING_TIMEOUT.dividedBy(2)) < 0, summary.toString());
    }
  }
}
