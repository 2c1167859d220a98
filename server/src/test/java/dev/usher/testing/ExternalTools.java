package dev.usher.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * The rule for tests that need a program from outside the JVM (promtool, podman, yamllint, ...):
 * where the program is missing, the test is skipped with a message naming the Debian package that
 * provides it; under CI ({@code CI=true}) the same absence fails the test, so a CI run can never
 * pass by skipping what it was meant to check.
 */
public final class ExternalTools {
  private ExternalTools() {}

  /** Whether this run is CI's: the environment variable CI is {@code true}. */
  public static boolean ci() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  /** The program's path on PATH, if there is one. */
  public static Optional<Path> find(String program) {
    return find(program, System.getenv("PATH"));
  }

  static Optional<Path> find(String program, String path) {
    if (path == null) {
      return Optional.empty();
    }
    return Stream.of(path.split(File.pathSeparator))
        .filter(dir -> !dir.isEmpty())
        .map(dir -> Path.of(dir, program))
        .filter(candidate -> Files.isRegularFile(candidate) && Files.isExecutable(candidate))
        .findFirst();
  }

  /**
   * The program's path; where it is missing, skips the calling test (fails it under CI) with
   * "apt-get install {@code debianPackage}" in the message.
   */
  public static Path require(String program, String debianPackage) {
    return require(program, debianPackage, System.getenv("PATH"), ci());
  }

  static Path require(String program, String debianPackage, String path, boolean ci) {
    Optional<Path> found = find(program, path);
    if (found.isEmpty()) {
      unavailable(program + " is not on PATH", "apt-get install " + debianPackage, ci);
    }
    return found.orElseThrow();
  }

  /**
   * For a need that is more than one program on PATH (podman that can actually run a container,
   * say): where {@code available} is false, skips the calling test (fails it under CI) with {@code
   * what} and {@code remedy} in the message.
   */
  public static void requireThat(boolean available, String what, String remedy) {
    if (!available) {
      unavailable(what, remedy, ci());
    }
  }

  private static void unavailable(String what, String remedy, boolean ci) {
    String message = what + " (" + remedy + ")";
    if (ci) {
      fail("CI=true, and this test needs it: " + message);
    }
    Assumptions.abort("skipped: " + message + "; under CI=true this fails");
  }

  /** What a finished command did: its exit status and its standard output and error, merged. */
  public record Result(List<String> command, int exitCode, String output) {
    /** Fails unless the command exited 0, with the command and everything it printed. */
    public Result assertSucceeded() {
      if (exitCode != 0) {
        fail(String.join(" ", command) + " exited " + exitCode + ":\n" + output);
      }
      return this;
    }
  }

  /**
   * Runs {@code command} to its end (fails the test past {@code timeout}); never throws on a
   * non-zero exit.
   */
  public static Result run(Duration timeout, List<String> command) {
    return run(timeout, Map.of(), null, command);
  }

  /**
   * Runs {@code command} in {@code directory} (null: the test's working directory) with {@code
   * environment} added to this process's, and waits at most {@code timeout} for it to end; past
   * that the command is killed and the test fails with what it printed.
   */
  public static Result run(
      Duration timeout, Map<String, String> environment, Path directory, List<String> command) {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(environment);
    if (directory != null) {
      builder.directory(directory.toFile());
    }
    Process process;
    try {
      process = builder.start();
    } catch (IOException cannotStart) {
      throw new UncheckedIOException("cannot start " + String.join(" ", command), cannotStart);
    }
    CompletableFuture<String> output =
        CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        fail(
            String.join(" ", command)
                + " did not finish within "
                + timeout
                + ":\n"
                + output.completeOnTimeout("(output unreadable)", 5, TimeUnit.SECONDS).get());
      }
      return new Result(
          List.copyOf(command), process.exitValue(), output.get(10, TimeUnit.SECONDS));
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new IllegalStateException(
          "interrupted while running " + String.join(" ", command), interrupted);
    } catch (ExecutionException | TimeoutException unreadable) {
      throw new IllegalStateException(
          "cannot read the output of " + String.join(" ", command), unreadable);
    }
  }

  private static String readAll(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException closed) {
      throw new UncheckedIOException(closed);
    }
  }
}
