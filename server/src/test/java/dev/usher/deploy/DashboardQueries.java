package dev.usher.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PromQL of usher's Grafana dashboard (deploy/grafana/dashboards/usher.json), panel by panel,
 * as Grafana writes it and as Prometheus can run it: Grafana's variables ($job, $__rate_interval,
 * ...) replaced by values. For tests that run every dashboard query against a real Prometheus.
 */
public final class DashboardQueries {
  /** Where the dashboard lives in the repository. */
  public static final String DASHBOARD = "deploy/grafana/dashboards/usher.json";

  /**
   * Values for Grafana's built-in interval variables, and ".*" for the dashboard's own variables
   * (job, instance, listener are all used with =~, so ".*" is "All").
   */
  public static final Map<String, String> DEFAULT_VARIABLES =
      Map.of(
          "__rate_interval",
          "1m",
          "__interval",
          "15s",
          "__range",
          "1h",
          "job",
          ".*",
          "instance",
          ".*",
          "listener",
          ".*");

  // $name, ${name} and ${name:format}, Grafana's three spellings of a variable.
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{(\\w+)(?::\\w+)?}|\\$(\\w+)");

  /** One query of one panel. */
  public record Query(String panel, String refId, String expr) {
    /** The expression with the {@link #DEFAULT_VARIABLES}. */
    public String promql() {
      return promql(DEFAULT_VARIABLES);
    }

    /** The expression with each variable replaced by its value in {@code variables}. */
    public String promql(Map<String, String> variables) {
      return substitute(expr, variables);
    }

    @Override
    public String toString() {
      return panel + " [" + refId + "]";
    }
  }

  private DashboardQueries() {}

  /** Every query of every panel, rows' nested panels included, in the dashboard's order. */
  public static List<Query> all() {
    return all(DeployFiles.path(DASHBOARD));
  }

  static List<Query> all(Path dashboard) {
    List<Query> queries = new ArrayList<>();
    for (JsonNode panel : panels(DeployFiles.json(dashboard))) {
      for (JsonNode target : panel.path("targets")) {
        queries.add(
            new Query(
                panel.path("title").asText(),
                target.path("refId").asText(),
                target.path("expr").asText("")));
      }
    }
    return queries;
  }

  /** Every dashboard expression, ready for Prometheus (with {@link #DEFAULT_VARIABLES}). */
  public static List<String> expressions() {
    return all().stream().map(Query::promql).toList();
  }

  /** The panels of a dashboard, with the panels that collapsed rows hold. */
  static List<JsonNode> panels(JsonNode dashboard) {
    List<JsonNode> panels = new ArrayList<>();
    for (JsonNode panel : dashboard.path("panels")) {
      panels.add(panel);
      panel.path("panels").forEach(panels::add);
    }
    return panels;
  }

  static String substitute(String expr, Map<String, String> variables) {
    Matcher matcher = VARIABLE.matcher(expr);
    StringBuilder result = new StringBuilder();
    while (matcher.find()) {
      String name = matcher.group(1) != null ? matcher.group(1) : matcher.group(2);
      String value = variables.get(name);
      if (value == null) {
        throw new IllegalArgumentException("no value for $" + name + " in: " + expr);
      }
      matcher.appendReplacement(result, Matcher.quoteReplacement(value));
    }
    matcher.appendTail(result);
    return result.toString();
  }
}
