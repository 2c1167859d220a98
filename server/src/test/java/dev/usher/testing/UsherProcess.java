package dev.usher.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * usher as a user runs it: {@code java -jar server/target/usher-server.jar} in a child process,
 * with its output collected line by line. For what only a process shows: exit codes, signals, the
 * lines an operator reads.
 */
public final class UsherProcess implements AutoCloseable {
  private static final Pattern BOUND_PORT = Pattern.compile("server listener bound: \\S*:(\\d+) ");
  private static final Pattern ADMIN_PORT = Pattern.compile("admin listener bound: \\S*:(\\d+) ");

  private final Process process;
  private final List<String> output = new CopyOnWriteArrayList<>();
  private final Thread outputReader;

  private UsherProcess(Process process) {
    this.process = process;
    this.outputReader =
        Thread.ofPlatform()
            .daemon()
            .name("usher-process-output")
            .start(
                () -> {
                  try (BufferedReader reader =
                      new BufferedReader(
                          new InputStreamReader(
                              process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                      output.add(line);
                    }
                  } catch (IOException closed) {
                    // The process ended; what it printed is in output.
                  }
                });
  }

  /**
   * The JVM options that put both listeners on 127.0.0.1 on ports the kernel picks, followed by
   * {@code more}.
   */
  public static List<String> onLoopback(String... more) {
    List<String> options =
        new ArrayList<>(
            List.of(
                "-Dserver.host=127.0.0.1",
                "-Dserver.port=0",
                "-Dadmin.host=127.0.0.1",
                "-Dadmin.port=0"));
    options.addAll(List.of(more));
    return options;
  }

  /** The shaded jar that {@code package} builds; integration tests run after it. */
  public static Path jar() {
    Path jar = Path.of(System.getProperty("usher.test.jar", "target/usher-server.jar"));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: run the tests with ./mvnw verify");
    }
    return jar;
  }

  /**
   * Starts {@code java [jvmOptions] -jar usher-server.jar [args]} with {@code environment} added to
   * this process's environment (minus any USHER-relevant variables of the caller).
   */
  public static UsherProcess start(
      List<String> jvmOptions, Map<String, String> environment, String... args) throws IOException {
    return startThrough(List.of(), jvmOptions, environment, args);
  }

  /**
   * Like {@link #start}, with {@code launcher} in front of {@code java}: {@code setpriv
   * --reuid=65534 ...} to run usher as another user, say.
   */
  public static UsherProcess startThrough(
      List<String> launcher,
      List<String> jvmOptions,
      Map<String, String> environment,
      String... args)
      throws IOException {
    List<String> command = new ArrayList<>(launcher);
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-jar");
    command.add(jar().toAbsolutePath().toString());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder
        .environment()
        .keySet()
        .removeIf(name -> name.matches("(SERVER|HTTP|ADMIN|LIFECYCLE|SHUTDOWN|LOG|METRICS)_.*"));
    builder.environment().putAll(environment);
    return new UsherProcess(builder.start());
  }

  /** Waits for a line matching {@code condition}; fails with everything printed so far. */
  public String awaitLine(Predicate<String> condition, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      for (String line : output) {
        if (condition.test(line)) {
          return line;
        }
      }
      if (!process.isAlive() && output.stream().noneMatch(condition)) {
        process.waitFor(1, TimeUnit.SECONDS);
        throw new AssertionError(
            "usher exited with "
                + process.exitValue()
                + " before printing the expected line:\n"
                + String.join("\n", output));
      }
      Thread.sleep(20);
    }
    throw new AssertionError(
        "no expected line within " + timeout + ":\n" + String.join("\n", output));
  }

  /** Waits until the server is accepting and returns its main port. */
  public int awaitAccepting() throws InterruptedException {
    String bound = awaitLine(line -> BOUND_PORT.matcher(line).find(), Duration.ofSeconds(30));
    awaitLine(line -> line.contains("accepting connections on"), Duration.ofSeconds(30));
    return port(BOUND_PORT, bound);
  }

  /** The admin port, once the admin listener is bound. */
  public int adminPort() throws InterruptedException {
    return port(
        ADMIN_PORT, awaitLine(line -> ADMIN_PORT.matcher(line).find(), Duration.ofSeconds(30)));
  }

  private static int port(Pattern pattern, String line) {
    Matcher matcher = pattern.matcher(line);
    if (!matcher.find()) {
      throw new AssertionError("no port in " + line);
    }
    return Integer.parseInt(matcher.group(1));
  }

  /** Waits for the exit and returns its status; fails if it does not come in time. */
  public int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError(
          "usher still running after " + timeout + ":\n" + String.join("\n", output));
    }
    outputReader.join(TimeUnit.SECONDS.toMillis(5));
    return process.exitValue();
  }

  /** Sends SIGTERM, as {@code kill} or Kubernetes does; the output is still collected after it. */
  public void sigterm() {
    // Through the handle: Process.destroy() also closes the output pipe, losing the drain's lines.
    process.toHandle().destroy();
  }

  public void sigint() throws IOException, InterruptedException {
    new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start().waitFor();
  }

  public List<String> output() {
    return List.copyOf(output);
  }

  public String outputText() {
    return String.join("\n", output);
  }

  public long pid() {
    return process.pid();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
