package dev.usher.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.usher.testing.ExternalTools;
import dev.usher.testing.UsherProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
  private static final Path SCRIPT = Path.of("..", "deploy", "loadtest", "peers-benchmark.sh");
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
          "start to first 200 with an AOT cache");
  private static final Pattern NUMBER = Pattern.compile("-?[0-9]+(\\.[0-9]+)?");

  @TempDir Path work;

  @BeforeEach
  void requireWhatTheBenchmarkRuns() {
    ExternalTools.require("wrk", "wrk");
    ExternalTools.require("h2load", "nghttp2-client");
    ExternalTools.require("nginx", "nginx-light");
    ExternalTools.require("bc", "bc");
    ExternalTools.require("python3", "python3");
    ExternalTools.require("curl", "curl");
    ExternalTools.require("taskset", "util-linux");
  }

  @Test
  void oneShortRoundMeasuresEveryServerAndPrintsTheWholeTable() throws Exception {
    Run run = run(Map.of("IDLE_CONNECTIONS", "300", "WARMUP_SECONDS", "1"), "1", "1");

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
    Run run = run(Map.of(), "three");

    assertEquals(2, run.exitStatus(), run.output());
    assertEquals(
        "peers-benchmark.sh: ROUNDS = 'three': expected a whole number above 0"
            + " (see peers-benchmark.sh -h)",
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

  private Run run(Map<String, String> environment, String... arguments)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
    command.addAll(List.of(arguments));
    Path log = work.resolve("peers-benchmark.out");
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().putAll(environment);
    builder.environment().put("USHER_JAR", UsherProcess.jar().toAbsolutePath().toString());
    builder
        .environment()
        .put("BENCH_JAR", Path.of(System.getProperty("usher.benchmarks.jar")).toString());
    builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
    Process process = builder.start();
    if (!process.waitFor(LIMIT.toSeconds(), TimeUnit.SECONDS)) {
      process.destroy(); // SIGTERM: the script's trap stops the servers and clients it started
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
      throw new AssertionError("still running after " + LIMIT + ":\n" + Files.readString(log));
    }
    return new Run(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
  }

  private record Run(int exitStatus, String output) {}
}
