package dev.usher.deploy;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.usher.testing.ExternalTools;
import dev.usher.testing.ExternalTools.Result;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * usher's image as an operator gets it: built by podman from the repository's Dockerfile (on the
 * local base images of deploy/container/build-local-base.sh, since no registry is reachable here),
 * run as Kubernetes runs it (read-only root, a /tmp volume, no capabilities, no privilege
 * escalation), its ports published on 127.0.0.1; then stopped with SIGTERM, which it must drain and
 * exit 0 from.
 *
 * <p>Skipped where podman cannot run (podman, runc, debootstrap are Debian packages), never under
 * CI=true. About 1 to 2 minutes here once the base images exist; making them adds about 1.
 */
class ContainerImageIT {
  private static final String BUILD_BASE = "localhost/usher-build-base:25";
  private static final String RUNTIME_BASE = "localhost/usher-runtime-base:25";
  private static final String RUN_ID = UUID.randomUUID().toString().substring(0, 8);
  private static final String IMAGE = "localhost/usher-it:" + RUN_ID;

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static Podman podman;
  private static final List<String> containers = new ArrayList<>();

  @BeforeAll
  static void buildTheImage() {
    podman = Podman.require();
    long started = System.nanoTime();
    if (!podman.imageExists(BUILD_BASE) || !podman.imageExists(RUNTIME_BASE)) {
      ExternalTools.require("debootstrap", "debootstrap");
      ExternalTools.requireThat(
          "root".equals(System.getProperty("user.name")),
          "making the local base images needs root (debootstrap)",
          "run as root, or run deploy/container/build-local-base.sh as root once");
      ExternalTools.run(
              Duration.ofMinutes(8),
              podman.environment(),
              DeployFiles.root(),
              List.of("bash", DeployFiles.path("deploy/container/build-local-base.sh").toString()))
          .assertSucceeded();
      System.out.printf("ContainerImageIT: base images made in %d s%n", secondsSince(started));
    }
    long building = System.nanoTime();
    podman
        .run(
            Duration.ofMinutes(8),
            "build",
            "--format",
            "docker",
            "--layers=false",
            "--build-arg",
            "BUILD_IMAGE=" + BUILD_BASE,
            "--build-arg",
            "RUNTIME_IMAGE=" + RUNTIME_BASE,
            "--build-arg",
            "REVISION=container-image-it",
            "--tag",
            IMAGE,
            "--file",
            "Dockerfile",
            ".")
        .assertSucceeded();
    System.out.printf("ContainerImageIT: image %s built in %d s%n", IMAGE, secondsSince(building));
  }

  @AfterAll
  static void removeWhatWasStarted() {
    if (podman == null) {
      return;
    }
    for (String container : containers) {
      podman.run(Duration.ofMinutes(1), "rm", "--force", "--time", "0", container);
    }
    podman.run(Duration.ofMinutes(1), "rmi", "--force", IMAGE);
  }

  @Test
  void servesTrafficHealthAndMetricsThenDrainsOnSigtermAndExitsZero() throws Exception {
    String container =
        start(
            "--read-only",
            "--tmpfs",
            "/tmp:rw,exec,nosuid,nodev,size=64m",
            "--cap-drop",
            "ALL",
            "--security-opt",
            "no-new-privileges",
            "--publish",
            "127.0.0.1::8080",
            "--publish",
            "127.0.0.1::8081",
            IMAGE);
    URI main = URI.create("http://" + publishedAddress(container, 8080));
    URI admin = URI.create("http://" + publishedAddress(container, 8081));

    await("readiness of " + container)
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptions()
        .until(() -> get(admin.resolve("/health/ready")).statusCode() == 200);

    HttpResponse<String> hello = get(main.resolve("/"));
    assertEquals(200, hello.statusCode());
    assertEquals("hello from usher\n", hello.body());
    assertEquals(200, get(admin.resolve("/health/live")).statusCode());
    HttpResponse<String> metrics = get(admin.resolve("/metrics"));
    assertEquals(200, metrics.statusCode());
    assertTrue(metrics.body().contains("server_connections_accepted_total"), metrics.body());

    // The image's HEALTHCHECK (the compiled ReadinessProbe), run inside the container.
    podman.run(Duration.ofMinutes(1), "healthcheck", "run", container).assertSucceeded();

    podman.run(Duration.ofMinutes(2), "stop", "--time", "40", container).assertSucceeded();
    String exitCode =
        podman
            .run(Duration.ofMinutes(1), "inspect", "--format", "{{.State.ExitCode}}", container)
            .assertSucceeded()
            .output()
            .strip();
    String logs = podman.run(Duration.ofMinutes(1), "logs", container).assertSucceeded().output();
    assertEquals("0", exitCode, "exit status after SIGTERM; logs:\n" + logs);
    assertTrue(logs.contains("stopped:"), "the drain summary line; logs:\n" + logs);
    for (String line : logs.lines().filter(line -> line.startsWith("{")).toList()) {
      JsonNode entry = DeployFiles.JSON.readTree(line);
      assertTrue(entry.has("level") && entry.has("formattedMessage"), "a JSON log line: " + line);
    }
    assertTrue(
        logs.lines()
            .anyMatch(line -> line.startsWith("{") && line.contains("accepting connections")),
        "JSON logs by default:\n" + logs);
  }

  @Test
  void takesConfigurationFromTheEnvironmentAndAMountedFile(@TempDir Path scratch)
      throws IOException {
    Path file = scratch.resolve("usher.conf");
    Files.writeString(file, "server.idle-timeout = 42s\n");
    Result printed =
        podman.run(
            Duration.ofMinutes(2),
            "run",
            "--rm",
            "--read-only",
            "--env",
            "SERVER_MAX_CONNECTIONS=123",
            "--volume",
            file.toAbsolutePath() + ":/etc/usher/usher.conf:ro,Z",
            IMAGE,
            "--config",
            "/etc/usher/usher.conf",
            "--print-config");
    printed.assertSucceeded();
    assertTrue(
        printed
            .output()
            .contains(
                "server.max-connections = 123  # environment variable SERVER_MAX_CONNECTIONS"),
        printed.output());
    assertTrue(
        printed.output().contains("server.idle-timeout = 42s  # file /etc/usher/usher.conf"),
        printed.output());
    assertTrue(
        printed.output().contains("log.format = json  # environment variable LOG_FORMAT"),
        printed.output());
  }

  @Test
  void theImagesJavaCanUseTheAheadOfTimeCacheItsBuildTrained() {
    // AOTMode=on turns "the cache does not fit, start without it" into a failed start, so this
    // fails if the training run left no cache or one this JDK and jar cannot use.
    Result started =
        podman.run(
            Duration.ofMinutes(2),
            "run",
            "--rm",
            "--read-only",
            "--entrypoint",
            "java",
            IMAGE,
            "@/opt/usher/jvm.options",
            "-XX:AOTCache=/opt/usher/usher.aot",
            "-XX:AOTMode=on",
            "-jar",
            "/opt/usher/usher-server.jar",
            "--print-config");
    started.assertSucceeded();
    assertTrue(started.output().contains("server.port = 8080"), started.output());
  }

  @Test
  void imageRunsAsANumericNonRootUserWithAHealthcheckAndOciLabels() throws IOException {
    String inspected =
        podman
            .run(Duration.ofMinutes(1), "image", "inspect", "--format", "{{json .Config}}", IMAGE)
            .assertSucceeded()
            .output();
    JsonNode config = DeployFiles.JSON.readTree(inspected);
    assertEquals("10001:10001", config.path("User").asText());
    assertTrue(
        config.path("ExposedPorts").has("8080/tcp") && config.path("ExposedPorts").has("8081/tcp"),
        config.toString());
    assertEquals(
        "java", config.at("/Entrypoint/0").asText(), "exec-form ENTRYPOINT: java is PID 1");
    String healthcheck =
        podman
            .run(
                Duration.ofMinutes(1),
                "image",
                "inspect",
                "--format",
                "{{json .HealthCheck}}",
                IMAGE)
            .assertSucceeded()
            .output();
    assertTrue(
        healthcheck.contains("ReadinessProbe"),
        "HEALTHCHECK runs the ReadinessProbe: " + healthcheck);
    assertTrue(config.path("Env").toString().contains("LOG_FORMAT=json"), config.toString());
    JsonNode labels = config.path("Labels");
    for (String label : List.of("title", "description", "version", "revision", "base.name")) {
      assertTrue(
          labels.has("org.opencontainers.image." + label),
          "label org.opencontainers.image." + label + " in " + labels);
    }
    assertEquals("container-image-it", labels.path("org.opencontainers.image.revision").asText());
  }

  private static String start(String... arguments) {
    String name = "usher-it-" + RUN_ID + "-" + containers.size();
    containers.add(name);
    List<String> command = new ArrayList<>(List.of("run", "--detach", "--name", name));
    command.addAll(List.of(arguments));
    podman.run(Duration.ofMinutes(2), command).assertSucceeded();
    return name;
  }

  /** host:port that podman published the container's port on. */
  private static String publishedAddress(String container, int port) {
    String published =
        podman
            .run(Duration.ofMinutes(1), "port", container, port + "/tcp")
            .assertSucceeded()
            .output()
            .strip();
    assertTrue(published.startsWith("127.0.0.1:"), "published on loopback only: " + published);
    return published.lines().findFirst().orElseThrow();
  }

  private static HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static long secondsSince(long nanos) {
    return Duration.ofNanos(System.nanoTime() - nanos).toSeconds();
  }
}
