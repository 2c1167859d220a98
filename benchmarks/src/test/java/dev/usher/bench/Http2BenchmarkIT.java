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
 * {@code deploy/loadtest/h2.sh} runs end to end as the README gives it, cut to one round of one
 * second per load with a few connections: every server (usher, raw Netty and nginx over h2c, usher
 * and nginx over h2 with TLS) starts, answers h2load over HTTP/2 and loses no request, and the
 * table has a figure for each server and the ratios. It proves the scenario works, not how fast
 * usher is: no rate or ratio is judged.
 */
class Http2BenchmarkIT {
  private static final Duration LIMIT = Duration.ofMinutes(4);
  private static final String H2C = "requests/s, h2c prior knowledge";
  private static final String TLS = "requests/s, h2 over TLS 1.3 (ALPN)";
  private static final String CPU_H2C = "server CPU per request, h2c";
  private static final String LOST_H2C = "failed / errored / not 2xx, h2c";
  private static final String LOST_TLS = "failed / errored / not 2xx, h2 over TLS";
  private static final Pattern NUMBER = Pattern.compile("[0-9]+(\\.[0-9]+)?");
  private static final String NOTHING_LOST = "0 / 0 / 0";

  @TempDir Path work;

  @BeforeEach
  void requireWhatTheScenarioRuns() {
    ExternalTools.require("h2load", "nghttp2-client");
    ExternalTools.require("nginx", "nginx-light");
    ExternalTools.require("openssl", "openssl");
    LoadTestScript.requireWhatEveryScriptUses();
  }

  @Test
  void oneShortRoundLoadsEveryServerOverHttp2WithoutLosingARequest() throws Exception {
    LoadTestScript.Finished run =
        run(Map.of("WARMUP_SECONDS", "1", "CONNECTIONS", "8", "STREAMS", "8"), "1", "1");

    assertEquals(0, run.exitStatus(), "h2.sh failed:\n" + run.output());
    for (String server : List.of("usher", "raw-netty", "nginx", "usher-tls", "nginx-tls")) {
      assertTrue(
          Pattern.compile("round 1 " + server + " +requests/s +[0-9.]+ .* failed 0  errored 0 ")
              .matcher(run.output())
              .find(),
          "no figures, or a failed or errored request, for " + server + ":\n" + run.output());
    }
    List<String> h2c = tableRow(run.output(), H2C);
    for (int column = 1; column <= 5; column++) {
      assertPositive(h2c.get(column), H2C, column);
    }
    List<String> tls = tableRow(run.output(), TLS);
    assertPositive(tls.get(1), TLS, 1);
    assertPositive(tls.get(3), TLS, 3);
    assertPositive(tls.get(5), TLS, 5);
    List<String> cpu = tableRow(run.output(), CPU_H2C);
    for (int column = 1; column <= 3; column++) {
      assertTrue(
          NUMBER.matcher(cpu.get(column)).matches(),
          "row '" + CPU_H2C + "' has no figure in column " + column + ": " + cpu);
    }
    assertEquals(
        List.of(NOTHING_LOST, NOTHING_LOST, NOTHING_LOST),
        tableRow(run.output(), LOST_H2C).subList(1, 4),
        "h2load counted lost requests over h2c:\n" + run.output());
    List<String> lostTls = tableRow(run.output(), LOST_TLS);
    assertEquals(
        List.of(NOTHING_LOST, NOTHING_LOST),
        List.of(lostTls.get(1), lostTls.get(3)),
        "h2load counted lost requests over TLS:\n" + run.output());
    assertTrue(
        Pattern.compile(
                "Goals \\(issue 16\\), by requests/s: usher / raw Netty >= 0.97 over h2c: [0-9.]+, ")
            .matcher(run.output())
            .find(),
        "no line on the goals:\n" + run.output());
    assertTrue(
        Pattern.compile("by server CPU per request .*: usher / raw Netty over h2c: [0-9.]+, ")
            .matcher(run.output())
            .find(),
        "no line on the goals by CPU per request:\n" + run.output());
  }

  @Test
  void aBadArgumentIsOneLineNamingItAndExitStatus2() throws Exception {
    LoadTestScript.Finished run = run(Map.of("STREAMS", "0"));

    assertEquals(2, run.exitStatus(), run.output());
    assertEquals(
        "h2.sh: STREAMS = '0': expected a whole number above 0, without leading zeros (see h2.sh"
            + " -h)",
        run.output().strip());
  }

  private static void assertPositive(String cell, String row, int column) {
    assertTrue(
        NUMBER.matcher(cell).matches() && Double.parseDouble(cell) > 0,
        "row '" + row + "' has no figure in column " + column + ": " + cell);
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
    return LoadTestScript.run("h2.sh", settings, LIMIT, work.resolve("h2.out"), arguments);
  }
}
