package dev.usher.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.usher.testing.ExternalTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * deploy/compose.yaml: valid for Compose, every file it mounts or builds from exists, every port on
 * 127.0.0.1, and the three services wired to each other. Also lints every YAML file of deploy/.
 */
class ComposeFileTest {
  private static final Path DEPLOY = DeployFiles.path("deploy");
  private static final Path COMPOSE = DeployFiles.path("deploy/compose.yaml");
  private static final JsonNode SERVICES = DeployFiles.yaml(COMPOSE).get("services");

  @Test
  void composeAcceptsTheFile() {
    Path compose = ExternalTools.require("docker-compose", "docker-compose");
    ExternalTools.run(
            Duration.ofMinutes(1),
            Map.of(),
            DEPLOY,
            List.of(compose.toString(), "-f", COMPOSE.toString(), "config", "--quiet"))
        .assertSucceeded();
  }

  @Test
  void everyYamlFileUnderDeployPassesYamllint() {
    Path yamllint = ExternalTools.require("yamllint", "yamllint");
    ExternalTools.run(
            Duration.ofMinutes(1),
            Map.of(),
            DeployFiles.root(),
            List.of(yamllint.toString(), "--strict", "-c", "deploy/.yamllint", "deploy/"))
        .assertSucceeded();
  }

  @Test
  void servesUsherPrometheusAndGrafanaOnLoopbackOnly() {
    assertEquals(Set.of("usher", "prometheus", "grafana"), names(SERVICES));
    List<String> exposed = new ArrayList<>();
    SERVICES.forEach(
        service ->
            service
                .path("ports")
                .forEach(
                    port -> {
                      if (!port.asText().startsWith("127.0.0.1:")) {
                        exposed.add(port.asText());
                      }
                    }));
    assertEquals(List.of(), exposed, "ports published beyond 127.0.0.1");
  }

  @Test
  void everyMountedFileAndTheBuildContextExist() {
    List<String> missing = new ArrayList<>();
    SERVICES.forEach(
        service ->
            service
                .path("volumes")
                .forEach(
                    volume -> {
                      String source = volume.asText().split(":")[0];
                      if (source.startsWith(".") && !Files.exists(DEPLOY.resolve(source))) {
                        missing.add(source);
                      }
                    }));
    JsonNode build = SERVICES.at("/usher/build");
    Path context = DEPLOY.resolve(build.path("context").asText()).normalize();
    Path dockerfile = context.resolve(build.path("dockerfile").asText("Dockerfile"));
    if (!Files.isRegularFile(dockerfile)) {
      missing.add(dockerfile.toString());
    }
    assertEquals(List.of(), missing);
    assertEquals(DeployFiles.root(), context, "usher is built from the repository root");
  }

  @Test
  void usherBuildArgumentsAreTheDockerfilesBaseImageArguments() {
    Set<String> args = names(SERVICES.at("/usher/build/args"));
    assertEquals(Set.of("BUILD_IMAGE", "RUNTIME_IMAGE"), args);
    String dockerfile = DeployFiles.read(DeployFiles.path("Dockerfile"));
    args.forEach(
        arg ->
            assertTrue(dockerfile.contains("ARG " + arg + "="), "Dockerfile declares ARG " + arg));
  }

  @Test
  void prometheusLoadsTheConfigurationAndTheAlertsBesideIt() {
    Map<String, String> mounts = mounts(SERVICES.get("prometheus"));
    assertEquals("./prometheus/prometheus.yml", mounts.get("/etc/prometheus/prometheus.yml"));
    // rule_files are relative to the configuration file: alerts.yml must sit beside it.
    assertEquals("./prometheus/alerts.yml", mounts.get("/etc/prometheus/alerts.yml"));
    String command = SERVICES.at("/prometheus/command").toString();
    assertTrue(command.contains("--config.file=/etc/prometheus/prometheus.yml"), command);
    // The static target is the usher service's admin port.
    JsonNode config = DeployFiles.yaml(DeployFiles.path("deploy/prometheus/prometheus.yml"));
    assertTrue(config.toString().contains("\"usher:8081\""), "prometheus.yml targets usher:8081");
    assertTrue(
        SERVICES.at("/usher/ports").toString().contains(":8081\""),
        "usher publishes its admin port");
  }

  @Test
  void grafanaGetsTheProvisioningAndTheDashboards() {
    Map<String, String> mounts = mounts(SERVICES.get("grafana"));
    assertEquals("./grafana/provisioning", mounts.get("/etc/grafana/provisioning"));
    assertEquals("./grafana/dashboards", mounts.get(GrafanaDashboardTest.GRAFANA_DASHBOARDS_MOUNT));
    assertEquals(
        "http://prometheus:9090", SERVICES.at("/grafana/environment/PROMETHEUS_URL").asText());
    String datasources =
        DeployFiles.read(
            DeployFiles.path("deploy/grafana/provisioning/datasources/prometheus.yml"));
    assertTrue(
        datasources.contains("${PROMETHEUS_URL}"),
        "the datasource's url comes from PROMETHEUS_URL");
  }

  @Test
  void usherGetsMoreTimeToStopThanItsDrainNeeds() {
    JsonNode usher = SERVICES.get("usher");
    Duration grace = KubernetesManifestsTest.duration(usher.path("stop_grace_period").asText());
    Duration preStop =
        KubernetesManifestsTest.duration(usher.at("/environment/SHUTDOWN_PRE_STOP_DELAY").asText());
    Duration drain =
        KubernetesManifestsTest.duration(usher.at("/environment/SHUTDOWN_DRAIN_TIMEOUT").asText());
    assertTrue(
        grace.compareTo(preStop.plus(drain)) > 0,
        "stop_grace_period " + grace + " > " + preStop + " + " + drain);
  }

  private static Map<String, String> mounts(JsonNode service) {
    Map<String, String> mounts = new HashMap<>();
    service
        .path("volumes")
        .forEach(
            volume -> {
              String[] parts = volume.asText().split(":");
              mounts.put(parts[1], parts[0]);
            });
    return mounts;
  }

  private static Set<String> names(JsonNode object) {
    Set<String> names = new java.util.TreeSet<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
