package dev.usher.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.usher.testing.ExternalTools;
import dev.usher.testing.LoadTestScript;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deploy/loadtest/overload.sh} runs end to end as the README gives it, cut to two seconds
 * per rate and two rates (1× and 4× the measured capacity): the capacity is measured, the open-loop
 * client (in this module's jar) drives every rate against usher with shedding off and on, and the
 * table has a complete row for each, the goal line, and a chart. With shedding on, usher shed
 * requests or refused connections at 4×. It proves the scenario works, not how well usher sheds: no
 * goodput or latency is asserted.
 */
class OverloadScenarioIT {
  private static final Duration LIMIT = Duration.ofMinutes(4);
  private static final Pattern NUMBER = Pattern.compile("[0-9][0-9,]*(\\.[0-9]+)?");

  @TempDir Path results;

  @BeforeEach
  void requireWhatTheScenarioRuns() {
    ExternalTools.require("wrk", "wrk");
    LoadTestScript.requireWhatEveryScriptUses();
  }

  @Test
  void shortRunFillsEveryRowAndShedsAtTheHighestRate() throws Exception {
    Map<String, String> environment = new HashMap<>();
    environment.put("BENCH_JAR", System.getProperty("usher.benchmarks.jar"));
    environment.put("LOADTEST_RESULTS", results.toString());
    environment.put("WARMUP_SECONDS", "1");
    environment.put("MULTIPLES", "1 4");
    LoadTestScript.Finished run =
        LoadTestScript.run(
            "overload.sh", environment, LIMIT, results.resolve("overload.out"), "2", "1000");

    assertEquals(0, run.exitStatus(), "the scenario failed:\n" + run.output());
    for (String mode : List.of("off", "on")) {
      for (String multiple : List.of("1×", "4×")) {
        List<String> cells = row(run.output(), mode, multiple);
        for (int column : List.of(3, 4, 5, 6, 7, 8)) {
          assertTrue(
              NUMBER.matcher(cells.get(column).replace(" %", "")).matches(),
              mode + " " + multiple + ": column " + column + " is no figure: " + cells);
        }
      }
    }
    assertTrue(
        run.output().lines().anyMatch(line -> line.startsWith("| light load |")),
        "no light-load row:\n" + run.output());
    assertTrue(
        Pattern.compile(
                "^- goal at 4× with shedding on: goodput [0-9]+ % of capacity .*: (met|NOT met)$",
                Pattern.MULTILINE)
            .matcher(run.output())
            .find(),
        "no goal line:\n" + run.output());
    assertTrue(
        Pattern.compile(
                "^- shed at 4× with shedding on: [0-9,]+ requests, [0-9,]+ connections",
                Pattern.MULTILINE)
            .matcher(run.output())
            .find(),
        "no shed line:\n" + run.output());

    List<String> onAtFour = row(run.output(), "on", "4×");
    assertTrue(
        !onAtFour.get(11).equals("0") || !onAtFour.get(12).equals("0 / 0"),
        "with shedding on, usher neither shed a request nor refused a connection at 4×: "
            + onAtFour);

    Path directory = resultDirectory();
    assertTrue(
        Files.readString(directory.resolve("chart.svg")).contains("<polyline"),
        "no chart in " + directory);
    assertTrue(Files.readString(directory.resolve("report.html")).contains("<svg"));
    for (String mode : List.of("off", "on")) {
      assertTrue(
          Files.readString(directory.resolve("usher-" + mode + ".log")).contains("stopped:"),
          "usher (shedding " + mode + ") was not stopped cleanly");
    }
  }

  /** The cells of the table row for {@code mode} at {@code multiple}, the mode first. */
  private static List<String> row(String output, String mode, String multiple) {
    return output
        .lines()
        .filter(line -> line.startsWith("| " + mode + " | " + multiple + " |"))
        .findFirst()
        .map(line -> Arrays.stream(line.split("\\|")).skip(1).map(String::strip).toList())
        .orElseThrow(
            () -> new AssertionError("no row for " + mode + " at " + multiple + ":\n" + output));
  }

  private Path resultDirectory() throws IOException {
    try (Stream<Path> entries = Files.list(results)) {
      List<Path> found =
          entries.filter(p -> p.getFileName().toString().startsWith("overload-")).toList();
      assertEquals(1, found.size(), "result directories: " + found);
      return found.get(0);
    }
  }
}
