package dev.usher.startup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.usher.testing.UsherProcess;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM, whenever it comes once usher runs: usher drains, logs its summary and exits 0 (never the
 * JVM's own 143).
 */
class CleanShutdownIT {
  private static final List<String> LOOPBACK_ON_ANY_PORT = UsherProcess.onLoopback();
  private static final Pattern STOPPED =
      Pattern.compile("stopped: 0 connection\\(s\\) drained, 0 closed by force, in \\d+ ms$");

  @Test
  void sigtermAfterACleanStartExits0AndLogsTheStoppedSummary() throws Exception {
    try (UsherProcess usher = UsherProcess.start(LOOPBACK_ON_ANY_PORT, Map.of())) {
      int port = usher.awaitAccepting();
      assertTrue(port > 0, "bound to a port the kernel chose: " + port);

      usher.sigterm();

      assertEquals(0, usher.awaitExit(Duration.ofSeconds(60)), usher.outputText());
      List<String> output = usher.output();
      assertTrue(
          output.stream()
              .anyMatch(
                  line ->
                      line.contains(" INFO ")
                          && line.endsWith(
                              "received SIGTERM: draining (send it again to exit at once)")),
          usher.outputText());
      assertEquals(
          1,
          output.stream()
              .filter(line -> line.contains(" INFO ") && STOPPED.matcher(line).find())
              .count(),
          "one 'stopped:' summary:\n" + usher.outputText());
      assertTrue(
          output.stream().noneMatch(line -> line.contains(" WARN ") || line.contains(" ERROR ")),
          "a clean start and stop warns about nothing:\n" + usher.outputText());
    }
  }

  @Test
  void sigtermWhileStartingIsHonouredOnceStartedAndExits0() throws Exception {
    try (UsherProcess usher = UsherProcess.start(LOOPBACK_ON_ANY_PORT, Map.of())) {
      // The transport is chosen first thing in the start, before either listener binds.
      usher.awaitLine(line -> line.contains(" transport: "), Duration.ofSeconds(30));

      usher.sigterm();

      assertEquals(0, usher.awaitExit(Duration.ofSeconds(60)), usher.outputText());
      assertEquals(
          1,
          usher.output().stream().filter(line -> STOPPED.matcher(line).find()).count(),
          "one 'stopped:' summary:\n" + usher.outputText());
    }
  }
}
