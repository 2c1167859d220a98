package dev.usher.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The load-test scripts never run an earlier build: their shared {@code ensure_jar} builds the jar
 * when it is missing or older than a file it is built from, in a copy of the project whose build
 * only records that it ran.
 */
class StaleJarTest {
  private static final Path LIB = Path.of("..", "deploy", "loadtest", "lib.sh");
  private static final Instant JAR_TIME = Instant.parse("2026-01-02T00:00:00Z");

  @TempDir Path project;

  @ParameterizedTest(name = "{0} changed after the jar was built: built {1}")
  @CsvSource({
    "server/src/main/java/Main.java, true",
    "config/usher-defaults.conf, true",
    "server/pom.xml, true",
    "benchmarks/src/main/java/Bench.java, true",
    "server/src/test/java/MainTest.java, false",
    "README.md, false",
  })
  void buildsWhenAFileTheJarIsBuiltFromIsNewer(String changed, boolean built) throws Exception {
    Path jar = layOutProject();
    Path file = project.resolve(changed);
    Files.createDirectories(file.getParent());
    Files.writeString(file, "changed\n");
    Files.setLastModifiedTime(file, FileTime.from(JAR_TIME.plus(Duration.ofMinutes(1))));

    assertEquals(built, ensureJarBuilds(Map.of()), "built after a change to " + changed);
    assertTrue(Files.exists(jar));
  }

  @Test
  void buildsAMissingJar() throws Exception {
    Files.delete(layOutProject());
    assertTrue(ensureJarBuilds(Map.of()));
  }

  @Test
  void runsAJarNamedInTheEnvironmentAsItIs() throws Exception {
    Path jar = layOutProject();
    Path source = project.resolve("server/src/main/java/Main.java");
    Files.setLastModifiedTime(source, FileTime.from(JAR_TIME.plus(Duration.ofMinutes(1))));
    assertEquals(false, ensureJarBuilds(Map.of("USHER_JAR", jar.toString())));
  }

  /** A project with one source, older than its jar, and a build that records that it ran. */
  private Path layOutProject() throws IOException {
    Path lib = project.resolve("deploy/loadtest/lib.sh");
    Files.createDirectories(lib.getParent());
    Files.copy(LIB, lib, StandardCopyOption.REPLACE_EXISTING);
    Path source = project.resolve("server/src/main/java/Main.java");
    Files.createDirectories(source.getParent());
    Files.writeString(source, "class Main {}\n");
    Files.setLastModifiedTime(source, FileTime.from(JAR_TIME.minus(Duration.ofMinutes(1))));
    Path build = project.resolve("mvnw");
    Files.writeString(build, "#!/bin/sh\ntouch built server/target/usher-server.jar\n");
    build.toFile().setExecutable(true);
    Path jar = project.resolve("server/target/usher-server.jar");
    Files.createDirectories(jar.getParent());
    Files.writeString(jar, "jar\n");
    Files.setLastModifiedTime(jar, FileTime.from(JAR_TIME));
    return jar;
  }

  private boolean ensureJarBuilds(Map<String, String> environment) throws Exception {
    ProcessBuilder bash =
        new ProcessBuilder(
                List.of("bash", "-c", "source deploy/loadtest/lib.sh && ensure_jar >/dev/null"))
            .directory(project.toFile())
            .redirectErrorStream(true);
    bash.environment().remove("USHER_JAR");
    bash.environment().putAll(environment);
    Process process = bash.start();
    String output = new String(process.getInputStream().readAllBytes());
    assertTrue(process.waitFor(30, TimeUnit.SECONDS), "ensure_jar did not finish");
    assertEquals(0, process.exitValue(), output);
    return Files.exists(project.resolve("built"));
  }
}
