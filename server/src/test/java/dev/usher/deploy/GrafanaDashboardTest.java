package dev.usher.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.usher.deploy.DashboardQueries.Query;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** deploy/grafana: the usher dashboard and the provisioning that loads it. */
class GrafanaDashboardTest {
  private static final JsonNode DASHBOARD =
      DeployFiles.json(DeployFiles.path(DashboardQueries.DASHBOARD));
  private static final String DATASOURCE_VARIABLE = "${datasource}";

  /** Where deploy/compose.yaml mounts deploy/grafana/dashboards in Grafana's container. */
  static final String GRAFANA_DASHBOARDS_MOUNT = "/var/lib/grafana/dashboards/usher";

  @Test
  void everyPanelHasAQueryOnTheDatasourceVariable() {
    List<String> problems = new ArrayList<>();
    for (JsonNode panel : DashboardQueries.panels(DASHBOARD)) {
      if ("row".equals(panel.path("type").asText())) {
        continue;
      }
      String title = panel.path("title").asText("(untitled panel " + panel.path("id") + ")");
      if (panel.path("targets").isEmpty()) {
        problems.add(title + ": no query");
      }
      Set<String> refIds = new HashSet<>();
      for (JsonNode target : panel.path("targets")) {
        if (target.path("expr").asText("").isBlank()) {
          problems.add(title + " [" + target.path("refId").asText() + "]: empty expression");
        }
        if (!refIds.add(target.path("refId").asText())) {
          problems.add(title + ": refId " + target.path("refId").asText() + " twice");
        }
        if (!DATASOURCE_VARIABLE.equals(target.at("/datasource/uid").asText())) {
          problems.add(
              title
                  + " ["
                  + target.path("refId").asText()
                  + "]: data source is not "
                  + DATASOURCE_VARIABLE);
        }
      }
      if (!DATASOURCE_VARIABLE.equals(panel.at("/datasource/uid").asText())) {
        problems.add(title + ": panel data source is not " + DATASOURCE_VARIABLE);
      }
    }
    assertEquals(List.of(), problems);
  }

  @Test
  void panelsHaveUniqueIdsAndDoNotOverlap() {
    Set<Integer> ids = new HashSet<>();
    List<int[]> boxes = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (JsonNode panel : DashboardQueries.panels(DASHBOARD)) {
      String title = panel.path("title").asText();
      if (!ids.add(panel.path("id").asInt(-1))) {
        problems.add(title + ": id " + panel.path("id") + " used twice");
      }
      JsonNode grid = panel.path("gridPos");
      int x = grid.path("x").asInt(),
          y = grid.path("y").asInt(),
          w = grid.path("w").asInt(),
          h = grid.path("h").asInt();
      if (w <= 0 || h <= 0 || x < 0 || x + w > 24) {
        problems.add(title + ": gridPos " + grid + " is outside the 24-column grid");
      }
      for (int[] other : boxes) {
        if (x < other[0] + other[2]
            && other[0] < x + w
            && y < other[1] + other[3]
            && other[1] < y + h) {
          problems.add(title + ": gridPos " + grid + " overlaps another panel");
        }
      }
      boxes.add(new int[] {x, y, w, h});
    }
    assertEquals(List.of(), problems);
  }

  @Test
  void dashboardShowsEveryPartOfTheAcceptPathTlsAndTheRuntime() {
    String all = DashboardQueries.all().stream().map(Query::expr).collect(Collectors.joining("\n"));
    List<String> missing = new ArrayList<>();
    for (String name :
        List.of(
            "server_listen_queue_depth",
            "server_listen_queue_peak",
            "server_listen_queue_limit",
            "server_listen_overflows_total",
            "server_listen_drops_total",
            "server_connections_refused_total",
            "server_accept_queue_wait_seconds_bucket",
            "server_accept_handoff_seconds_bucket",
            "server_tls_handshakes_total",
            "server_tls_handshake_duration_seconds_bucket",
            "server_tls_sessions_resumed_total",
            "server_tls_certificate_expiry_timestamp_seconds",
            "server_tls_certificate_reloads_total",
            "server_connections_active",
            "server_connections_accepted_total",
            "server_event_loop_lag_seconds_bucket",
            "server_event_loop_pending_tasks",
            "server_http_requests_total",
            "server_http_requests_shed_total",
            "server_event_loops_shedding",
            "server_http_request_duration_seconds_bucket",
            "jvm_memory_used_bytes",
            "jvm_gc_pause_seconds_count",
            "server_info")) {
      if (!UsherMetricNames.usedBy(all).contains(name)) {
        missing.add(name);
      }
    }
    assertEquals(List.of(), missing, "metrics no panel shows");
    assertTrue(
        DashboardQueries.panels(DASHBOARD).stream()
            .anyMatch(
                panel ->
                    "heatmap".equals(panel.path("type").asText())
                        && panel
                            .path("targets")
                            .toString()
                            .contains("server_accept_queue_wait_seconds_bucket")),
        "a heatmap of the accept-queue wait");
    assertTrue(all.contains("sum by (reason)"), "refusals by reason");
    assertTrue(
        all.contains("sum by (result) (rate(server_tls_handshakes_total{"),
        "TLS handshakes by result");
    assertTrue(all.contains("result!=\"success\""), "TLS handshake failures");
    assertTrue(all.contains("sum by (status_class)"), "requests by status class");
  }

  @Test
  void queriesUseOnlyUshersMetricNames() {
    Map<String, Set<String>> unknown = new LinkedHashMap<>();
    for (Query query : DashboardQueries.all()) {
      Set<String> names = UsherMetricNames.unknownIn(query.expr());
      if (!names.isEmpty()) {
        unknown.put(query.toString(), names);
      }
    }
    assertEquals(Map.of(), unknown, "metric names outside UsherMetricNames");
  }

  @Test
  void everyQueryParsesAsPromqlOnceItsVariablesAreSet(@TempDir Path scratch) {
    Map<String, String> expressions = new LinkedHashMap<>();
    for (Query query : DashboardQueries.all()) {
      String promql = query.promql();
      assertFalse(promql.contains("$"), query + " still has a variable: " + promql);
      expressions.put(query.toString(), promql);
    }
    assertFalse(expressions.isEmpty());
    Promtool.assertParses(scratch, expressions);
  }

  @Test
  void variablesDefaultToAllAndQueryTheDatasourceVariable() {
    Map<String, JsonNode> variables = new LinkedHashMap<>();
    DASHBOARD
        .at("/templating/list")
        .forEach(variable -> variables.put(variable.path("name").asText(), variable));
    assertEquals(Set.of("datasource", "job", "instance", "listener"), variables.keySet());
    assertEquals("datasource", variables.get("datasource").path("type").asText());
    assertEquals("prometheus", variables.get("datasource").path("query").asText());
    for (String name : List.of("job", "instance", "listener")) {
      JsonNode variable = variables.get(name);
      assertEquals(DATASOURCE_VARIABLE, variable.at("/datasource/uid").asText(), name);
      assertTrue(variable.path("includeAll").asBoolean(), name + " offers All");
      assertEquals(".*", variable.path("allValue").asText(), name + ": All is .*");
    }
    // Every variable a query uses is one the dashboard defines, or one of Grafana's.
    Set<String> builtIns = Set.of("__rate_interval", "__interval", "__range");
    Pattern used = Pattern.compile("\\$\\{?(\\w+)");
    for (Query query : DashboardQueries.all()) {
      Matcher matcher = used.matcher(query.expr());
      while (matcher.find()) {
        String name = matcher.group(1);
        assertTrue(
            variables.containsKey(name) || builtIns.contains(name),
            query + " uses undefined $" + name);
      }
    }
    assertEquals("usher-overview", DASHBOARD.path("uid").asText());
  }

  @Test
  void provisioningLoadsThePrometheusDatasourceAndTheDashboardDirectory() {
    JsonNode datasources =
        DeployFiles.yaml(
            DeployFiles.path("deploy/grafana/provisioning/datasources/prometheus.yml"));
    assertEquals(1, datasources.path("apiVersion").asInt());
    JsonNode datasource = datasources.at("/datasources/0");
    assertEquals("prometheus", datasource.path("type").asText());
    assertEquals("proxy", datasource.path("access").asText());
    assertFalse(datasource.path("url").asText().isBlank(), "datasource url");
    String defaultDatasource = DASHBOARD.at("/templating/list/0/current/value").asText();
    assertEquals(
        datasource.path("uid").asText(),
        defaultDatasource,
        "the dashboard's default data source is the provisioned one");

    JsonNode dashboards =
        DeployFiles.yaml(DeployFiles.path("deploy/grafana/provisioning/dashboards/usher.yml"));
    assertEquals(1, dashboards.path("apiVersion").asInt());
    JsonNode provider = dashboards.at("/providers/0");
    assertEquals("file", provider.path("type").asText());
    assertEquals(GRAFANA_DASHBOARDS_MOUNT, provider.at("/options/path").asText());
  }
}
