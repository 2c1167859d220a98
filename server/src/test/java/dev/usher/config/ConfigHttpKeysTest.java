package dev.usher.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@code http} root: usher's HTTP keys are read from every layer like any other key, while the
 * JDK's own {@code http.*} networking properties, which share the root on the command line, are
 * left alone.
 */
class ConfigHttpKeysTest {
  private static final Http2Config DEFAULT_HTTP2 = new Http2Config(true, 100, Duration.ZERO);
  private static final HttpConfig SET =
      new HttpConfig(
          8 * 1024,
          16 * 1024,
          2 * 1024 * 1024,
          Duration.ofSeconds(10),
          DEFAULT_HTTP2,
          1000,
          false,
          true,
          List.of());

  @TempDir Path directory;

  @Test
  void theDefaultsAreTheLimitsUsherHasAlwaysHad() throws Exception {
    assertEquals(
        new HttpConfig(
            4 * 1024,
            8 * 1024,
            1024 * 1024,
            Duration.ofSeconds(30),
            DEFAULT_HTTP2,
            1000,
            false,
            true,
            List.of()),
        new ConfigLayers().load().config().http());
  }

  @Test
  void theHttpKeysAreReadFromTheFile() throws Exception {
    LoadedConfig loaded =
        new ConfigLayers()
            .fileWith(
                directory,
                """
                http {
                  max-initial-line-bytes = 8KiB
                  max-header-bytes = 16KiB
                  max-body-bytes = 2MiB
                  request-timeout = 10s
                }
                """)
            .load();

    assertEquals(SET, loaded.config().http());
    assertEquals(
        new ConfigEntry(
            "http.max-body-bytes", "2MiB", "file " + directory.resolve("usher.conf") + ", line 4"),
        entry(loaded, "http.max-body-bytes"));
  }

  @Test
  void theHttpKeysAreReadFromEnvironmentVariables() throws Exception {
    LoadedConfig loaded =
        new ConfigLayers()
            .environment("HTTP_MAX_INITIAL_LINE_BYTES", "8KiB")
            .environment("HTTP_MAX_HEADER_BYTES", "16KiB")
            .environment("HTTP_MAX_BODY_BYTES", "2MiB")
            .environment("HTTP_REQUEST_TIMEOUT", "10s")
            .load();

    assertEquals(SET, loaded.config().http());
    assertEquals(
        new ConfigEntry("http.request-timeout", "10s", "environment variable HTTP_REQUEST_TIMEOUT"),
        entry(loaded, "http.request-timeout"));
  }

  @Test
  void theHttpKeysAreReadFromSystemProperties() throws Exception {
    LoadedConfig loaded =
        new ConfigLayers()
            .property("http.max-initial-line-bytes", "8KiB")
            .property("http.max-header-bytes", "16KiB")
            .property("http.max-body-bytes", "2MiB")
            .property("http.request-timeout", "10s")
            .load();

    assertEquals(SET, loaded.config().http());
    assertEquals(
        new ConfigEntry("http.max-body-bytes", "2MiB", "system property -Dhttp.max-body-bytes"),
        entry(loaded, "http.max-body-bytes"));
  }

  @Test
  void theJdksHttpNetworkingPropertiesAreNeitherReadNorRefused() throws Exception {
    LoadedConfig loaded =
        new ConfigLayers()
            .property("http.proxyHost", "proxy.example.com")
            .property("http.proxyPort", "3128")
            .property("http.proxyUser", "usher")
            .property("http.nonProxyHosts", "localhost|*.internal")
            .property("http.keepAlive", "false")
            .property("http.keepAlive.time.server", "5")
            .property("http.maxConnections", "10")
            .property("http.maxRedirects", "5")
            .property("http.agent", "usher-probe")
            .property("http.auth.preference", "basic")
            .property("http.auth.digest.validateProxy", "true")
            .property("http.max-body-bytes", "2MiB")
            .load();

    assertEquals(2 * 1024 * 1024, loaded.config().http().maxBodyBytes());
    loaded.entries().stream()
        .filter(entry -> !entry.key().equals("http.max-body-bytes"))
        .forEach(entry -> assertEquals("built-in default", entry.source(), entry.key()));
  }

  @Test
  void aMisspelledHttpKeyIsRefusedWithTheKeyItWasProbablyMeantToBe() {
    assertEquals(
        "invalid configuration: http.max-body-byte = 2MiB (from system property"
            + " -Dhttp.max-body-byte): expected one of the keys in usher-defaults.conf; did you mean"
            + " http.max-body-bytes?",
        new ConfigLayers().property("http.max-body-byte", "2MiB").rejection());
  }

  @ParameterizedTest(name = "-D{0}")
  @ValueSource(strings = {"http.colour", "http.request-timeout.grace", "http.retry-post"})
  void anHttpNameThatIsNotTheJdksIsCheckedLikeAnyOtherKey(String name) {
    assertEquals(
        "invalid configuration: "
            + name
            + " = x (from system property -D"
            + name
            + "): expected one of the keys in usher-defaults.conf",
        new ConfigLayers().property(name, "x").rejection());
  }

  @Test
  void theJdksHttpNamesAreNotUshersInTheFile() throws Exception {
    assertEquals(
        "invalid configuration: http.proxyHost = proxy (from file "
            + directory.resolve("usher.conf")
            + ", line 1): expected one of the keys in usher-defaults.conf",
        new ConfigLayers().fileWith(directory, "http.proxyHost = proxy").rejection());
  }

  private static ConfigEntry entry(LoadedConfig loaded, String key) {
    return loaded.entries().stream()
        .filter(entry -> entry.key().equals(key))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no entry for " + key));
  }
}
