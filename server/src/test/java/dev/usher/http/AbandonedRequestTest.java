package dev.usher.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import dev.usher.testing.CapturedLog;
import dev.usher.testing.RawConnection;
import dev.usher.testing.RunningServer;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A client that hangs up in the middle of a request, or whose request is refused in the middle of
 * its body, is ordinary client behaviour: the connection is cleaned up and the operator's log shows
 * no warning, let alone a stack trace (one per abandoned upload would flood it).
 */
class AbandonedRequestTest {
  private static final String ERROR_HANDLER = "dev.usher.lifecycle.ConnectionErrorHandler";

  @Test
  void clientHangingUpInTheMiddleOfABodyIsLoggedAtDebugOnly() throws Exception {
    try (RunningServer server = RunningServer.start(Map.of());
        CapturedLog log = CapturedLog.capture("dev.usher", Level.DEBUG)) {
      int clientPort;
      try (RawConnection connection = RawConnection.open(server.address())) {
        clientPort = connection.socket().getLocalPort();
        connection.send(
            "POST /echo HTTP/1.1\r\nHost: usher\r\nContent-Length: 100\r\n\r\nonly part of it");
        assertEquals(1.0, awaitActive(server, 1.0));
      }

      awaitConnectionEndLogged(log, clientPort);
      assertEquals(0, log.warningsAndErrors().size(), String.join("\n", log.warningsAndErrors()));
    }
  }

  @Test
  void invalidChunkInTheMiddleOfABodyIsAnswered400WithoutAWarning() throws Exception {
    try (RunningServer server = RunningServer.start(Map.of());
        CapturedLog log = CapturedLog.capture("dev.usher", Level.DEBUG);
        RawConnection connection = RawConnection.open(server.address())) {
      int clientPort = connection.socket().getLocalPort();
      int status =
          connection
              .send(
                  "POST /echo HTTP/1.1\r\nHost: usher\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\n")
              .readResponse()
              .status();
      assertEquals(400, status);
      connection.awaitClosedByServer(Duration.ofSeconds(5));
      // The server has shut its side and lingers until the client closes its own.
      connection.close();

      awaitConnectionEndLogged(log, clientPort);
      assertEquals(0, log.warningsAndErrors().size(), String.join("\n", log.warningsAndErrors()));
    }
  }

  private static double awaitActive(RunningServer server, double expected) {
    return await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () -> server.scrape().require("server_connections_active"),
            active -> active == expected);
  }

  // The aggregator reports the incomplete request when the connection goes inactive; wait for that
  // report, whatever level it is logged at, so that the absence of warnings is not a race.
  private static void awaitConnectionEndLogged(CapturedLog log, int clientPort) {
    String client = ":" + clientPort;
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                log.lines().stream()
                    .anyMatch(line -> line.contains(ERROR_HANDLER) && line.contains(client)));
    assertTrue(
        log.lines().stream()
            .anyMatch(line -> line.startsWith("DEBUG " + ERROR_HANDLER) && line.contains(client)),
        String.join("\n", log.lines()));
  }
}
