package dev.usher.deploy;

import dev.usher.testing.ExternalTools;
import dev.usher.testing.ExternalTools.Result;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * podman as the container tests run it: with deploy/container/containers.conf (runc, no default
 * ulimits: what Debian's podman needs on a machine like CI's) unless CONTAINERS_CONF names another
 * file.
 */
final class Podman {
  private final Path executable;
  private final Map<String, String> environment;

  private Podman(Path executable, Map<String, String> environment) {
    this.executable = executable;
    this.environment = environment;
  }

  /**
   * podman, once it is known to work here: skips the test (fails it under CI) where podman or runc
   * is missing or podman cannot run.
   */
  static Podman require() {
    Path podman = ExternalTools.require("podman", "podman runc");
    ExternalTools.require("runc", "runc");
    String configured = System.getenv("CONTAINERS_CONF");
    Map<String, String> environment =
        Map.of(
            "CONTAINERS_CONF",
            configured != null
                ? configured
                : DeployFiles.path("deploy/container/containers.conf").toString());
    Podman found = new Podman(podman, environment);
    Result info = found.run(Duration.ofMinutes(1), "info", "--format", "{{.Host.OCIRuntime.Name}}");
    ExternalTools.requireThat(
        info.exitCode() == 0,
        "podman cannot run here: " + info.output().strip(),
        "apt-get install podman runc debootstrap, as root, with CONTAINERS_CONF=deploy/container/containers.conf");
    return found;
  }

  Map<String, String> environment() {
    return environment;
  }

  Result run(Duration timeout, String... arguments) {
    return run(timeout, List.of(arguments));
  }

  Result run(Duration timeout, List<String> arguments) {
    List<String> command = new ArrayList<>();
    command.add(executable.toString());
    command.addAll(arguments);
    return ExternalTools.run(timeout, environment, DeployFiles.root(), command);
  }

  boolean imageExists(String image) {
    return run(Duration.ofMinutes(1), "image", "exists", image).exitCode() == 0;
  }
}
