package dev.usher.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.usher.testing.ExternalTools;
import dev.usher.testing.LoadTestScript;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deploy/loadtest/conformance.sh}: the conformance rows over real sockets against the
 * packaged usher, every one passed, and against nginx beside it, every row answered.
 */
class ConformanceIT {
  private static final Path ROWS = Path.of("..", "deploy", "conformance", "http1.tsv");

  @TempDir Path directory;

  @Test
  void usherPassesEveryRowOverASocketAndNginxIsShownBesideIt() throws Exception {
    LoadTestScript.requireWhatEveryScriptUses();
    ExternalTools.require("nginx", "nginx-light");
    long rows =
        Files.readAllLines(ROWS).stream()
            .filter(line -> !line.isBlank() && !line.startsWith("#"))
            .count();

    LoadTestScript.Finished finished =
        LoadTestScript.run(
            "conformance.sh", Map.of(), Duration.ofMinutes(5), directory.resolve("run.log"));

    assertEquals(0, finished.exitStatus(), finished.output());
    assertTrue(finished.output().contains("usher: 0 row(s) differ"), finished.output());
    assertTrue(finished.output().contains("nginx: "), finished.output());
    long tableRows =
        finished
            .output()
            .lines()
            .filter(line -> line.startsWith("| ") && !line.startsWith("| rule |"))
            .count();
    assertEquals(rows, tableRows, "a table row per conformance row:\n" + finished.output());
  }
}
