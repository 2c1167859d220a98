package dev.usher.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
 * The load-test scenarios of {@code deploy/loadtest/} run end to end as a user runs them, for a few
 * seconds each: each exits 0, prints its summary (the client view beside the server view, and where
 * they disagree), and leaves a report.html with SVG charts; the accept-path overhead benchmark
 * prints its two tables, the TLS benchmark its table against nginx and usher's handshake histogram.
 * It proves the scripts work, not how fast usher is. (The peer benchmark's test is in the
 * benchmarks module, next to the raw Netty server it starts.)
 */
class LoadScenariosIT {
  private static final Duration SCENARIO_LIMIT = Duration.ofMinutes(2);

  @TempDir Path results;

  @BeforeEach
  void requireTheToolsEveryScenarioUses() {
    LoadTestScript.requireWhatEveryScriptUses();
  }

  @Test
  void keepAliveScenarioPrintsBothViewsAndWritesAReportWithCharts() throws Exception {
    ExternalTools.require("wrk", "wrk");

    ScenarioRun run = run("keepalive.sh", "2", "8");

    run.assertPrintedTheSummary();
    assertTrue(run.output().contains("| requests |"), "no requests row:\n" + run.output());
    assertTrue(
        run.output().contains("server_http_requests_total"),
        "no server request count:\n" + run.output());
    run.assertWroteTheReport();
  }

  @Test
  void pipelinedScenarioCountsTheSameRequestsOnBothSides() throws Exception {
    ExternalTools.require("h2load", "nghttp2-client");

    ScenarioRun run = run("pipelined.sh", "2", "4", "8");

    run.assertPrintedTheSummary();
    // The two counts differ by at most the requests in flight when h2load stopped (explained).
    run.assertPrinted("on requests: client ");
    assertFalse(run.output().contains("DIFFER on requests"), run.output());
    run.assertPrinted("agree on connections");
    run.assertWroteTheReport();
  }

  @Test
  void newConnectionsScenarioRunsWrkThenAbAndCountsTheirConnections() throws Exception {
    ExternalTools.require("wrk", "wrk");
    ExternalTools.require("ab", "apache2-utils");

    ScenarioRun run = run("new-connections.sh", "2", "8");

    run.assertPrintedTheSummary();
    run.assertPrinted("### new-connections / wrk-close");
    run.assertPrinted("### new-connections / ab");
    run.assertPrinted("| hand-off to worker |");
    run.assertWroteTheReport();
  }

  @Test
  void echoScenarioAccountsForEveryByte() throws Exception {
    ScenarioRun run = run("echo.sh", "2", "4");

    run.assertPrintedTheSummary();
    run.assertPrinted("agree on bytes");
    run.assertPrinted("agree on connections");
    run.assertWroteTheReport();
  }

  @Test
  void maxConnectionsScenarioShowsTheRefusalsOnBothSides() throws Exception {
    ScenarioRun run = run("max-connections.sh", "2", "30", "10");

    run.assertPrintedTheSummary();
    run.assertPrinted("agree on refusals");
    run.assertPrinted("agree on limit");
    run.assertPrinted("refused max_connections +20");
    run.assertWroteTheReport();
  }

  @Test
  void acceptPathOverheadBenchmarkComparesMetersOnAndOffAndTimesTheScrape() throws Exception {
    ExternalTools.require("wrk", "wrk");

    ScenarioRun run = run(Map.of("HELD_CONNECTIONS", "500"), "accept-path-overhead.sh", "1", "1");

    assertEquals(0, run.exitStatus(), run.output());
    assertTrue(
        Pattern.compile("\\| keep-alive requests/s \\| [0-9]+ \\| [0-9]+ \\| [0-9.]+ \\|")
            .matcher(run.output())
            .find(),
        "no keep-alive row:\n" + run.output());
    assertTrue(
        Pattern.compile("\\| new connections/s \\(Connection: close\\) \\| [0-9]+ \\| [0-9]+ \\|")
            .matcher(run.output())
            .find(),
        "no new-connections row:\n" + run.output());
    run.assertPrinted("| 500 | ");
  }

  @Test
  void tlsBenchmarkMeasuresUsherAndNginxAndShowsUshersHandshakes() throws Exception {
    ExternalTools.require("openssl", "openssl");
    ExternalTools.require("h2load", "nghttp2-client");
    ExternalTools.require("wrk", "wrk");
    ExternalTools.require("ab", "apache2-utils");
    ExternalTools.require("nginx", "nginx-light");

    ScenarioRun run =
        run(Map.of("CONNECTIONS", "16", "WARMUP_HANDSHAKES", "64"), "tls.sh", "1", "1");

    assertEquals(0, run.exitStatus(), run.output());
    run.assertPrinted("usher negotiates: TLSv1.3, ");
    run.assertPrinted("nginx negotiates: TLSv1.3, ");
    for (String row :
        List.of(
            "full TLS handshakes/s",
            "server CPU per full handshake",
            "keep-alive requests/s over TLS",
            "server CPU per keep-alive request",
            "new TLS connections/s, ab",
            "one new TLS connection alone")) {
      List<String> cells = tableRow(run.output(), row);
      for (int server = 1; server <= 2; server++) {
        assertTrue(
            cells.get(server).matches("[0-9]+(\\.[0-9]+)?")
                && Double.parseDouble(cells.get(server)) > 0,
            "row '"
                + row
                + "' has no figure for "
                + (server == 1 ? "usher" : "nginx")
                + ": "
                + cells);
      }
      assertTrue(
          cells.get(3).matches("[0-9]+\\.[0-9]+"), "row '" + row + "' has no ratio: " + cells);
    }
    // Every measured handshake a full one, each counted by usher as the client counted it.
    run.assertPrinted("| sessions resumed (server_tls_sessions_resumed_total) | 0 |");
    run.assertPrinted("client and server agree on full handshakes");
    assertTrue(
        Double.parseDouble(tableRow(run.output(), "success").get(1).replace(",", "")) > 0,
        "no successful handshake counted:\n" + run.output());
    run.assertPrinted("server_tls_handshake_duration_seconds (from the connection's start");
    run.assertPrinted("| ≤ +Inf | ");
  }

  @Test
  void backlogStormScenarioShowsClientConnectTimesBesideTheListenQueue() throws Exception {
    ScenarioRun run = run("backlog-storm.sh", "200", "3");

    run.assertPrintedTheSummary();
    assertTrue(
        run.output().contains("client: connect() times"),
        "no connect-time histogram:\n" + run.output());
    assertTrue(
        run.output().contains("| listen queue | — | limit 8,"),
        "no listen-queue row:\n" + run.output());
    assertTrue(run.output().contains("listen overflows"), "no overflow delta:\n" + run.output());
    run.assertWroteTheReport();
  }

  @Test
  void restartScenarioPutsTheThreeWaysOfReplacingUsherSideBySide() throws Exception {
    ScenarioRun run = run("restart.sh", "1", "4", "1");

    assertEquals(0, run.exitStatus(), "restart.sh failed:\n" + run.output());
    List<String> header =
        run.output()
            .lines()
            .filter(line -> line.strip().startsWith("handover"))
            .findFirst()
            .map(line -> List.of(line.strip().split("\\s+")))
            .orElseThrow(() -> new AssertionError("no table header:\n" + run.output()));
    assertEquals(List.of("handover", "stop-start", "reuseport"), header);
    run.assertPrinted("failed: connect_refused");
    // Every replaced usher drained and exited 0, whichever way it was replaced.
    assertTrue(
        run.output()
            .lines()
            .anyMatch(line -> line.matches("replaced ushers' exit status\\s+0\\s+0\\s+0")),
        "a replaced usher did not exit 0:\n" + run.output());
  }

  /** The Markdown table row whose first cell starts with {@code label}: its cells, label first. */
  private static List<String> tableRow(String output, String label) {
    return output
        .lines()
        .filter(line -> line.startsWith("| " + label))
        .findFirst()
        .map(line -> Arrays.stream(line.split("\\|")).skip(1).map(String::strip).toList())
        .orElseThrow(() -> new AssertionError("no row '" + label + "' in:\n" + output));
  }

  private ScenarioRun run(String script, String... arguments)
      throws IOException, InterruptedException {
    return run(Map.of(), script, arguments);
  }

  private ScenarioRun run(Map<String, String> environment, String script, String... arguments)
      throws IOException, InterruptedException {
    Map<String, String> settings = new HashMap<>(environment);
    settings.put("LOADTEST_RESULTS", results.toString());
    settings.putIfAbsent("WARMUP_SECONDS", "1");
    LoadTestScript.Finished finished =
        LoadTestScript.run(
            script, settings, SCENARIO_LIMIT, results.resolve(script + ".out"), arguments);
    return new ScenarioRun(script, finished.exitStatus(), finished.output(), results);
  }

  private record ScenarioRun(String script, int exitStatus, String output, Path results) {
    void assertPrintedTheSummary() {
      assertEquals(0, exitStatus, script + " failed:\n" + output);
      for (String expected :
          List.of(
              "## Summary:",
              "| client view (",
              "| server view (/metrics",
              "where they disagree:")) {
        assertTrue(
            output.contains(expected), script + " printed no '" + expected + "':\n" + output);
      }
    }

    void assertPrinted(String expected) {
      assertTrue(output.contains(expected), script + " printed no '" + expected + "':\n" + output);
    }

    void assertWroteTheReport() throws IOException {
      Path directory = resultDirectory();
      Path report = directory.resolve("report.html");
      assertTrue(Files.isRegularFile(report), "no " + report + ":\n" + output);
      String html = Files.readString(report);
      assertTrue(html.contains("<svg"), "no chart in " + report);
      assertTrue(html.contains("where they disagree"), "no summary in " + report);
      assertTrue(Files.size(directory.resolve("samples.csv")) > 0, "no samples in " + directory);
      assertTrue(
          Files.readString(directory.resolve("usher.log")).contains("stopped:"),
          "usher was not stopped cleanly:\n" + Files.readString(directory.resolve("usher.log")));
    }

    private Path resultDirectory() throws IOException {
      String scenario = script.replace(".sh", "");
      try (Stream<Path> entries = Files.list(results)) {
        List<Path> found =
            entries.filter(p -> p.getFileName().toString().startsWith(scenario + "-")).toList();
        assertEquals(
            1,
            found.size(),
            "expected one result directory for " + scenario + " in " + results + ": " + found);
        return found.getFirst();
      }
    }
  }
}
