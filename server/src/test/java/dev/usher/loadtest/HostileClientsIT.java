package dev.usher.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.usher.testing.ExternalTools;
import dev.usher.testing.LoadTestScript;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deploy/loadtest/hostile.sh}, shortened (5 s per slow attack at 50 connections a second):
 * slowloris, slow body and slow read with slowhttptest, the smuggling scanner, half-closing
 * clients, a connection flood and 50 clients that pipeline without reading, with the probe client
 * throughout. The script's own checks must all pass: the kept-alive probe never fails, the
 * new-connection probe fails only in the flood (refused at server.max-connections; while the
 * never-readers flood both worker loops, a new connection is still answered within the probe's 2
 * s), no smuggled request is answered, every half-closed client is answered and closed, and usher
 * ends every hostile connection and is back to its baseline of descriptors after each attack.
 */
class HostileClientsIT {
  private static final List<String> ATTACKS =
      List.of(
          "baseline",
          "slowloris",
          "slow-body",
          "slow-read",
          "smuggling",
          "half-close",
          "flood",
          "never-read");

  @TempDir Path results;

  @Test
  void usherEndsEveryHostileConnectionAndTheProbeIsServedThroughout() throws Exception {
    LoadTestScript.requireWhatEveryScriptUses();
    ExternalTools.require("slowhttptest", "slowhttptest");

    LoadTestScript.Finished finished =
        LoadTestScript.run(
            "hostile.sh",
            Map.of(
                "LOADTEST_RESULTS", results.toString(),
                "WARMUP_SECONDS", "1",
                "ATTACKS", String.join(" ", ATTACKS)),
            Duration.ofMinutes(6),
            results.resolve("hostile.out"),
            "5",
            "50");

    String output = finished.output();
    assertEquals(0, finished.exitStatus(), output);
    assertTrue(output.contains("checks: all passed"), output);
    for (String attack : ATTACKS) {
      assertTrue(
          Pattern.compile("^\\| " + Pattern.quote(attack) + " \\| .* s \\|$", Pattern.MULTILINE)
              .matcher(output)
              .find(),
          "no row for " + attack + " ending in the time usher took to be back:\n" + output);
    }
    assertTrue(output.contains("usher: 0 variant(s) smuggled"), output);
    assertTrue(
        Pattern.compile("\\| flood \\|.*refused max_connections \\+[1-9]").matcher(output).find(),
        "the flood was not refused at max-connections:\n" + output);
    assertTrue(
        Pattern.compile("\\| slowloris \\|.*4xx \\+[1-9][0-9,]*;.* 1-5 s: [1-9]")
            .matcher(output)
            .find(),
        "slowloris was not ended by the request timeout:\n" + output);
  }
}
