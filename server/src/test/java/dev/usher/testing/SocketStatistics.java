package dev.usher.testing;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

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
        .map(
            columns ->
                new ListenerQueue(Integer.parseInt(columns[1]), Integer.parseInt(columns[2])))
        .toList();
  }

  /** Bytes received by the server's sockets on {@code port} that it has not read yet (Recv-Q). */
  public static int unreadAtServer(int port) throws IOException, InterruptedException {
    return rows("ss", "-Htn", "state", "established", "sport = :" + port).stream()
        .mapToInt(row -> Integer.parseInt(row.trim().split("\\s+")[0]))
        .sum();
  }

  /** Established TCP connections whose local port is {@code port}. */
  public static int establishedTo(int port) throws IOException, InterruptedException {
    return rows("ss", "-Htn", "state", "established", "sport = :" + port).size();
  }

  private static List<String> rows(String... command) {
    ExternalTools.require("ss", "iproute2");
    return ExternalTools.run(Duration.ofSeconds(10), List.of(command))
        .assertSucceeded()
        .output()
        .lines()
        .filter(line -> !line.isBlank())
        .toList();
  }
}
