package dev.usher.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The kernel's socket table as {@code ss} (iproute2) shows it: an observer usher does not control.
 */
public final class SocketStatistics {
  private SocketStatistics() {}

  /** Recv-Q (queue depth) and Send-Q (backlog) of the TCP listener on {@code port}. */
  public record ListenerQueue(int depth, int backlog) {}

  public static ListenerQueue listener(int port) throws IOException, InterruptedException {
    List<ListenerQueue> listeners = listeners(port);
    if (listeners.size() != 1) {
      throw new AssertionError("expected one listener on port " + port + ", ss shows " + listeners);
    }
    return listeners.getFirst();
  }

  /** Every listening socket on {@code port} (several with SO_REUSEPORT). */
  public static List<ListenerQueue> listeners(int port) throws IOException, InterruptedException {
    return rows("ss", "-Hltn", "sport = :" + port).stream()
        .map(row -> row.trim().split("\\s+"))
        .map(columns -> new ListenerQueue(Integer.parseInt(columns[1]), Integer.parseInt(columns[2])))
        .toList();
  }

  /** Established TCP connections whose local port is {@code port}. */
  public static int establishedTo(int port) throws IOException, InterruptedException {
    return rows("ss", "-Htn", "state", "established", "sport = :" + port).size();
  }

  private static List<String> rows(String... command) throws IOException, InterruptedException {
    ExternalTools.require("ss", "iproute2");
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new AssertionError(String.join(" ", command) + " failed: " + output);
    }
    return output.lines().filter(line -> !line.isBlank()).toList();
  }
}
