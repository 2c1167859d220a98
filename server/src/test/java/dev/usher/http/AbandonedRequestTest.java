package dev.usher.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

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

  @Test
  void clientHangingUpInTheMiddleOfABodyIsLoggedAtDebugOnly() throws Exception {
    try (RunningServer server = RunningServer.start(Map.of());
        CapturedLog log = CapturedLog.capture("dev.usher", Level.DEBUG)) {
      try (RawConnection connection = RawConnection.open(server.address())) {
        connection.send(
            "POST /echo HTTP/1.1\r\nHost: usher\r\nContent-Length: 100\r\n\r\nonly part of it");
        assertEquals(1.0, awaitActive(server, 1.0));
      }

      awaitConnectionEnd(server);
      assertEquals(0, log.warningsAndErrors().size(), String.join("\n", log.warningsAndErrors()));
    }
  }

  @Test
  void invalidChunkInTheMiddleOfABodyIsAnswered400WithoutAWarning() throws Exception {
    try (RunningServer server = RunningServer.start(Map.of());
        CapturedLog log = CapturedLog.capture("dev.usher", Level.DEBUG);
        RawConnection connection = RawConnection.open(server.address())) {
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

      awaitConnectionEnd(server);
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

  // The connection's end is the last thing the server logs about it: once it is closed, the
  // absence of warnings is not a race.
  private static void awaitConnectionEnd(RunningServer server) {
    assertEquals(0.0, awaitActive(server, 0.0));
  }
}
