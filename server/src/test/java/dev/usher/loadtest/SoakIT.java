package dev.usher.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.usher.testing.ExternalTools;
import dev.usher.testing.LoadTestScript;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deploy/loadtest/soak.sh 90}: the soak's mix for 90 seconds against the packaged jar, run
 * as the container image runs it. Every fitted growth rate (heap after GC, direct memory, RSS,
 * descriptors beyond connections, open connections) stays under the bound the script states, every
 * client of the mix gets the answers it must, and usher's descriptors come back once the mix stops.
 */
class SoakIT {
  @TempDir Path results;

  @Test
  void ninetySecondsOfEveryKindOfClientLeaveNoGrowth() throws Exception {
    LoadTestScript.requireWhatEveryScriptUses();
    ExternalTools.require("h2load", "nghttp2-client");
    ExternalTools.require("slowhttptest", "slowhttptest");

    LoadTestScript.Finished finished =
        LoadTestScript.run(
            "soak.sh",
            Map.of("LOADTEST_RESULTS", results.toString()),
            Duration.ofMinutes(5),
            results.resolve("soak.out"),
            "90");

    String output = finished.output();
    assertEquals(0, finished.exitStatus(), output);
    assertTrue(output.contains("checks: all passed"), output);
    for (String quantity :
        List.of(
            "heap after GC",
            "direct memory",
            "RSS",
            "descriptors beyond connections",
            "open connections")) {
      assertTrue(
          output.contains("| " + quantity + " | "), "no slope for " + quantity + ":\n" + output);
    }
  }
}
