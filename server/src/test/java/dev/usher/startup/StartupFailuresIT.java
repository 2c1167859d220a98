package dev.usher.startup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.usher.testing.UsherProcess;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What an operator sees when usher cannot bind: exit status 1 and one error line that says why
 * (port in use, address not on this host, privileged port) and what to do; never a stack trace.
 */
class StartupFailuresIT {
  private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(60);
  private static final int EXIT_START_FAILED = 1;
  private static final String CANNOT_START = "usher cannot start: ";
  private static final int NOBODY = 65534;
  private static final Path PROC_SYS = Path.of("/proc/sys");
  // A frame, a cause, or a throwable's first line ("java.net.BindException: ...", "Exception in").
  private static final Pattern STACK_TRACE_LINE =
      Pattern.compile(
          "^(\\tat |\\t\\.\\.\\. \\d+ more|Caused by: |Exception in thread |[\\w.$]+(Exception|Error)(: |$))");

  @ParameterizedTest(name = "server.transport = {0}")
  @ValueSource(strings = {"auto", "nio"})
  void aServerPortInUseExits1WithOneLineSayingSo(String transport) throws Exception {
    try (ServerSocket occupant = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      int port = occupant.getLocalPort();

      try (UsherProcess usher =
          UsherProcess.start(
              List.of(
                  "-Dserver.transport=" + transport,
                  "-Dserver.host=127.0.0.1",
                  "-Dserver.port=" + port,
                  "-Dadmin.host=127.0.0.1",
                  "-Dadmin.port=0"),
              Map.of())) {
        assertEquals(EXIT_START_FAILED, usher.awaitExit(EXIT_TIMEOUT), usher.outputText());
        assertEquals(
            "cannot bind server listener on 127.0.0.1:"
                + port
                + ": port "
                + port
                + " is already in use by another process (find it with: ss -ltnp 'sport = :"
                + port
                + "'); stop it or choose another server.port",
            theOneStartFailure(usher));
      }
    }
  }

  @Test
  void anAdminPortInUseExits1AndNamesTheAdminPortKey() throws Exception {
    try (ServerSocket occupant = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      int port = occupant.getLocalPort();

      try (UsherProcess usher =
          UsherProcess.start(
              List.of(
                  "-Dserver.host=127.0.0.1",
                  "-Dserver.port=0",
                  "-Dadmin.host=127.0.0.1",
                  "-Dadmin.port=" + port),
              Map.of())) {
        assertEquals(EXIT_START_FAILED, usher.awaitExit(EXIT_TIMEOUT), usher.outputText());
        String failure = theOneStartFailure(usher);
        assertTrue(
            failure.startsWith(
                "cannot bind admin listener on 127.0.0.1:"
                    + port
                    + ": port "
                    + port
                    + " is already in use"),
            failure);
        assertTrue(failure.endsWith("; stop it or choose another admin.port"), failure);
      }
    }
  }

  @Test
  void anAddressNotOnThisHostExits1SayingSo() throws Exception {
    String foreign = "192.0.2.1";
    assumeFalse(
        NetworkInterface.getByInetAddress(InetAddress.getByName(foreign)) != null,
        foreign + " (TEST-NET-1) is configured on this host");
    assumeFalse(
        readSysctl("net/ipv4/ip_nonlocal_bind").equals("1"),
        "net.ipv4.ip_nonlocal_bind = 1 lets any address be bound");

    try (UsherProcess usher =
        UsherProcess.start(
            List.of(
                "-Dserver.host=" + foreign,
                "-Dserver.port=0",
                "-Dadmin.host=127.0.0.1",
                "-Dadmin.port=0"),
            Map.of())) {
      assertEquals(EXIT_START_FAILED, usher.awaitExit(EXIT_TIMEOUT), usher.outputText());
      assertEquals(
          "cannot bind server listener on 192.0.2.1:0: address 192.0.2.1 is not on this host"
              + " (EADDRNOTAVAIL); use one of its addresses (ip -brief address) or 0.0.0.0 for all",
          theOneStartFailure(usher));
    }
  }

  @Test
  void aHostNameThatDoesNotResolveExits1SayingSo() throws Exception {
    String unresolvable = "no-such-host.invalid";
    assumeTrue(doesNotResolve(unresolvable), "this host's resolver answers for " + unresolvable);

    try (UsherProcess usher =
        UsherProcess.start(
            List.of(
                "-Dserver.host=" + unresolvable,
                "-Dserver.port=0",
                "-Dadmin.host=127.0.0.1",
                "-Dadmin.port=0"),
            Map.of())) {
      assertEquals(EXIT_START_FAILED, usher.awaitExit(EXIT_TIMEOUT), usher.outputText());
      assertEquals(
          "cannot bind server listener on no-such-host.invalid:0: host no-such-host.invalid does not"
              + " resolve to an address (check its spelling and DNS)",
          theOneStartFailure(usher));
    }
  }

  @Test
  void aPrivilegedPortExits1SayingItIsPrivileged() throws Exception {
    int port = 80;
    String unprivilegedStart = readSysctl("net/ipv4/ip_unprivileged_port_start");
    assumeTrue(
        !unprivilegedStart.isEmpty() && Integer.parseInt(unprivilegedStart) > port,
        "port "
            + port
            + " is not privileged here (net.ipv4.ip_unprivileged_port_start = '"
            + unprivilegedStart
            + "')");
    List<String> launcher = unprivilegedLauncher();

    try (UsherProcess usher =
        UsherProcess.startThrough(
            launcher,
            List.of(
                "-Dserver.host=127.0.0.1",
                "-Dserver.port=" + port,
                "-Dadmin.host=127.0.0.1",
                "-Dadmin.port=0"),
            Map.of())) {
      assertEquals(EXIT_START_FAILED, usher.awaitExit(EXIT_TIMEOUT), usher.outputText());
      assertEquals(
          "cannot bind server listener on 127.0.0.1:80: port 80 is privileged (below"
              + " net.ipv4.ip_unprivileged_port_start); run with CAP_NET_BIND_SERVICE or choose a port"
              + " of 1024 or more",
          theOneStartFailure(usher));
      assertTrue(
          usher.output().stream()
              .anyMatch(
                  line ->
                      line.contains(" WARN ")
                          && line.endsWith(
                              "configuration: server.port = 80 is a privileged port (1-1023): binding it"
                                  + " needs root or CAP_NET_BIND_SERVICE")),
          "the privileged-port warning is logged:\n" + usher.outputText());
    }
  }

  /**
   * The one error line of a failed start, after {@code usher cannot start: }; fails if there is no
   * such line, more than one error, or a stack trace.
   */
  private static String theOneStartFailure(UsherProcess usher) {
    List<String> output = usher.output();
    List<String> failures = output.stream().filter(line -> line.contains(CANNOT_START)).toList();
    assertEquals(1, failures.size(), "one 'usher cannot start' line:\n" + usher.outputText());
    assertEquals(
        1, output.stream().filter(line -> line.contains(" ERROR ")).count(), usher.outputText());
    assertTrue(
        output.stream().noneMatch(line -> STACK_TRACE_LINE.matcher(line).find()),
        "no stack trace:\n" + usher.outputText());
    String line = failures.getFirst();
    assertTrue(line.contains(" ERROR "), line);
    String reason = line.substring(line.indexOf(CANNOT_START) + CANNOT_START.length());
    assertEquals(
        1,
        output.stream().filter(("usher: cannot start: " + reason)::equals).count(),
        "one line on stderr:\n" + usher.outputText());
    return reason;
  }

  /**
   * Runs usher unprivileged: as it is when this user is not root, through {@code setpriv} as nobody
   * when it is. Skips the test when that cannot work here.
   */
  private static List<String> unprivilegedLauncher() throws IOException, InterruptedException {
    int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    if (uid != 0) {
      assumeFalse(
          hasNetBindServiceCapability(), "this user holds CAP_NET_BIND_SERVICE: any port binds");
      return List.of();
    }
    List<String> asNobody =
        List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String jar = UsherProcess.jar().toAbsolutePath().toString();
    List<String> check = new ArrayList<>(asNobody);
    check.addAll(List.of("sh", "-c", "test -r \"$1\" && test -x \"$2\"", "check", jar, java));
    assumeTrue(
        succeeds(check),
        "running as root, and user nobody (uid "
            + NOBODY
            + ") cannot run "
            + java
            + " -jar "
            + jar
            + " through setpriv");
    return asNobody;
  }

  private static boolean succeeds(List<String> command) throws InterruptedException {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      process.getInputStream().transferTo(OutputStream.nullOutputStream());
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return false;
      }
      return process.exitValue() == 0;
    } catch (IOException notInstalled) {
      return false;
    }
  }

  // CAP_NET_BIND_SERVICE is capability 10.
  private static boolean hasNetBindServiceCapability() throws IOException {
    return Files.readAllLines(Path.of("/proc/self/status")).stream()
        .filter(line -> line.startsWith("CapEff:"))
        .map(line -> Long.parseLong(line.substring("CapEff:".length()).strip(), 16))
        .anyMatch(capabilities -> (capabilities & (1L << 10)) != 0);
  }

  private static boolean doesNotResolve(String host) {
    try {
      InetAddress.getByName(host);
      return false;
    } catch (UnknownHostException expected) {
      return true;
    }
  }

  private static String readSysctl(String name) {
    try {
      List<String> lines = Files.readAllLines(PROC_SYS.resolve(name));
      return lines.isEmpty() ? "" : lines.getFirst().strip();
    } catch (IOException notLinux) {
      return "";
    }
  }
}
