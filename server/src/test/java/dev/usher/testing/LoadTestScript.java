package dev.usher.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A script of {@code deploy/loadtest/}, run as a user runs it (from a module of this build, so the
 * scripts are one level up) against the packaged usher jar and this JDK, bounded in time.
 */
public final class LoadTestScript {
  private static final Path DIRECTORY = Path.of("..", "deploy", "loadtest");

  private LoadTestScript() {}

  /** How a script ended: its exit status, and all it printed (standard output and error). */
  public record Finished(int exitStatus, String output) {}

  /** The programs every script needs: skips the calling test (fails it under CI) without them. */
  public static void requireWhatEveryScriptUses() {
    ExternalTools.require("python3", "python3");
    ExternalTools.require("curl", "curl");
    ExternalTools.require("taskset", "util-linux");
  }

  /**
   * Runs {@code bash deploy/loadtest/SCRIPT ARGUMENTS...} with {@code environment} on top of this
   * one's (without {@code USHER_OPTS}), its output going to {@code log}. A script still running
   * after {@code limit} is stopped (SIGTERM, so its trap stops what it started) and fails the test.
   */
  public static Finished run(
      String script, Map<String, String> environment, Duration limit, Path log, String... arguments)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("bash", DIRECTORY.resolve(script).toString()));
    command.addAll(List.of(arguments));
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().remove("USHER_OPTS");
    builder.environment().put("USHER_JAR", UsherProcess.jar().toAbsolutePath().toString());
    builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
    builder.environment().putAll(environment);
    Process process = builder.start();
    if (!process.waitFor(limit.toSeconds(), TimeUnit.SECONDS)) {
      process.destroy(); // SIGTERM: the script's trap stops what it started
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
      }
      throw new AssertionError(
          script + " still ran after " + limit + ":\n" + Files.readString(log));
    }
    return new Finished(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
  }
}
