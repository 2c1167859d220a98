package dev.usher.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.usher.testing.ExternalTools;
import dev.usher.testing.LoadTestScript;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deploy/loadtest/peers-benchmark.sh} runs end to end as the README gives it, cut to one
 * round of one second per load and a few hundred idle connections: every server (usher, usher
 * reuseport, raw Netty, nginx) starts, takes every load and prints its figures, and the table has
 * every row with a figure for each server. It proves the benchmark works, not how fast usher is.
 */
class PeersBenchmarkIT {
  private static final Duration LIMIT = Duration.ofMinutes(6);
  private static final List<String> ROWS =
      List.of(
          "keep-alive requests/s",
          "pipelined requests/s",
          "new connections/s",
          "p99 latency, keep-alive",
          "memory per idle connection at 300, never used",
          "memory per idle keep-alive connection at 300, after one request",
          "start to first 200 (ms)",
          "start to first 200 with an AOT cache",
          "load before the keep-alive rate settled",
          "then load before the pipelined rate settled");
  private static final Pattern NUMBER = Pattern.compile("-?[0-9]+(\\.[0-9]+)?");

  @TempDir Path work;

  @BeforeEach
  void requireWhatTheBenchmarkRuns() {
    ExternalTools.require("wrk", "wrk");
    ExternalTools.require("h2load", "nghttp2-client");
    ExternalTools.require("nginx", "nginx-light");
    ExternalTools.require("bc", "bc");
    LoadTestScript.requireWhatEveryScriptUses();
  }

  @Test
  void oneShortRoundMeasuresEveryServerAndPrintsTheWholeTable() throws Exception {
    LoadTestScript.Finished run =
        run(Map.of("IDLE_CONNECTIONS", "300", "WARMUP_SECONDS", "1"), "1", "1");

    assertEquals(0, run.exitStatus(), "the benchmark failed:\n" + run.output());
    for (String server : List.of("usher", "usher-reuseport", "raw-netty", "nginx")) {
      assertTrue(
          Pattern.compile("round 1 " + server + " +keep-alive +[0-9]+ ")
              .matcher(run.output())
              .find(),
          "no figures for " + server + ":\n" + run.output());
    }
    for (String row : ROWS) {
      List<String> cells = tableRow(run.output(), row);
      for (int server = 1; server <= 4; server++) {
        assertTrue(
            NUMBER.matcher(cells.get(server)).matches(),
            "row '" + row + "' has no figure in column " + server + ": " + cells);
      }
    }
    for (String row : ROWS.subList(0, 3)) {
      String usherOverRawNetty = tableRow(run.output(), row).get(5);
      assertTrue(
          NUMBER.matcher(usherOverRawNetty).matches() && Double.parseDouble(usherOverRawNetty) > 0,
          "row '" + row + "' has no usher / raw Netty ratio: " + usherOverRawNetty);
    }
  }

  @Test
  void aBadArgumentIsOneLineNamingItAndExitStatus2() throws Exception {
    LoadTestScript.Finished run = run(Map.of(), "three");

    assertEquals(2, run.exitStatus(), run.output());
    assertEquals(
        "peers-benchmark.sh: ROUNDS = 'three': expected a whole number above 0, without leading"
            + " zeros (see peers-benchmark.sh -h)",
        run.output().strip());
  }

  /** The table row whose first cell starts with {@code label}: its cells, the label first. */
  private static List<String> tableRow(String output, String label) {
    return output
        .lines()
        .filter(line -> line.startsWith("| " + label))
        .findFirst()
        .map(line -> Arrays.stream(line.split("\\|")).skip(1).map(String::strip).toList())
        .orElseThrow(() -> new AssertionError("no row '" + label + "' in:\n" + output));
  }

  private LoadTestScript.Finished run(Map<String, String> environment, String... arguments)
      throws IOException, InterruptedException {
    Map<String, String> settings = new HashMap<>(environment);
    settings.put("BENCH_JAR", System.getProperty("usher.benchmarks.jar"));
    return LoadTestScript.run(
        "peers-benchmark.sh", settings, LIMIT, work.resolve("peers-benchmark.out"), arguments);
  }
}
