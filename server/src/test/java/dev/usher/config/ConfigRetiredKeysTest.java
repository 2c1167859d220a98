package dev.usher.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A key usher no longer reads is refused in every layer, as one line that names the key, its value,
 * where it was set and what to write instead: never silently ignored, which would leave the limit
 * at its default while the operator believes it changed.
 */
class ConfigRetiredKeysTest {
  private static final String BOSS_THREADS_REMOVED =
      "was removed: one listening socket is served by one boss thread; for several acceptors use"
          + " server.accept-mode = reuseport";

  /** Each retired key, a value an operator may have set it to, and what the refusal advises. */
  private static final List<Arguments> RETIRED =
      List.of(
          Arguments.of("server.max-request-bytes", "2MiB", "was renamed: use http.max-body-bytes"),
          Arguments.of(
              "server.max-initial-line-bytes",
              "8KiB",
              "was renamed: use http.max-initial-line-bytes"),
          Arguments.of(
              "server.max-header-bytes", "16KiB", "was renamed: use http.max-header-bytes"),
          Arguments.of("server.request-timeout", "10s", "was renamed: use http.request-timeout"),
          Arguments.of("server.boss-threads", "2", BOSS_THREADS_REMOVED));

  @TempDir Path directory;

  static Stream<Arguments> retiredKeys() {
    return RETIRED.stream();
  }

  @ParameterizedTest(name = "-D{0}")
  @MethodSource("retiredKeys")
  void aRetiredKeyAsASystemPropertyIsRefusedWithWhatToWriteInstead(
      String key, String value, String advice) {
    assertEquals(
        "invalid configuration: "
            + key
            + " = "
            + value
            + " (from system property -D"
            + key
            + ") "
            + advice,
        new ConfigLayers().property(key, value).rejection());
  }

  @ParameterizedTest(name = "{0} as an environment variable")
  @MethodSource("retiredKeys")
  void aRetiredKeyAsAnEnvironmentVariableIsRefusedNotIgnored(
      String key, String value, String advice) {
    String variable = ConfigLoader.environmentName(key);

    assertEquals(
        "invalid configuration: "
            + key
            + " = "
            + value
            + " (from environment variable "
            + variable
            + ") "
            + advice,
        new ConfigLayers().environment(variable, value).rejection());
  }

  @ParameterizedTest(name = "{0} in the file")
  @MethodSource("retiredKeys")
  void aRetiredKeyInTheFileIsRefusedWithItsLine(String key, String value, String advice)
      throws Exception {
    ConfigLayers layers = new ConfigLayers().fileWith(directory, "\n" + key + " = " + value + "\n");

    assertEquals(
        "invalid configuration: "
            + key
            + " = "
            + value
            + " (from file "
            + directory.resolve("usher.conf")
            + ", line 2) "
            + advice,
        layers.rejection());
  }

  @Test
  void aRetiredKeyNestedInTheServerBlockIsRefusedToo() throws Exception {
    ConfigLayers layers =
        new ConfigLayers()
            .fileWith(directory, "server {\n  port = 9000\n  max-request-bytes = 2MiB\n}\n");

    assertEquals(
        "invalid configuration: server.max-request-bytes = 2MiB (from file "
            + directory.resolve("usher.conf")
            + ", line 3) was renamed: use http.max-body-bytes",
        layers.rejection());
  }

  @Test
  void aRetiredKeyIsRefusedEvenBesideItsNewName() {
    assertEquals(
        "invalid configuration: server.request-timeout = 10s (from environment variable"
            + " SERVER_REQUEST_TIMEOUT) was renamed: use http.request-timeout",
        new ConfigLayers()
            .environment("SERVER_REQUEST_TIMEOUT", "10s")
            .environment("HTTP_REQUEST_TIMEOUT", "10s")
            .rejection());
  }

  @Test
  void aRetiredKeySetToNullInTheFileIsRefusedToo() throws Exception {
    assertEquals(
        "invalid configuration: server.boss-threads = null (from file "
            + directory.resolve("usher.conf")
            + ", line 1) "
            + BOSS_THREADS_REMOVED,
        new ConfigLayers().fileWith(directory, "server.boss-threads = null").rejection());
  }

  @Test
  void theRefusalNamesTheLayerThatWins() throws Exception {
    assertEquals(
        "invalid configuration: server.boss-threads = 4 (from system property"
            + " -Dserver.boss-threads) "
            + BOSS_THREADS_REMOVED,
        new ConfigLayers()
            .fileWith(directory, "server.boss-threads = 2")
            .environment("SERVER_BOSS_THREADS", "3")
            .property("server.boss-threads", "4")
            .rejection());
  }
}
