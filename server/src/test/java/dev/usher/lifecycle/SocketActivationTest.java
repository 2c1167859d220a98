package dev.usher.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.usher.config.ConfigLoader;
import dev.usher.config.KernelNetworkSettings;
import dev.usher.config.UsherConfig;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * How the descriptors systemd passes become usher's listeners: by name, by port, and the one line
 * for each way they can fail to fit. The kernel is replaced by a table of descriptors and ports;
 * the real sockets are {@code SocketActivationIT}'s.
 */
class SocketActivationTest {
  private static final long PID = 4242;
  private static final List<String> BOSS = List.of("main");
  private static final List<String> TWO_LOOPS = List.of("main-0", "main-1");

  /** fd 3 listens on 8080, fd 4 on 8081, fd 5 on 8080 (a second reuseport socket), fd 6 on 9999. */
  private static final SocketActivation.DescriptorProbe PROBE = probe(Set.of(3, 4, 5, 6));

  static Stream<Arguments> assignments() {
    return Stream.of(
        Arguments.of("2", "main:admin", BOSS, List.of(4, 3), "by name (LISTEN_FDNAMES)"),
        Arguments.of("2", "admin:main", BOSS, List.of(3, 4), "by name (LISTEN_FDNAMES)"),
        Arguments.of("2", null, BOSS, List.of(4, 3), "by port"),
        // systemd names a socket after its unit unless FileDescriptorName= says otherwise.
        Arguments.of("2", "usher.socket:usher-admin.socket", BOSS, List.of(4, 3), "by port"),
        Arguments.of(
            "2",
            "main:usher-admin.socket",
            BOSS,
            List.of(4, 3),
            "by name (LISTEN_FDNAMES) and by port"),
        Arguments.of(
            "3", "main:admin:main", TWO_LOOPS, List.of(4, 3, 5), "by name (LISTEN_FDNAMES)"),
        Arguments.of(
            "3", "main-0:admin:main-1", TWO_LOOPS, List.of(4, 3, 5), "by name (LISTEN_FDNAMES)"));
  }

  @ParameterizedTest(name = "LISTEN_FDS={0} LISTEN_FDNAMES={1}")
  @MethodSource("assignments")
  void assignsThePassedDescriptorsToTheAdminAndMainListeners(
      String fds, String names, List<String> mainNames, List<Integer> expected, String matchedBy)
      throws Exception {
    SocketActivation.Assignment assignment =
        activation(fds, names).assign(config(mainNames), mainNames, PROBE);
    assertEquals(expected, assignment.descriptors());
    List<String> expectedNames = Stream.concat(Stream.of("admin"), mainNames.stream()).toList();
    assertEquals(expectedNames, assignment.names());
    assertEquals(matchedBy, assignment.matchedBy());
  }

  static Stream<Arguments> mismatches() {
    return Stream.of(
        Arguments.of(
            "x",
            "main:admin",
            "invalid configuration: LISTEN_FDS = x (socket activation): expected the number of"
                + " descriptors systemd passes from fd 3 on"),
        Arguments.of(
            "2",
            "main",
            "invalid configuration: LISTEN_FDNAMES = main (socket activation): expected one name for"
                + " each of the 2 descriptors of LISTEN_FDS = 2, separated by ':'"),
        Arguments.of(
            "1",
            "main",
            "invalid configuration: LISTEN_FDS = 1: systemd passed no socket for the admin"
                + " listener, which needs one: named admin (FileDescriptorName=admin) or listening"
                + " on admin.port = 8081"),
        Arguments.of(
            "3",
            "main:admin:main",
            "invalid configuration: server.accept-mode = boss takes 1 main socket(s): systemd"
                + " passed 2 [3, 5] (LISTEN_FDS = 3, LISTEN_FDNAMES = main:admin:main), named main"
                + " or listening on server.port = 8080"));
  }

  @Test
  void aSocketOnNeitherPortIsOneLineNamingBothKeys() {
    StartupException failure =
        assertThrows(
            StartupException.class, () -> activation("4", null).assign(config(BOSS), BOSS, PROBE));
    assertTrue(failure.badConfiguration());
    assertEquals(
        "invalid configuration: LISTEN_FDS = 4: descriptor 6 listens on port 9999, which is"
            + " neither server.port = 8080 nor admin.port = 8081; name it main or admin"
            + " (FileDescriptorName= in its .socket unit), or set the port to match",
        failure.getMessage());
  }

  @ParameterizedTest(name = "LISTEN_FDS={0} LISTEN_FDNAMES={1}")
  @MethodSource("mismatches")
  void aPassedSetThatDoesNotFitIsOneLineAndExitTwo(String fds, String names, String line) {
    StartupException failure =
        assertThrows(
            StartupException.class, () -> activation(fds, names).assign(config(BOSS), BOSS, PROBE));
    assertTrue(failure.badConfiguration());
    assertEquals(line, failure.getMessage());
  }

  @Test
  void aDescriptorThatIsNoListeningTcpSocketIsOneLine() {
    StartupException failure =
        assertThrows(
            StartupException.class,
            () -> activation("2", "main:admin").assign(config(BOSS), BOSS, probe(Set.of(3))));
    assertTrue(failure.badConfiguration());
    assertEquals(
        "invalid configuration: LISTEN_FDS = 2: descriptor 4 (named admin in LISTEN_FDNAMES) is"
            + " not a listening TCP socket; socket activation for usher needs ListenStream="
            + " sockets (Accept=no)",
        failure.getMessage());
  }

  @Test
  void portZeroMatchesNoUnnamedSocket() {
    StartupException failure =
        assertThrows(
            StartupException.class,
            () ->
                activation("2", null)
                    .assign(config(BOSS, Map.of("server.port", "0")), BOSS, PROBE));
    assertTrue(failure.getMessage().contains("which is neither server.port = 0"));
  }

  @Test
  void variablesForAnotherProcessOrWithoutAPidAreIgnoredWithTheReason() {
    SocketActivation parents =
        SocketActivation.fromEnvironment(Map.of("LISTEN_PID", "1", "LISTEN_FDS", "2"), PID);
    assertFalse(parents.passed());
    assertTrue(parents.inEnvironment());
    assertEquals(
        Optional.of(
            "LISTEN_PID = 1 is not this process (pid 4242): the sockets are another process's;"
                + " binding the listeners"),
        parents.ignored());

    SocketActivation withoutPid = SocketActivation.fromEnvironment(Map.of("LISTEN_FDS", "2"), PID);
    assertFalse(withoutPid.passed());
    assertTrue(
        withoutPid.ignored().orElseThrow().startsWith("LISTEN_FDS is set without LISTEN_PID"));

    SocketActivation none = SocketActivation.fromEnvironment(Map.of(), PID);
    assertFalse(none.passed());
    assertFalse(none.inEnvironment());
    assertEquals(Optional.empty(), none.ignored());
  }

  @Test
  void aMalformedPidFailsTheStartRatherThanBeingIgnored() {
    SocketActivation malformed =
        SocketActivation.fromEnvironment(Map.of("LISTEN_PID", "abc", "LISTEN_FDS", "2"), PID);
    assertTrue(malformed.passed());
    StartupException failure =
        assertThrows(StartupException.class, () -> malformed.assign(config(BOSS), BOSS, PROBE));
    assertEquals(
        "invalid configuration: LISTEN_PID = abc (socket activation): expected a process id (a"
            + " whole number above 0)",
        failure.getMessage());
  }

  @Test
  void zeroDescriptorsIsNoActivation() {
    SocketActivation zero =
        SocketActivation.fromEnvironment(
            Map.of("LISTEN_PID", Long.toString(PID), "LISTEN_FDS", "0"), PID);
    assertFalse(zero.passed());
    assertEquals(Optional.empty(), zero.ignored());
  }

  @Test
  void unsettingTheVariablesKeepsThemFromTheProgramsThisProcessStarts() throws Throwable {
    try (Arena arena = Arena.ofConfined()) {
      MethodHandle setenv =
          Linker.nativeLinker()
              .downcallHandle(
                  Linker.nativeLinker().defaultLookup().find("setenv").orElseThrow(),
                  FunctionDescriptor.of(
                      ValueLayout.JAVA_INT,
                      ValueLayout.ADDRESS,
                      ValueLayout.ADDRESS,
                      ValueLayout.JAVA_INT));
      for (String variable : List.of("LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES")) {
        int unused =
            (int) setenv.invokeExact(arena.allocateFrom(variable), arena.allocateFrom("7"), 1);
      }
    }
    assertEquals("7 7 7", inheritedVariables());
    SocketActivation.unsetEnvironment();
    assertEquals("- - -", inheritedVariables());
  }

  // A child started without touching ProcessBuilder.environment() gets this process's environ.
  private static String inheritedVariables() throws Exception {
    Process shell =
        new ProcessBuilder("sh", "-c", "echo ${LISTEN_PID--} ${LISTEN_FDS--} ${LISTEN_FDNAMES--}")
            .redirectErrorStream(true)
            .start();
    String printed = new String(shell.getInputStream().readAllBytes()).strip();
    assertEquals(0, shell.waitFor());
    return printed;
  }

  private static SocketActivation activation(String fds, String names) {
    Map<String, String> environment = new HashMap<>();
    environment.put("LISTEN_PID", Long.toString(PID));
    environment.put("LISTEN_FDS", fds);
    if (names != null) {
      environment.put("LISTEN_FDNAMES", names);
    }
    return SocketActivation.fromEnvironment(environment, PID);
  }

  private static UsherConfig config(List<String> mainNames) throws Exception {
    return config(mainNames, Map.of());
  }

  private static UsherConfig config(List<String> mainNames, Map<String, String> more)
      throws Exception {
    Properties properties = new Properties();
    properties.put("server.port", "8080");
    properties.put("admin.port", "8081");
    if (mainNames.size() > 1) {
      properties.put("server.accept-mode", "reuseport");
      properties.put("server.worker-threads", Integer.toString(mainNames.size()));
    }
    properties.putAll(more);
    return new ConfigLoader(Map.of(), properties, KernelNetworkSettings.read())
        .load(Optional.empty())
        .config();
  }

  private static SocketActivation.DescriptorProbe probe(Set<Integer> listening) {
    Map<Integer, Integer> ports = Map.of(3, 8080, 4, 8081, 5, 8080, 6, 9999);
    return new SocketActivation.DescriptorProbe() {
      @Override
      public boolean isListeningTcpSocket(int fd) {
        return listening.contains(fd);
      }

      @Override
      public int localPort(int fd) {
        return ports.get(fd);
      }
    };
  }
}
