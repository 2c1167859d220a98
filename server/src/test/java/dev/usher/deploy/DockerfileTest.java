package dev.usher.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Dockerfile and .dockerignore, read as text: what must hold even where no container engine
 * runs (ContainerImageIT builds and runs the image where podman does).
 */
class DockerfileTest {
  private static final List<String> INSTRUCTIONS =
      instructions(DeployFiles.read(DeployFiles.path("Dockerfile")));

  @Test
  void baseImagesAreBuildArguments() {
    List<String> froms = withKeyword("FROM");
    assertEquals(2, froms.size(), "a build stage and a final stage: " + froms);
    assertTrue(froms.get(0).startsWith("FROM ${BUILD_IMAGE} AS build"), froms.get(0));
    assertEquals("FROM ${RUNTIME_IMAGE}", froms.get(1));
    int firstFrom = INSTRUCTIONS.indexOf(froms.get(0));
    Set<String> globalArgs = new HashSet<>();
    INSTRUCTIONS
        .subList(0, firstFrom)
        .forEach(line -> globalArgs.add(line.replaceFirst("^ARG (\\w+)=.*$", "$1")));
    assertEquals(Set.of("BUILD_IMAGE", "RUNTIME_IMAGE"), globalArgs);
  }

  @Test
  void finalStageRunsJavaAsPidOneAsANumericNonRootUser() throws Exception {
    List<String> finalStage = finalStage();
    String user = single(finalStage, "USER");
    Matcher numeric = Pattern.compile("USER (\\d+)(?::(\\d+))?").matcher(user);
    assertTrue(
        numeric.matches(), "numeric USER, so Kubernetes' runAsNonRoot can check it: " + user);
    assertFalse("0".equals(numeric.group(1)), "not root");

    JsonNode entrypoint =
        DeployFiles.JSON.readTree(
            single(finalStage, "ENTRYPOINT").substring("ENTRYPOINT ".length()));
    assertTrue(entrypoint.isArray(), "exec-form ENTRYPOINT, so SIGTERM reaches the JVM");
    assertEquals("java", entrypoint.get(0).asText());
    assertTrue(entrypoint.toString().contains("\"-jar\""), entrypoint.toString());
    assertEquals("EXPOSE 8080 8081", single(finalStage, "EXPOSE"));
    assertEquals("STOPSIGNAL SIGTERM", single(finalStage, "STOPSIGNAL"));
  }

  @Test
  void healthcheckNeedsNoCurlOrWget() throws Exception {
    String healthcheck = single(finalStage(), "HEALTHCHECK");
    String command = healthcheck.substring(healthcheck.indexOf("CMD ") + 4);
    JsonNode exec = DeployFiles.JSON.readTree(command);
    assertEquals("java", exec.get(0).asText(), healthcheck);
    assertTrue(exec.toString().contains("ReadinessProbe"), healthcheck);
    assertFalse(healthcheck.contains("curl") || healthcheck.contains("wget"), healthcheck);
  }

  @Test
  void logsJsonAndSizesTheHeapFromTheContainer() {
    assertTrue(finalStage().contains("ENV LOG_FORMAT=json"), "JSON logs by default");
    Set<String> keys = new HashSet<>();
    ConfigFactory.parseFile(DeployFiles.path("config/usher-defaults.conf").toFile())
        .entrySet()
        .forEach(
            entry -> keys.add(entry.getKey().toUpperCase().replace('.', '_').replace('-', '_')));
    assertTrue(keys.contains("LOG_FORMAT"), "LOG_FORMAT is the env form of log.format");
    String jvmOptions = DeployFiles.read(DeployFiles.path("deploy/container/jvm.options"));
    assertTrue(
        jvmOptions.lines().anyMatch(line -> line.startsWith("-XX:MaxRAMPercentage=")), jvmOptions);
    assertTrue(
        single(finalStage(), "ENTRYPOINT").contains("@/opt/usher/jvm.options"),
        "the entrypoint reads jvm.options");
  }

  @Test
  void saysHowToMountACertificateForTlsWithUshersOwnVariables() {
    String dockerfile = DeployFiles.read(DeployFiles.path("Dockerfile"));
    Matcher mount = Pattern.compile("-v \"[^\"]+:(/[^\":]+):ro\"").matcher(dockerfile);
    assertTrue(mount.find(), "a read-only mount of the certificate's directory");
    Set<String> keys = new HashSet<>();
    ConfigFactory.parseFile(DeployFiles.path("config/usher-defaults.conf").toFile())
        .entrySet()
        .forEach(
            entry -> keys.add(entry.getKey().toUpperCase().replace('.', '_').replace('-', '_')));
    for (String variable : List.of("SERVER_TLS_CERTIFICATE", "SERVER_TLS_PRIVATE_KEY")) {
      assertTrue(keys.contains(variable), variable + " is one of usher's variables");
      Matcher set = Pattern.compile("-e " + variable + "=(\\S+)").matcher(dockerfile);
      assertTrue(set.find(), "the Dockerfile's comment sets " + variable);
      assertTrue(
          set.group(1).startsWith(mount.group(1) + "/"),
          variable + " names a file in the mounted directory: " + set.group(1));
    }
  }

  @Test
  void carriesOciLabels() {
    String labels = String.join("\n", withKeyword("LABEL"));
    for (String label :
        List.of("title", "description", "version", "revision", "created", "base.name")) {
      assertTrue(labels.contains("org.opencontainers.image." + label + "="), label);
    }
  }

  @Test
  void everyCopiedFileExistsAndPassesTheDockerignore() {
    List<String> allowed = new ArrayList<>();
    for (String line : DeployFiles.read(DeployFiles.path(".dockerignore")).lines().toList()) {
      if (line.startsWith("!")) {
        allowed.add(line.substring(1));
      }
    }
    List<String> problems = new ArrayList<>();
    for (String copy : withKeyword("COPY")) {
      if (copy.startsWith("COPY --from=")) {
        continue;
      }
      String[] parts = copy.split("\\s+");
      for (int i = 1; i < parts.length - 1; i++) {
        String source = parts[i];
        if (!Files.exists(DeployFiles.root().resolve(source))) {
          problems.add(source + " does not exist");
        }
        if (allowed.stream().noneMatch(source::startsWith)) {
          problems.add(source + " is excluded by .dockerignore");
        }
      }
    }
    assertEquals(List.of(), problems);
  }

  private static List<String> finalStage() {
    String lastFrom = withKeyword("FROM").getLast();
    return INSTRUCTIONS.subList(INSTRUCTIONS.indexOf(lastFrom), INSTRUCTIONS.size());
  }

  private static String single(List<String> instructions, String keyword) {
    List<String> found =
        instructions.stream().filter(line -> line.startsWith(keyword + " ")).toList();
    assertEquals(1, found.size(), "one " + keyword + ": " + found);
    return found.getFirst();
  }

  private static List<String> withKeyword(String keyword) {
    return INSTRUCTIONS.stream().filter(line -> line.startsWith(keyword + " ")).toList();
  }

  /** The Dockerfile's instructions, comments dropped and continuation lines joined. */
  private static List<String> instructions(String dockerfile) {
    List<String> instructions = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : dockerfile.lines().toList()) {
      String trimmed = line.strip();
      if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.isEmpty())) {
        continue;
      }
      if (trimmed.endsWith("\\")) {
        current.append(trimmed, 0, trimmed.length() - 1).append(' ');
        continue;
      }
      current.append(trimmed);
      instructions.add(current.toString().replaceAll("\\s+", " ").strip());
      current.setLength(0);
    }
    return instructions;
  }
}
