package dev.usher.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.usher.testing.ExternalTools;
import dev.usher.testing.RawConnection;
import dev.usher.testing.SocketStatistics;
import dev.usher.testing.UsherProcess;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Socket activation as systemd does it, played by {@code socket_activate.py}: it binds the
 * listening sockets, lets clients queue in the kernel before usher exists, then execs usher with
 * the sockets at fd 3 and 4 and {@code LISTEN_FDS}, {@code LISTEN_PID}, {@code LISTEN_FDNAMES} set.
 * usher serves what was queued, and a set of sockets that does not fit is one line and exit 2.
 */
class SocketActivationIT {
  private static final Pattern SOCKET_LINE =
      Pattern.compile("socket-activate: (\\S+) 127\\.0\\.0\\.1:(\\d+)");
  private static final int QUEUED_CLIENTS = 40;
  private static final String REQUEST = "GET / HTTP/1.1\r\nHost: usher\r\n\r\n";

  @TempDir Path directory;

  @Test
  void servesTheConnectionsQueuedInTheKernelBeforeUsherStarted() throws Exception {
    Path go = directory.resolve("go");
    try (UsherProcess usher =
        activated(
            List.of("--listen", "main=127.0.0.1:0", "--listen", "admin=127.0.0.1:0"),
            go,
            UsherProcess.onLoopback())) {
      int mainPort = boundPort(usher, "main");
      int adminPort = boundPort(usher, "admin");
      InetSocketAddress main = new InetSocketAddress("127.0.0.1", mainPort);
      List<RawConnection> queued = new ArrayList<>();
      try {
        for (int client = 0; client < QUEUED_CLIENTS; client++) {
          queued.add(RawConnection.open(main).send(REQUEST));
        }
        RawConnection readiness =
            RawConnection.open(new InetSocketAddress("127.0.0.1", adminPort))
                .send("GET /health/ready HTTP/1.1\r\nHost: usher\r\n\r\n");
        queued.add(readiness);
        // Every handshake is done, and the kernel holds them: nothing has accepted yet.
        assertEquals(QUEUED_CLIENTS, SocketStatistics.listener(mainPort).depth());
        assertTrue(
            usher.output().stream().allMatch(line -> line.startsWith("socket-activate:")),
            usher.outputText());

        Files.createFile(go);
        assertEquals(mainPort, usher.awaitAccepting());
        usher.awaitLine(
            line ->
                line.contains(
                    "socket activation: adopted the listening sockets [admin, main] (fds [4, 3])"
                        + " from systemd, matched by name (LISTEN_FDNAMES)"),
            Duration.ofSeconds(10));
        for (RawConnection client : queued.subList(0, QUEUED_CLIENTS)) {
          assertEquals(200, client.readResponse().status());
        }
        assertEquals(200, readiness.readResponse().status());
        assertTrue(
            usher.output().stream()
                .anyMatch(line -> line.contains("admin listener bound (socket activation)")),
            usher.outputText());
      } finally {
        for (RawConnection client : queued) {
          client.close();
        }
      }
      usher.sigterm();
      assertEquals(0, usher.awaitExit(Duration.ofSeconds(30)), usher.outputText());
    }
  }

  @Test
  void aSocketOnAnotherPortThanConfiguredIsOneLineAndExitTwo() throws Exception {
    try (UsherProcess usher =
        activated(
            List.of("--listen", "main=127.0.0.1:0", "--listen", "admin=127.0.0.1:0"),
            null,
            UsherProcess.onLoopback("-Dserver.port=1"))) {
      int mainPort = boundPort(usher, "main");
      assertEquals(2, usher.awaitExit(Duration.ofSeconds(30)), usher.outputText());
      String expected =
          "usher: invalid configuration: server.port = 1: systemd's socket activation (LISTEN_FDS"
              + " = 2, LISTEN_FDNAMES = main:admin) listens on port "
              + mainPort
              + "; set server.port to "
              + mainPort
              + " (or 0), or change the .socket unit's ListenStream=";
      assertTrue(usher.output().contains(expected), usher.outputText());
    }
  }

  @Test
  void anUnnamedSocketOnNeitherPortIsOneLineAndExitTwo() throws Exception {
    try (UsherProcess usher =
        activated(
            List.of("--no-names", "--listen", "main=127.0.0.1:0", "--listen", "admin=127.0.0.1:0"),
            null,
            UsherProcess.onLoopback())) {
      int mainPort = boundPort(usher, "main");
      assertEquals(2, usher.awaitExit(Duration.ofSeconds(30)), usher.outputText());
      String expected =
          "usher: invalid configuration: LISTEN_FDS = 2: descriptor 3 listens on port "
              + mainPort
              + ", which is neither server.port = 0 nor admin.port = 0; name it main or admin"
              + " (FileDescriptorName= in its .socket unit), or set the port to match";
      assertTrue(usher.output().contains(expected), usher.outputText());
    }
  }

  @Test
  void aUnixSocketOrAMissingListenerIsOneLineAndExitTwo() throws Exception {
    try (UsherProcess usher =
        activated(
            List.of(
                "--listen",
                "main=127.0.0.1:0",
                "--unix",
                "admin=" + directory.resolve("admin.sock")),
            null,
            UsherProcess.onLoopback())) {
      assertEquals(2, usher.awaitExit(Duration.ofSeconds(30)), usher.outputText());
      assertTrue(
          usher
              .output()
              .contains(
                  "usher: invalid configuration: LISTEN_FDS = 2: descriptor 4 (named admin in"
                      + " LISTEN_FDNAMES) is not a listening TCP socket; socket activation for"
                      + " usher needs ListenStream= sockets (Accept=no)"),
          usher.outputText());
    }
    try (UsherProcess usher =
        activated(List.of("--listen", "main=127.0.0.1:0"), null, UsherProcess.onLoopback())) {
      assertEquals(2, usher.awaitExit(Duration.ofSeconds(30)), usher.outputText());
      assertTrue(
          usher
              .output()
              .contains(
                  "usher: invalid configuration: LISTEN_FDS = 1: systemd passed no socket for the"
                      + " admin listener, which needs one: named admin"
                      + " (FileDescriptorName=admin) or listening on admin.port = 0"),
          usher.outputText());
    }
  }

  /** usher started by {@code socket_activate.py}, which first binds {@code sockets}. */
  private static UsherProcess activated(List<String> sockets, Path go, List<String> jvmOptions)
      throws Exception {
    Path python = ExternalTools.require("python3", "python3");
    List<String> launcher = new ArrayList<>(List.of(python.toString(), script().toString()));
    launcher.addAll(sockets);
    if (go != null) {
      launcher.add("--go-file");
      launcher.add(go.toString());
    }
    launcher.add("--");
    return UsherProcess.startThrough(launcher, jvmOptions, Map.of());
  }

  private static Path script() throws Exception {
    return Path.of(SocketActivationIT.class.getResource("socket_activate.py").toURI());
  }

  private static int boundPort(UsherProcess usher, String name) throws InterruptedException {
    String line =
        usher.awaitLine(
            candidate -> candidate.startsWith("socket-activate: " + name + " "),
            Duration.ofSeconds(30));
    Matcher matcher = SOCKET_LINE.matcher(line);
    assertTrue(matcher.find(), line);
    return Integer.parseInt(matcher.group(2));
  }
}
