package dev.usher.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every value usher cannot start with is rejected before anything binds, as one line that names the
 * key, the value, where it came from and what is allowed.
 */
class ConfigValidationTest {
  private static final String HOST_ALLOWED =
      "an IP address such as 0.0.0.0, 127.0.0.1 or ::, or a host name";

  @TempDir Path directory;

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          server.port                   | abc     | an integer from 0 to 65535
          server.port                   | 80.5    | an integer from 0 to 65535
          server.port                   | 70000   | an integer from 0 to 65535
          server.port                   | -1      | an integer from 0 to 65535
          admin.port                    | 65536   | an integer from 0 to 65535
          server.worker-threads         | 0       | "auto" (2 x cores) or an integer from 1 to 4096
          server.worker-threads         | many    | "auto" (2 x cores) or an integer from 1 to 4096
          server.backlog                | 0       | "auto" (net.core.somaxconn) or an integer from 1 to 2147483647
          server.backlog                | 1.5     | "auto" (net.core.somaxconn) or an integer from 1 to 2147483647
          server.max-connections        | 0       | an integer from 1 to 2147483647
          server.max-connections        | 3000000000 | an integer from 1 to 2147483647
          server.idle-timeout           | -5s     | a duration from 1ms to 86400s written like 500ms, 10s or 2m
          server.idle-timeout           | 0s      | a duration from 1ms to 86400s written like 500ms, 10s or 2m
          server.idle-timeout           | 2d      | a duration from 1ms to 86400s written like 500ms, 10s or 2m
          server.idle-timeout           | soon    | a duration from 1ms to 86400s written like 500ms, 10s or 2m
          server.lingering-timeout      | 0s      | a duration from 1ms to 86400s written like 500ms, 10s or 2m
          server.lingering-time         | -1s     | a duration from 0s to 86400s written like 500ms, 10s or 2m
          shutdown.drain-timeout        | -1s     | a duration from 1ms to 86400s written like 500ms, 10s or 2m
          shutdown.pre-stop-delay       | -500ms  | a duration from 0s to 86400s written like 500ms, 10s or 2m
          http.max-body-bytes           | 3GiB    | a size from 0 to 2147483647 bytes written like 512, 64KiB or 1MiB
          http.max-body-bytes           | lots    | a size from 0 to 2147483647 bytes written like 512, 64KiB or 1MiB
          http.max-header-bytes         | 10      | a size from 64 to 1048576 bytes written like 512, 64KiB or 1MiB
          http.max-initial-line-bytes   | 2MiB    | a size from 64 to 1048576 bytes written like 512, 64KiB or 1MiB
          http.request-timeout          | 0s      | a duration from 1ms to 86400s written like 500ms, 10s or 2m
          http.request-timeout          | 2d      | a duration from 1ms to 86400s written like 500ms, 10s or 2m
          server.socket.tcp-nodelay     | maybe   | true or false
          server.socket.keep-alive      | 2       | true or false
          server.transport              | fast    | one of auto, io_uring, epoll, nio
          server.protocol               | gopher  | one of http, echo
          log.format                    | xml     | one of text, json
          log.level                     | verbose | one of trace, debug, info, warn, error
          server.host                   | bad host! | an IP address such as 0.0.0.0, 127.0.0.1 or ::, or a host name
          admin.host                    | 300.1.1.1 | an IP address such as 0.0.0.0, 127.0.0.1 or ::, or a host name
          """)
  void rejectsAValueOutsideWhatTheKeyAllows(String key, String value, String allowed) {
    String rejection = new ConfigLayers().property(key, value).rejection();

    assertEquals(
        "invalid configuration: "
            + key
            + " = "
            + value
            + " (from system property -D"
            + key
            + "): expected "
            + allowed,
        rejection);
  }

  @ParameterizedTest(name = "server.host = \"{0}\"")
  @ValueSource(
      strings = {"", "-leading-dash", "under_score", "1.2.3", "999.0.0.1", "host name", "::g"})
  void rejectsAHostThatIsNeitherAnAddressNorAHostName(String host) {
    assertEquals(
        "invalid configuration: server.host = "
            + host
            + " (from system property -Dserver.host): expected "
            + HOST_ALLOWED,
        new ConfigLayers().property("server.host", host).rejection());
  }

  @Test
  void namesTheEnvironmentVariableAValueCameFrom() {
    assertEquals(
        "invalid configuration: server.port = abc (from environment variable SERVER_PORT):"
            + " expected an integer from 0 to 65535",
        new ConfigLayers().environment("SERVER_PORT", "abc").rejection());
    assertEquals(
        "invalid configuration: server.worker-threads = 0 (from environment variable"
            + " SERVER_WORKER_THREADS): expected \"auto\" (2 x cores) or an integer from 1 to 4096",
        new ConfigLayers().environment("SERVER_WORKER_THREADS", "0").rejection());
  }

  @Test
  void namesTheFileAndLineAValueCameFrom() throws Exception {
    ConfigLayers layers =
        new ConfigLayers().fileWith(directory, "server {\n  port = 8080\n  transport = fast\n}\n");

    assertEquals(
        "invalid configuration: server.transport = fast (from file "
            + directory.resolve("usher.conf")
            + ", line 3): expected one of auto, io_uring, epoll, nio",
        layers.rejection());
  }

  @Test
  void aKeySetToNullInTheFileIsRejectedLikeAnyOtherValue() throws Exception {
    Path file = directory.resolve("usher.conf");

    assertEquals(
        "invalid configuration: server.port = null (from file "
            + file
            + ", line 1): expected an integer from 0 to 65535",
        new ConfigLayers().fileWith(directory, "server.port = null").rejection());
    assertEquals(
        "invalid configuration: server.backlog = null (from file "
            + file
            + ", line 1): expected \"auto\" (net.core.somaxconn) or an integer from 1 to 2147483647",
        new ConfigLayers().fileWith(directory, "server.backlog = null").rejection());
  }

  @Test
  void aSystemPropertyBeatsTheBadValueBelowIt() throws Exception {
    LoadedConfig loaded =
        new ConfigLayers()
            .fileWith(directory, "server.port = abc")
            .environment("SERVER_PORT", "also-bad")
            .property("server.port", "9000")
            .load();

    assertEquals(9000, loaded.config().server().port());
  }

  @Test
  void anUnknownKeySuggestsTheKnownKeyItWasProbablyMeantToBe() {
    assertEquals(
        "invalid configuration: server.backlgo = 5 (from system property -Dserver.backlgo):"
            + " expected one of the keys in usher-defaults.conf; did you mean server.backlog?",
        new ConfigLayers().property("server.backlgo", "5").rejection());
  }

  @Test
  void anUnknownKeyInTheFileIsNamedWithItsLine() throws Exception {
    ConfigLayers layers =
        new ConfigLayers().fileWith(directory, "shutdown {\n  drain-timout = 10s\n}\n");

    assertEquals(
        "invalid configuration: shutdown.drain-timout = 10s (from file "
            + directory.resolve("usher.conf")
            + ", line 2): expected one of the keys in usher-defaults.conf; did you mean"
            + " shutdown.drain-timeout?",
        layers.rejection());
  }

  @Test
  void anUnknownKeyFarFromEveryKnownKeyGetsNoSuggestion() {
    assertEquals(
        "invalid configuration: server.colour = blue (from system property -Dserver.colour):"
            + " expected one of the keys in usher-defaults.conf",
        new ConfigLayers().property("server.colour", "blue").rejection());
  }

  @Test
  void theAdminListenerCannotShareTheServerPort() {
    assertEquals(
        "invalid configuration: admin.port = 9000 (from system property -Dadmin.port): expected a"
            + " port other than server.port (9000)",
        new ConfigLayers()
            .property("server.port", "9000")
            .property("admin.port", "9000")
            .rejection());
    assertEquals(
        "invalid configuration: admin.port = 8080 (from environment variable ADMIN_PORT): expected a"
            + " port other than server.port (8080)",
        new ConfigLayers().environment("ADMIN_PORT", "8080").rejection());
  }

  @Test
  void theHandoverPathIsOffByDefaultAndAPathWhenSet() throws Exception {
    assertEquals(Optional.empty(), new ConfigLayers().load().config().lifecycle().handoverPath());
    assertEquals(
        Optional.of(Path.of("/run/usher/handover.sock")),
        new ConfigLayers()
            .environment("LIFECYCLE_HANDOVER_PATH", "/run/usher/handover.sock")
            .load()
            .config()
            .lifecycle()
            .handoverPath());
  }

  @Test
  void theHandoverNeedsATransportWithDescriptorsAndAPathThatFitsAUnixSocket() {
    assertEquals(
        "invalid configuration: lifecycle.handover-path = /run/usher.sock (from system property"
            + " -Dlifecycle.handover-path): expected empty while server.transport is nio (the"
            + " hand-over passes socket descriptors, which nio does not expose): set"
            + " server.transport to auto or epoll, or leave this empty",
        new ConfigLayers()
            .property("server.transport", "nio")
            .property("lifecycle.handover-path", "/run/usher.sock")
            .rejection());
    String tooLong = "/run/" + "x".repeat(110);
    assertEquals(
        "invalid configuration: lifecycle.handover-path = "
            + tooLong
            + " (from system property -Dlifecycle.handover-path): expected a Unix socket path of at"
            + " most 107 bytes (sun_path)",
        new ConfigLayers().property("lifecycle.handover-path", tooLong).rejection());
  }

  @Test
  void aConfigFileThatDoesNotExistIsRejected() {
    Path missing = directory.resolve("missing.conf");

    assertEquals(
        "invalid configuration: configuration file " + missing + " does not exist",
        new ConfigLayers().file(missing).rejection());
  }

  @Test
  void aConfigFileThatIsADirectoryIsRejected() {
    assertEquals(
        "invalid configuration: configuration file " + directory + " does not exist",
        new ConfigLayers().file(directory).rejection());
  }

  @Test
  void aConfigFileThatDoesNotParseIsRejectedWithTheLineOfTheMistake() throws Exception {
    Path file =
        Files.writeString(
            directory.resolve("broken.conf"), "server {\n  port = 8080\n  host = [\n");

    String rejection = new ConfigLayers().file(file).rejection();

    assertTrue(
        rejection.startsWith("invalid configuration: cannot parse " + file + ": " + file + ": 4:"),
        rejection);
    assertFalse(rejection.contains("\n"), rejection);
  }

  @Test
  void systemPropertiesThatMakeAKeyBothAValueAndAnObjectAreRejected() {
    String rejection =
        new ConfigLayers().property("server.port", "1").property("server.port.x", "2").rejection();

    assertTrue(rejection.startsWith("invalid configuration: system properties: "), rejection);
    assertTrue(rejection.contains("'server.port'"), rejection);
    assertFalse(rejection.contains("\n"), rejection);
  }
}
