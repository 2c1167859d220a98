package dev.usher.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.usher.testing.PrometheusScrape;
import dev.usher.testing.RawConnection;
import dev.usher.testing.UsherProcess;
import dev.usher.testing.WireResponse;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A new usher that cannot take over leaves the old one serving: a configuration that does not fit
 * the sockets is one line and exit 2, and the giver counts the hand-over abandoned.
 */
class HandoverFailuresIT {
  private static final String GIVER = "role=\"giver\"";

  @TempDir java.nio.file.Path directory;

  @Test
  void aNewUsherWhosePortDiffersExitsTwoWithOneLineAndTheOldOneServesOn() throws Exception {
    String path = "-Dlifecycle.handover-path=" + directory.resolve("handover.sock");
    try (UsherProcess serving = UsherProcess.start(UsherProcess.onLoopback(path), Map.of())) {
      InetSocketAddress main = new InetSocketAddress("127.0.0.1", serving.awaitAccepting());
      InetSocketAddress admin = new InetSocketAddress("127.0.0.1", serving.adminPort());
      int otherPort = main.getPort() == 65_000 ? 65_001 : 65_000;
      List<String> options = new ArrayList<>(UsherProcess.onLoopback(path));
      options.add("-Dserver.port=" + otherPort);

      try (UsherProcess mismatched = UsherProcess.start(options, Map.of())) {
        assertEquals(2, mismatched.awaitExit(Duration.ofSeconds(30)), mismatched.outputText());
        String expected =
            "usher: invalid configuration: server.port = "
                + otherPort
                + ": the usher handing over at lifecycle.handover-path = "
                + directory.resolve("handover.sock")
                + " (pid "
                + serving.pid()
                + ") listens on port "
                + main.getPort()
                + "; a hand-over keeps the address, so set server.port to "
                + main.getPort()
                + " (or 0), or stop that usher first";
        assertTrue(mismatched.output().contains(expected), mismatched.outputText());
      }

      serving.awaitLine(
          line -> line.contains("went away before it was ready"), Duration.ofSeconds(10));
      try (RawConnection client = RawConnection.open(main)) {
        assertEquals(
            200, client.send("GET / HTTP/1.1\r\nHost: usher\r\n\r\n").readResponse().status());
      }
      PrometheusScrape scrape = scrape(admin);
      assertEquals(1.0, scrape.require("server_handovers_total", GIVER, "result=\"abandoned\""));
      assertEquals(0.0, scrape.require("server_handovers_total", GIVER, "result=\"completed\""));

      serving.sigterm();
      assertEquals(0, serving.awaitExit(Duration.ofSeconds(30)), serving.outputText());
    }
  }

  private static PrometheusScrape scrape(InetSocketAddress admin) throws Exception {
    try (RawConnection connection = RawConnection.open(admin)) {
      WireResponse response =
          connection
              .send("GET /metrics HTTP/1.1\r\nHost: usher\r\nConnection: close\r\n\r\n")
              .readResponse();
      return PrometheusScrape.parse(response.bodyText());
    }
  }
}
