package dev.usher.deploy;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.usher.testing.ExternalTools;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kubernetes-pods job of deploy/prometheus/prometheus.yml, relabelling included, run by a real
 * Prometheus (Debian package prometheus). Debian's build has no Kubernetes discovery, so the pods
 * come from a file with the labels Kubernetes discovery would give them; everything after discovery
 * is the file's own configuration.
 */
class PodDiscoveryRelabelingTest {
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @Test
  void scrapesAnnotatedRunningPodsOnTheAnnotatedPortAsJobUsher(@TempDir Path scratch)
      throws Exception {
    Path prometheus = ExternalTools.require("prometheus", "prometheus");
    ObjectNode config =
        (ObjectNode) DeployFiles.yaml(DeployFiles.path("deploy/prometheus/prometheus.yml"));
    config.remove("rule_files");
    ArrayNode jobs = (ArrayNode) config.get("scrape_configs");
    for (int i = jobs.size() - 1; i >= 0; i--) {
      ObjectNode job = (ObjectNode) jobs.get(i);
      if (!job.has("kubernetes_sd_configs")) {
        jobs.remove(i);
        continue;
      }
      job.remove("kubernetes_sd_configs");
      job.putArray("file_sd_configs")
          .addObject()
          .putArray("files")
          .add(scratch.resolve("pods.json").toString());
    }
    DeployFiles.YAML.writeValue(scratch.resolve("prometheus.yml").toFile(), config);
    DeployFiles.JSON.writeValue(
        scratch.resolve("pods.json").toFile(),
        List.of(
            pod(
                "usher-a",
                "10.1.2.3:8080",
                Map.of("scrape", "true", "port", "8081", "path", "/metrics"),
                "Running",
                "usher"),
            pod(
                "usher-b",
                "[fd00::7]:8080",
                Map.of("scrape", "true", "port", "8081"),
                "Running",
                "usher"),
            pod(
                "usher-c",
                "10.1.2.5:8080",
                Map.of("scrape", "true", "port", "8081"),
                "Pending",
                "usher"),
            pod("other", "10.1.2.9:9100", Map.of(), "Running", "node-exporter")));

    int port = freePort();
    Process server =
        new ProcessBuilder(
                prometheus.toString(),
                "--config.file=" + scratch.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + scratch.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port)
            .redirectErrorStream(true)
            .redirectOutput(scratch.resolve("prometheus.log").toFile())
            .start();
    try {
      URI targets = URI.create("http://127.0.0.1:" + port + "/api/v1/targets?state=any");
      JsonNode data =
          await("Prometheus' targets")
              .atMost(Duration.ofSeconds(60))
              .pollInterval(Duration.ofMillis(250))
              .ignoreExceptions()
              .until(
                  () -> DeployFiles.JSON.readTree(get(targets)).path("data"),
                  found -> found.path("activeTargets").size() == 2);

      Map<String, String> scraped = new TreeMap<>();
      for (JsonNode target : data.path("activeTargets")) {
        JsonNode labels = target.path("labels");
        scraped.put(
            labels.path("pod").asText(),
            labels.path("job").asText()
                + " "
                + target.path("scrapeUrl").asText()
                + " "
                + labels.path("namespace").asText());
      }
      assertEquals(
          Map.of(
              "usher-a", "usher http://10.1.2.3:8081/metrics shop",
              "usher-b", "usher http://[fd00::7]:8081/metrics shop"),
          scraped);
      assertEquals(
          2,
          data.path("droppedTargets").size(),
          "the pending pod and the pod without annotations are dropped");
    } finally {
      server.destroy();
      if (!server.waitFor(20, TimeUnit.SECONDS)) {
        server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  /** A file_sd target group carrying the labels Kubernetes' pod discovery gives a pod. */
  private static Map<String, Object> pod(
      String name, String address, Map<String, String> annotations, String phase, String app) {
    Map<String, String> labels = new TreeMap<>();
    labels.put("__meta_kubernetes_namespace", "shop");
    labels.put("__meta_kubernetes_pod_name", name);
    labels.put("__meta_kubernetes_pod_ip", address.replaceAll("^\\[?([^\\]]+?)\\]?:\\d+$", "$1"));
    labels.put("__meta_kubernetes_pod_phase", phase);
    labels.put("__meta_kubernetes_pod_container_name", "usher");
    labels.put("__meta_kubernetes_pod_node_name", "node-1");
    labels.put("__meta_kubernetes_pod_label_app_kubernetes_io_name", app);
    annotations.forEach(
        (key, value) -> labels.put("__meta_kubernetes_pod_annotation_prometheus_io_" + key, value));
    return Map.of("targets", List.of(address), "labels", labels);
  }

  private String get(URI uri) throws IOException, InterruptedException {
    return http.send(
            HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
