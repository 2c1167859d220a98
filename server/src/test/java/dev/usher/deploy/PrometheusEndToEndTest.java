package dev.usher.deploy;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.usher.deploy.DashboardQueries.Query;
import dev.usher.lifecycle.AcceptHold;
import dev.usher.testing.ExternalTools;
import dev.usher.testing.RawConnection;
import dev.usher.testing.RunningServer;
import dev.usher.testing.TestCertificates;
import java.io.IOException;
import java.net.SocketException;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/prometheus and the Grafana dashboard against usher itself: a real Prometheus (Debian
 * package prometheus) runs deploy/prometheus/prometheus.yml and alerts.yml, scraping an in-process
 * usher with TLS on its main listener (a certificate from {@link TestCertificates}, BoringSSL),
 * scraping it every second. A real listen-queue overflow must fire UsherListenQueueOverflow and
 * UsherListenQueueNearLimit; once usher has served some traffic over TLS (and refused a client that
 * spoke plain HTTP to it, a failed handshake), every query of the dashboard must return data, with
 * every variable at All and with each at the first value it offers; a variable must filter every
 * query over series that carry its label; and the alerts and the dashboard must name only series
 * usher really exports: TLS on is what exports the TLS meters the TLS alerts and panels read. About
 * 10 to 15 s here.
 *
 * <p>What the test changes in its copies of the files, and nothing else:
 *
 * <ul>
 *   <li>prometheus.yml: scrape and evaluation every 1 s (scrape timeout 1 s, which may not exceed
 *       the interval); the usher job's static target is this usher's admin listener; the
 *       kubernetes-pods job is left out, as Debian's build has no Kubernetes discovery
 *       (PodDiscoveryRelabelingTest runs that job's relabelling).
 *   <li>alerts.yml: every {@code for:} becomes {@value #ALERT_FOR}, so that
 *       UsherListenQueueNearLimit ({@code for: 2m}) can fire within the test. The expressions,
 *       labels and annotations are the file's, byte for byte; the test checks that before it starts
 *       Prometheus.
 * </ul>
 *
 * <p>server_listen_overflows_total counts the whole network namespace: on a host where other
 * programs overflow their listen queues too, UsherListenQueueOverflow may fire before this test's
 * overflow, never later. UsherListenQueueNearLimit reads this usher's own listener.
 */
class PrometheusEndToEndTest {
  private static final Path PROMETHEUS_DIR = DeployFiles.path("deploy/prometheus");
  private static final String ALERT_FOR = "1s";
  private static final Pattern FOR_LINE = Pattern.compile("(?m)^(\\s+for:\\s*)\\S+[ \\t]*$");
  private static final Pattern LABEL_VALUES =
      Pattern.compile("^\\s*label_values\\((.+),\\s*(\\w+)\\)\\s*$");

  /** A backlog of 2: the kernel queues 3 connections (backlog + 1) and drops the rest. */
  private static final int BACKLOG = 2;

  private static final int OVERFLOWING_CLIENTS = 12;
  private static final int MAX_CONNECTIONS = 3;

  private static final Duration PROMETHEUS_READY = Duration.ofSeconds(20);
  private static final Duration SCRAPED = Duration.ofSeconds(15);
  private static final Duration ALERTS_FIRING = Duration.ofSeconds(30);
  private static final Duration QUERIES_ANSWERED = Duration.ofSeconds(20);
  private static final Duration USHER_SETTLES = Duration.ofSeconds(10);

  private static final Set<String> OVERFLOW_ALERTS =
      Set.of("UsherListenQueueOverflow", "UsherListenQueueNearLimit");

  /**
   * Dashboard queries ("panel title [refId]") that may return no data here, each with the reason.
   * Empty: the test makes happen everything the dashboard shows.
   */
  private static final Map<String, String> MAY_BE_EMPTY = Map.of();

  @Test
  void aListenQueueOverflowFiresItsAlertsAndEveryDashboardQueryReturnsData(@TempDir Path scratch)
      throws Exception {
    ExternalTools.require("prometheus", "prometheus");
    long started = System.nanoTime();
    Path certificates = Files.createDirectory(scratch.resolve("tls"));
    TestCertificates authority = TestCertificates.in(certificates);
    TestCertificates.Pair certificate = authority.server("usher");
    try (RunningServer usher =
        RunningServer.start(
            Map.of(
                "server.backlog",
                String.valueOf(BACKLOG),
                "server.max-connections",
                String.valueOf(MAX_CONNECTIONS),
                "server.tls.certificate",
                certificate.certificate().toString(),
                "server.tls.private-key",
                certificate.privateKey().toString(),
                // BoringSSL, which the dashboard's resumption panel needs.
                "server.tls.provider",
                "openssl"))) {
      String instance = "127.0.0.1:" + usher.server().adminAddress().getPort();
      Path config = writeConfiguration(scratch, instance);
      try (PrometheusServer prometheus =
          PrometheusServer.start(config, scratch, PROMETHEUS_READY)) {
        awaitUsherScraped(prometheus, instance);

        long overflowing = System.nanoTime();
        overflowTheListenQueue(usher, () -> assertOverflowAlertsFiring(prometheus, instance));
        System.out.printf(
            "PrometheusEndToEndTest: %s firing %.1f s after the overflow began%n",
            OVERFLOW_ALERTS, (System.nanoTime() - overflowing) / 1e9);

        serveTraffic(usher, authority.clientContext());
        // The GC panels show pauses recorded since usher's registry was made: this short run may
        // have had none yet, as a freshly started usher has none.
        System.gc();

        await("every dashboard query answered with data")
            .atMost(QUERIES_ANSWERED)
            .pollInterval(Duration.ofSeconds(1))
            .untilAsserted(
                () ->
                    assertEveryDashboardQueryReturnsData(
                        prometheus, DashboardQueries.DEFAULT_VARIABLES));
        // As an operator sees the dashboard with one job, instance and listener chosen.
        assertEveryDashboardQueryReturnsData(prometheus, firstValueOfEachVariable(prometheus));
        assertVariablesFilterEveryQueryWhoseSeriesCarryTheirLabel(prometheus);
        assertAlertsAndDashboardNameOnlyExportedSeries(prometheus);
      }
    }
    System.out.printf(
        "PrometheusEndToEndTest: %.1f s in all%n", (System.nanoTime() - started) / 1e9);
  }

  /**
   * prometheus.yml and its rule files, changed as the class comment says, in {@code scratch};
   * returns the configuration's path.
   */
  private static Path writeConfiguration(Path scratch, String usherTarget) throws IOException {
    ObjectNode config = (ObjectNode) DeployFiles.yaml(PROMETHEUS_DIR.resolve("prometheus.yml"));
    ((ObjectNode) config.get("global"))
        .put("scrape_interval", "1s")
        .put("scrape_timeout", "1s")
        .put("evaluation_interval", "1s");
    ArrayNode jobs = (ArrayNode) config.get("scrape_configs");
    boolean usherJob = false;
    for (int i = jobs.size() - 1; i >= 0; i--) {
      ObjectNode job = (ObjectNode) jobs.get(i);
      if (job.has("kubernetes_sd_configs")) {
        jobs.remove(i);
      } else if ("usher".equals(job.path("job_name").asText())) {
        usherJob = true;
        job.putArray("static_configs").addObject().putArray("targets").add(usherTarget);
      }
    }
    assertTrue(usherJob, "prometheus.yml has a job named usher");
    for (JsonNode ruleFile : config.get("rule_files")) {
      writeWithShortFor(
          PROMETHEUS_DIR.resolve(ruleFile.asText()), scratch.resolve(ruleFile.asText()));
    }
    Path written = scratch.resolve("prometheus.yml");
    DeployFiles.YAML.writeValue(written.toFile(), config);
    return written;
  }

  /**
   * A copy of a rules file whose {@code for:} durations are {@link #ALERT_FOR}; all else the same.
   */
  private static void writeWithShortFor(Path rules, Path copy) throws IOException {
    String text = Files.readString(rules);
    Files.writeString(copy, FOR_LINE.matcher(text).replaceAll("$1" + ALERT_FOR));
    JsonNode original = DeployFiles.yaml(rules);
    JsonNode shortened = DeployFiles.yaml(copy);
    for (JsonNode group : shortened.get("groups")) {
      for (JsonNode rule : group.get("rules")) {
        if (rule.has("for")) {
          assertEquals(ALERT_FOR, rule.get("for").asText(), rule.path("alert").asText());
        }
      }
    }
    assertEquals(
        withoutFor(original),
        withoutFor(shortened),
        "the copy of " + rules + " differs in more than for:");
  }

  private static JsonNode withoutFor(JsonNode rulesFile) {
    JsonNode copy = rulesFile.deepCopy();
    for (JsonNode group : copy.get("groups")) {
      for (JsonNode rule : group.get("rules")) {
        ((ObjectNode) rule).remove("for");
      }
    }
    return copy;
  }

  /**
   * Waits until the usher target is up and its overflow counter has a sample: increase() in
   * UsherListenQueueOverflow needs one from before the overflow.
   */
  private static void awaitUsherScraped(PrometheusServer prometheus, String instance) {
    await("usher's target " + instance + " up, its overflow counter scraped")
        .atMost(SCRAPED)
        .pollInterval(Duration.ofMillis(250))
        .untilAsserted(
            () -> {
              JsonNode targets = prometheus.api("/api/v1/targets?state=active");
              boolean up = false;
              for (JsonNode target : targets.at("/data/activeTargets")) {
                up |=
                    "usher".equals(target.at("/labels/job").asText())
                        && instance.equals(target.at("/labels/instance").asText())
                        && "up".equals(target.path("health").asText());
              }
              assertTrue(
                  up,
                  "no usher target up at "
                      + instance
                      + "; /api/v1/targets answered:\n"
                      + targets.toPrettyString());
              String counter =
                  "server_listen_overflows_total{job=\"usher\", instance=\"" + instance + "\"}";
              JsonNode answer = prometheus.query(counter);
              assertFalse(
                  answer.at("/data/result").isEmpty(),
                  counter + " answered:\n" + answer.toPrettyString());
            });
  }

  /**
   * Holds usher's listener from accepting and connects more clients than its queue holds, so the
   * kernel drops handshakes (counted in ListenOverflows) while the queue stays full; runs {@code
   * whileOverflowing} until it passes, then lets the clients go and the listener accept.
   */
  @SuppressWarnings("try") // the hold is the point: it lasts for the try block
  private static void overflowTheListenQueue(
      RunningServer usher, ThrowingAssertion whileOverflowing) throws Exception {
    double overflowsBefore = usher.scrape().require("server_listen_overflows_total");
    try (AcceptHold hold = AcceptHold.hold(usher.server())) {
      List<SocketChannel> clients = new ArrayList<>();
      try {
        for (int i = 0; i < OVERFLOWING_CLIENTS; i++) {
          SocketChannel client = SocketChannel.open();
          clients.add(client);
          client.configureBlocking(false);
          client.connect(usher.address());
        }
        await("the kernel's ListenOverflows, read by usher, moving")
            .atMost(USHER_SETTLES)
            .until(() -> usher.scrape().require("server_listen_overflows_total") > overflowsBefore);
        await("UsherListenQueueOverflow and UsherListenQueueNearLimit firing")
            .atMost(ALERTS_FIRING)
            .pollInterval(Duration.ofMillis(500))
            .untilAsserted(whileOverflowing::run);
      } finally {
        // Closing the clients stops their SYN retransmits; those queued are accepted, and end.
        for (SocketChannel client : clients) {
          client.close();
        }
      }
    }
  }

  @FunctionalInterface
  private interface ThrowingAssertion {
    void run() throws Exception;
  }

  private static void assertOverflowAlertsFiring(PrometheusServer prometheus, String instance) {
    JsonNode alerts = prometheus.api("/api/v1/alerts");
    Set<String> firing = new TreeSet<>();
    for (JsonNode alert : alerts.at("/data/alerts")) {
      JsonNode labels = alert.path("labels");
      if ("firing".equals(alert.path("state").asText())
          && "usher".equals(labels.path("job").asText())
          && instance.equals(labels.path("instance").asText())) {
        firing.add(labels.path("alertname").asText());
        if ("UsherListenQueueNearLimit".equals(labels.path("alertname").asText())) {
          assertEquals(
              "main",
              labels.path("listener").asText(),
              "UsherListenQueueNearLimit's listener: " + alert);
        }
        assertTrue(
            alert.at("/annotations/summary").asText().contains(instance),
            "the summary names the instance: " + alert);
      }
    }
    if (!firing.containsAll(OVERFLOW_ALERTS)) {
      throw new AssertionError(
          "firing for "
              + instance
              + ": "
              + firing
              + ", expected "
              + OVERFLOW_ALERTS
              + "\n/api/v1/alerts answered:\n"
              + alerts.toPrettyString()
              + "\n/api/v1/rules (the listen-queue group) answered:\n"
              + prometheus.api("/api/v1/rules?type=alert").at("/data/groups/0").toPrettyString());
    }
  }

  /**
   * HTTPS requests answered 200 and 404, on connections that take every slot of
   * server.max-connections; then one more connection, which usher refuses. Closing them all ends
   * connections (the duration histogram) after bytes both ways. Then a client that speaks plain
   * HTTP to the TLS listener: a failed handshake (result protocol).
   */
  private static void serveTraffic(RunningServer usher, SSLContext tls) throws Exception {
    await("the overflow's connections closed")
        .atMost(USHER_SETTLES)
        .until(() -> usher.scrape().require("server_connections_active", "listener=\"main\"") == 0);
    double refusedBefore =
        usher.scrape().require("server_connections_refused_total", "reason=\"max_connections\"");
    List<RawConnection> admitted = new ArrayList<>();
    try {
      for (int i = 0; i < MAX_CONNECTIONS; i++) {
        RawConnection connection = RawConnection.openTls(usher.address(), tls);
        admitted.add(connection);
        assertEquals(
            200, connection.send("GET / HTTP/1.1\r\nHost: usher\r\n\r\n").readResponse().status());
      }
      assertEquals(
          404,
          admitted
              .getFirst()
              .send("GET /no-such-page HTTP/1.1\r\nHost: usher\r\n\r\n")
              .readResponse()
              .status());
      try (RawConnection refused = RawConnection.open(usher.address())) {
        refused.send("GET / HTTP/1.1\r\nHost: usher\r\n\r\n");
        refused.awaitClosedByServer(USHER_SETTLES);
      } catch (SocketException reset) {
        // Reset while connecting or sending: refused just the same.
      }
    } finally {
      for (RawConnection connection : admitted) {
        connection.close();
      }
    }
    await("a refusal at server.max-connections counted")
        .atMost(USHER_SETTLES)
        .until(
            () ->
                usher
                        .scrape()
                        .require("server_connections_refused_total", "reason=\"max_connections\"")
                    > refusedBefore);

    await("the TLS connections closed")
        .atMost(USHER_SETTLES)
        .until(() -> usher.scrape().require("server_connections_active", "listener=\"main\"") == 0);
    String protocol = "result=\"protocol\"";
    double notTlsBefore = usher.scrape().require("server_tls_handshakes_total", protocol);
    try (RawConnection plain = RawConnection.open(usher.address())) {
      plain.send("GET / HTTP/1.1\r\nHost: usher\r\n\r\n");
      // usher closes it; whatever it sends first (an alert, or nothing) does not matter here.
      plain.socket().getInputStream().readAllBytes();
    } catch (SocketException reset) {
      // Reset: refused just the same.
    }
    await("a failed TLS handshake counted")
        .atMost(USHER_SETTLES)
        .until(
            () -> usher.scrape().require("server_tls_handshakes_total", protocol) > notTlsBefore);
  }

  /** Every dashboard query, with {@code variables}, has a value. */
  private static void assertEveryDashboardQueryReturnsData(
      PrometheusServer prometheus, Map<String, String> variables) {
    List<String> empty = new ArrayList<>();
    for (Query query : DashboardQueries.all()) {
      if (MAY_BE_EMPTY.containsKey(query.toString())) {
        continue;
      }
      String promql = query.promql(variables);
      JsonNode answer = prometheus.query(promql);
      if (!hasAValue(answer)) {
        empty.add(
            query + "\n  query: " + promql + "\n  Prometheus answered: " + answer.path("data"));
      }
    }
    if (!empty.isEmpty()) {
      throw new AssertionError(
          empty.size()
              + " dashboard queries without data, with "
              + variables
              + ":\n"
              + String.join("\n", empty));
    }
  }

  /** Whether an instant query's answer has a sample that is a number: what a panel can draw. */
  private static boolean hasAValue(JsonNode answer) {
    JsonNode data = answer.path("data");
    if ("scalar".equals(data.path("resultType").asText())) {
      return !"NaN".equals(data.at("/result/1").asText());
    }
    for (JsonNode series : data.path("result")) {
      if (!"NaN".equals(series.at("/value/1").asText())) {
        return true;
      }
    }
    return false;
  }

  /**
   * The dashboard's variables, each set to the first value its {@code label_values(selector,
   * label)} offers, as Grafana would evaluate them in order; fails if a variable offers none.
   */
  private static Map<String, String> firstValueOfEachVariable(PrometheusServer prometheus) {
    Map<String, String> variables = new HashMap<>(DashboardQueries.DEFAULT_VARIABLES);
    List<String> problems = new ArrayList<>();
    for (JsonNode variable :
        DeployFiles.json(DeployFiles.path(DashboardQueries.DASHBOARD)).at("/templating/list")) {
      if (!"query".equals(variable.path("type").asText())) {
        continue;
      }
      String name = variable.path("name").asText();
      String definition = variable.at("/query/query").asText(variable.path("definition").asText());
      Matcher labelValues = LABEL_VALUES.matcher(definition);
      if (!labelValues.matches()) {
        problems.add("$" + name + ": not label_values(selector, label): " + definition);
        continue;
      }
      String selector = DashboardQueries.substitute(labelValues.group(1), variables);
      JsonNode answer =
          prometheus.api(
              "/api/v1/label/"
                  + labelValues.group(2)
                  + "/values?match[]="
                  + PrometheusServer.encode(selector));
      if (answer.path("data").isEmpty()) {
        problems.add(
            "$" + name + ": " + definition + " (as " + selector + ") offers no value: " + answer);
      } else {
        variables.put(name, answer.at("/data/0").asText());
      }
    }
    assertEquals(List.of(), problems);
    assertTrue(
        variables.keySet().containsAll(List.of("job", "instance", "listener")),
        "variables: " + variables);
    return variables;
  }

  /**
   * Choosing a value of $job, $instance or $listener filters every query over series that carry
   * that label: with a value no series has, such a query is empty.
   */
  private static void assertVariablesFilterEveryQueryWhoseSeriesCarryTheirLabel(
      PrometheusServer prometheus) {
    List<String> unfiltered = new ArrayList<>();
    for (String label : List.of("job", "instance", "listener")) {
      Set<String> carrying = seriesNames(prometheus, "{job=\"usher\", " + label + "!=\"\"}");
      for (Query query : DashboardQueries.all()) {
        Set<String> names = new TreeSet<>(UsherMetricNames.usedBy(query.expr()));
        names.retainAll(carrying);
        if (names.isEmpty()) {
          continue;
        }
        Map<String, String> variables = new HashMap<>(DashboardQueries.DEFAULT_VARIABLES);
        variables.put(label, "no-such-" + label);
        String promql = query.promql(variables);
        JsonNode answer = prometheus.query(promql);
        if (!answer.at("/data/result").isEmpty()) {
          unfiltered.add(
              query
                  + " ignores $"
                  + label
                  + " (its series "
                  + names
                  + " carry "
                  + label
                  + ")\n  query: "
                  + promql
                  + "\n  Prometheus answered: "
                  + answer.path("data"));
        }
      }
    }
    if (!unfiltered.isEmpty()) {
      throw new AssertionError(String.join("\n", unfiltered));
    }
  }

  /**
   * Every series name the alerts and the dashboard use is one usher exported to this Prometheus: a
   * branch of an {@code or} over a series that never exists would pass the other checks.
   */
  private static void assertAlertsAndDashboardNameOnlyExportedSeries(PrometheusServer prometheus) {
    Set<String> exported = seriesNames(prometheus, "{job=\"usher\"}");
    Map<String, Set<String>> unexported = new LinkedHashMap<>();
    for (JsonNode group : DeployFiles.yaml(PROMETHEUS_DIR.resolve("alerts.yml")).get("groups")) {
      for (JsonNode rule : group.get("rules")) {
        missingFrom(exported, rule.get("expr").asText())
            .ifPresent(names -> unexported.put("alert " + rule.get("alert").asText(), names));
      }
    }
    for (Query query : DashboardQueries.all()) {
      missingFrom(exported, query.expr())
          .ifPresent(names -> unexported.put("panel " + query, names));
    }
    assertEquals(
        Map.of(), unexported, "series usher does not export (it exports " + exported + ")");
  }

  private static Optional<Set<String>> missingFrom(Set<String> exported, String promql) {
    Set<String> missing = new TreeSet<>(UsherMetricNames.usedBy(promql));
    missing.removeAll(exported);
    return missing.isEmpty() ? Optional.empty() : Optional.of(missing);
  }

  private static Set<String> seriesNames(PrometheusServer prometheus, String selector) {
    Set<String> names = new TreeSet<>();
    prometheus
        .api("/api/v1/label/__name__/values?match[]=" + PrometheusServer.encode(selector))
        .path("data")
        .forEach(name -> names.add(name.asText()));
    assertFalse(names.isEmpty(), "no series match " + selector);
    return names;
  }
}
