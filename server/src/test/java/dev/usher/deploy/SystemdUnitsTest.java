package dev.usher.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.usher.config.ConfigLoader;
import dev.usher.config.KernelNetworkSettings;
import dev.usher.config.UsherConfig;
import dev.usher.testing.ExternalTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/systemd's unit pair: systemd accepts both ({@code systemd-analyze verify}), and the
 * sockets are the ports of usher's defaults, since usher matches unnamed sockets by port.
 */
class SystemdUnitsTest {
  private static final Path SOCKET = DeployFiles.path("deploy/systemd/usher.socket");
  private static final Path SERVICE = DeployFiles.path("deploy/systemd/usher.service");
  private static final String JAVA_IN_UNIT = "ExecStart=/usr/bin/java ";

  @TempDir Path directory;

  @Test
  void systemdAcceptsTheSocketAndServiceUnits() throws Exception {
    Path analyze = ExternalTools.require("systemd-analyze", "systemd");
    Files.copy(SOCKET, directory.resolve("usher.socket"));
    // verify checks that ExecStart's program exists: this JDK's java stands in for the installed
    // one.
    String service = Files.readString(SERVICE);
    assertTrue(service.contains(JAVA_IN_UNIT), "usher.service lacks " + JAVA_IN_UNIT);
    Files.writeString(
        directory.resolve("usher.service"),
        service.replace(
            JAVA_IN_UNIT,
            "ExecStart=" + Path.of(System.getProperty("java.home"), "bin", "java") + " "));
    ExternalTools.Result verified =
        ExternalTools.run(
            Duration.ofMinutes(1),
            Map.of(),
            directory,
            List.of(analyze.toString(), "verify", "./usher.socket", "./usher.service"));
    verified.assertSucceeded();
    assertEquals("", verified.output().strip(), "systemd-analyze verify complained");
  }

  @Test
  void theSocketsListenOnTheServerAndAdminPortsOfUshersDefaults() throws Exception {
    UsherConfig defaults =
        new ConfigLoader(Map.of(), new Properties(), KernelNetworkSettings.read())
            .load(Optional.empty())
            .config();
    List<String> listen =
        Files.readAllLines(SOCKET).stream()
            .filter(line -> line.startsWith("ListenStream="))
            .map(line -> line.substring("ListenStream=".length()))
            .toList();
    assertEquals(
        List.of(
            Integer.toString(defaults.server().port()), Integer.toString(defaults.admin().port())),
        listen);
  }

  @Test
  void aBadConfigurationIsNotRestartedAndTheDrainHasTimeToFinish() throws Exception {
    UsherConfig defaults =
        new ConfigLoader(Map.of(), new Properties(), KernelNetworkSettings.read())
            .load(Optional.empty())
            .config();
    List<String> lines = Files.readAllLines(SERVICE);
    assertTrue(lines.contains("RestartPreventExitStatus=2"), "exit 2 must not be restarted");
    long stopSeconds =
        lines.stream()
            .filter(line -> line.startsWith("TimeoutStopSec="))
            .mapToLong(line -> Long.parseLong(line.substring("TimeoutStopSec=".length())))
            .findFirst()
            .orElseThrow();
    Duration drain = defaults.shutdown().preStopDelay().plus(defaults.shutdown().drainTimeout());
    assertTrue(
        Duration.ofSeconds(stopSeconds).compareTo(drain) > 0,
        "TimeoutStopSec=" + stopSeconds + " must exceed the default drain, " + drain);
  }
}
