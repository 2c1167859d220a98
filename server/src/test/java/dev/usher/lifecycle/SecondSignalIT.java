package dev.usher.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.usher.testing.RawConnection;
import dev.usher.testing.UsherProcess;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An operator who does not want to wait for a long drain signals again: the process exits at once,
 * with 128 + the signal's number, instead of waiting for the drain timeout.
 */
class SecondSignalIT {
  private static final Duration LONG_DRAIN = Duration.ofSeconds(60);
  private static final int SIGTERM_EXIT_STATUS = 128 + 15;

  @Test
  void secondSigtermDuringALongDrainExitsAtOnceWithANonZeroStatus() throws Exception {
    try (UsherProcess usher =
            UsherProcess.start(
                UsherProcess.onLoopback("-Dshutdown.drain-timeout=" + LONG_DRAIN.toSeconds() + "s"),
                Map.of());
        RawConnection stuck =
            RawConnection.open(new InetSocketAddress("127.0.0.1", usher.awaitAccepting()))) {
      // A request that never finishes keeps the drain waiting for its whole timeout.
      stuck.send(
          "POST /echo HTTP/1.1\r\nHost: usher\r\nExpect: 100-continue\r\nContent-Length: 100\r\n\r\n");
      assertEquals(100, stuck.readResponse().status());
      stuck.send("never finished");

      usher.sigterm();
      usher.awaitLine(
          line -> line.contains("listener closed; draining 1 open connection(s)"),
          Duration.ofSeconds(10));
      long second = System.nanoTime();
      usher.sigterm();

      int status = usher.awaitExit(Duration.ofSeconds(10));
      Duration exitAfter = Duration.ofNanos(System.nanoTime() - second);

      assertEquals(SIGTERM_EXIT_STATUS, status, usher.outputText());
      assertTrue(exitAfter.compareTo(LONG_DRAIN) < 0, "exited only after " + exitAfter);
      assertTrue(
          usher.output().stream()
              .anyMatch(line -> line.contains("received SIGTERM again: exiting at once")),
          usher.outputText());
      assertFalse(
          usher.output().stream().anyMatch(line -> line.contains("stopped:")),
          "the drain did not finish, so no summary: " + usher.outputText());
    }
  }
}
