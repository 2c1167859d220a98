package dev.usher.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.usher.testing.ExternalTools;
import dev.usher.testing.ExternalTools.Result;
import dev.usher.testing.RunningServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * deploy/container/ReadinessProbe.java, the image's HEALTHCHECK, against a real usher: healthy
 * while it is ready, unhealthy once it drains or is gone.
 */
class ReadinessProbeTest {
  private static final Path PROBE = DeployFiles.path("deploy/container/ReadinessProbe.java");

  @Test
  void exitsZeroWhileUsherIsReadyAndOneOnceItStopped() throws Exception {
    String url;
    try (RunningServer server = RunningServer.start()) {
      url = server.adminUri("/health/ready").toString();
      Result ready = probe(url);
      assertEquals(0, ready.exitCode(), ready.output());
      server.stop();
      Result stopped = probe(url);
      assertEquals(1, stopped.exitCode(), stopped.output());
      assertTrue(stopped.output().contains("readiness probe: " + url), stopped.output());
    }
  }

  @Test
  void exitsOneWhenTheEndpointAnswersAnythingButOk() throws Exception {
    try (RunningServer server = RunningServer.start()) {
      Result notFound = probe(server.adminUri("/no-such-endpoint").toString());
      assertEquals(1, notFound.exitCode(), notFound.output());
      assertTrue(notFound.output().contains("answered HTTP/1.1 404"), notFound.output());
    }
  }

  private static Result probe(String url) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return ExternalTools.run(
        Duration.ofMinutes(1),
        Map.of("USHER_HEALTHCHECK_URL", url),
        null,
        List.of(java, PROBE.toString()));
  }
}
