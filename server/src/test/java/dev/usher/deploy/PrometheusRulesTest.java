package dev.usher.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/prometheus: the scrape configuration and the alerts, checked and unit-tested by promtool,
 * and held to what an operator needs from each alert.
 */
class PrometheusRulesTest {
  private static final Path PROMETHEUS_DIR = DeployFiles.path("deploy/prometheus");
  private static final Path CONFIG = PROMETHEUS_DIR.resolve("prometheus.yml");
  private static final Path ALERTS = PROMETHEUS_DIR.resolve("alerts.yml");
  private static final Path ALERT_TESTS = PROMETHEUS_DIR.resolve("alerts.test.yml");

  @Test
  void scrapeConfigurationPassesPromtoolCheckConfig(@TempDir Path scratch) throws IOException {
    Promtool.require();
    Path config = CONFIG;
    if (!Promtool.supportsKubernetesDiscovery(scratch)) {
      // Debian's promtool has no Kubernetes discovery: check a copy whose pod discovery is a static
      // target, so that everything else in that job (its relabelling) is still checked.
      System.out.println(
          "promtool has no kubernetes_sd_configs (Debian's build): checking the kubernetes-pods"
              + " job's relabel_configs with a static target in its place");
      ObjectNode copy = (ObjectNode) DeployFiles.yaml(CONFIG);
      for (JsonNode job : copy.withArray("scrape_configs")) {
        if (job.has("kubernetes_sd_configs")) {
          assertEquals("pod", job.at("/kubernetes_sd_configs/0/role").asText(), "pod discovery");
          ((ObjectNode) job).remove("kubernetes_sd_configs");
          ((ObjectNode) job)
              .putArray("static_configs")
              .addObject()
              .putArray("targets")
              .add("pod:8081");
        }
      }
      config = scratch.resolve("prometheus.yml");
      DeployFiles.YAML.writeValue(config.toFile(), copy);
      Files.copy(ALERTS, scratch.resolve("alerts.yml"));
    }
    Promtool.run(scratch, "check", "config", config.toString()).assertSucceeded();
  }

  @Test
  void alertRulesPassPromtoolCheckRules() {
    Promtool.run(PROMETHEUS_DIR, "check", "rules", ALERTS.toString()).assertSucceeded();
  }

  @Test
  void alertRulesPassTheirPromtoolUnitTests() {
    Promtool.run(PROMETHEUS_DIR, "test", "rules", ALERT_TESTS.toString()).assertSucceeded();
  }

  @Test
  void everyAlertHasASeveritySummaryDescriptionAndRunbook() {
    List<String> problems = new ArrayList<>();
    for (JsonNode rule : alertRules()) {
      String alert = rule.get("alert").asText();
      String severity = rule.at("/labels/severity").asText("");
      if (!Set.of("critical", "warning", "info").contains(severity)) {
        problems.add(
            alert + ": severity is '" + severity + "' (expected: critical, warning or info)");
      }
      for (String annotation : List.of("summary", "description", "runbook")) {
        if (rule.at("/annotations/" + annotation).asText("").isBlank()) {
          problems.add(alert + ": no " + annotation + " annotation");
        }
      }
    }
    assertEquals(List.of(), problems);
  }

  @Test
  void everyAlertIsUnitTestedFiringAndNotFiring() {
    Set<String> firing = new HashSet<>();
    Set<String> notFiring = new HashSet<>();
    for (JsonNode test : DeployFiles.yaml(ALERT_TESTS).get("tests")) {
      for (JsonNode alertTest : test.path("alert_rule_test")) {
        String name = alertTest.get("alertname").asText();
        (alertTest.path("exp_alerts").isEmpty() ? notFiring : firing).add(name);
      }
    }
    List<String> problems = new ArrayList<>();
    for (JsonNode rule : alertRules()) {
      String alert = rule.get("alert").asText();
      if (!firing.contains(alert)) {
        problems.add(alert + " is never tested firing");
      }
      if (!notFiring.contains(alert)) {
        problems.add(alert + " is never tested not firing");
      }
    }
    assertEquals(List.of(), problems);
  }

  @Test
  void alertsUseOnlyUshersMetricNames() {
    Map<String, Set<String>> unknown = new LinkedHashMap<>();
    for (JsonNode rule : alertRules()) {
      Set<String> names = UsherMetricNames.unknownIn(rule.get("expr").asText());
      if (!names.isEmpty()) {
        unknown.put(rule.get("alert").asText(), names);
      }
    }
    assertEquals(Map.of(), unknown, "metric names outside UsherMetricNames");
  }

  @Test
  void alertsCoverTheAcceptPathTlsHttp2OverloadTheRuntimeAndAvailability() {
    Set<String> alerts = new HashSet<>();
    alertRules().forEach(rule -> alerts.add(rule.get("alert").asText()));
    assertEquals(
        Set.of(
            "UsherListenQueueNearLimit",
            "UsherListenQueueOverflow",
            "UsherRefusingAtConnectionLimit",
            "UsherAcceptErrors",
            "UsherAcceptQueueWaitHigh",
            "UsherTlsCertificateExpiresSoon",
            "UsherTlsCertificateReloadFailed",
            "UsherTlsHandshakeFailuresHigh",
            "UsherHttp2ClientsCutOff",
            "UsherSheddingRequests",
            "UsherRefusingConnectionsUnderOverload",
            "UsherEventLoopLagHigh",
            "UsherFileDescriptorsNearLimit",
            "UsherDown",
            "UsherAbsent"),
        alerts);
  }

  @Test
  void scrapeConfigurationFindsUsherInComposeAndInKubernetes() {
    JsonNode config = DeployFiles.yaml(CONFIG);
    assertTrue(contains(config.get("rule_files"), "alerts.yml"), "rule_files names alerts.yml");

    JsonNode compose = job(config, "usher");
    assertTrue(
        contains(compose.at("/static_configs/0/targets"), "usher:8081"),
        "compose target usher:8081");
    assertEquals("/metrics", compose.path("metrics_path").asText("/metrics"));

    JsonNode pods = job(config, "kubernetes-pods");
    assertEquals("pod", pods.at("/kubernetes_sd_configs/0/role").asText());
    Map<String, String> relabelTargets = new LinkedHashMap<>();
    boolean keepsOnlyAnnotated = false;
    for (JsonNode relabel : pods.get("relabel_configs")) {
      String sources = relabel.path("source_labels").toString();
      if ("keep".equals(relabel.path("action").asText())
          && sources.contains("__meta_kubernetes_pod_annotation_prometheus_io_scrape")
          && "true".equals(relabel.path("regex").asText())) {
        keepsOnlyAnnotated = true;
      }
      if (relabel.has("target_label")) {
        relabelTargets.merge(relabel.get("target_label").asText(), sources, String::concat);
      }
    }
    assertTrue(keepsOnlyAnnotated, "keeps only pods annotated prometheus.io/scrape: \"true\"");
    assertTrue(
        relabelTargets.getOrDefault("__metrics_path__", "").contains("prometheus_io_path"),
        "path from prometheus.io/path");
    assertTrue(
        relabelTargets.getOrDefault("__address__", "").contains("prometheus_io_port"),
        "port from prometheus.io/port");
    assertTrue(
        relabelTargets.getOrDefault("job", "").contains("app_kubernetes_io_name"),
        "job from app.kubernetes.io/name");
    assertFalse(
        relabelTargets.getOrDefault("namespace", "").isEmpty(),
        "a namespace label (prometheus-adapter needs it)");
    assertFalse(
        relabelTargets.getOrDefault("pod", "").isEmpty(),
        "a pod label (prometheus-adapter needs it)");
  }

  private static List<JsonNode> alertRules() {
    List<JsonNode> rules = new ArrayList<>();
    for (JsonNode group : DeployFiles.yaml(ALERTS).get("groups")) {
      group.get("rules").forEach(rules::add);
    }
    return rules;
  }

  private static JsonNode job(JsonNode config, String name) {
    for (JsonNode job : config.get("scrape_configs")) {
      if (name.equals(job.path("job_name").asText())) {
        return job;
      }
    }
    throw new AssertionError("no scrape job " + name);
  }

  private static boolean contains(JsonNode array, String value) {
    if (array instanceof ArrayNode items) {
      for (JsonNode item : items) {
        if (value.equals(item.asText())) {
          return true;
        }
      }
    }
    return false;
  }
}
