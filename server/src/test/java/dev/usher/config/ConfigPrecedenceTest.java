package dev.usher.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The four layers, lowest precedence first: built-in defaults, the --config file, environment
 * variables, -D system properties. Each effective value reports the layer it came from.
 */
class ConfigPrecedenceTest {
  private static final String BUILT_IN = "built-in default";

  @TempDir Path directory;

  @Test
  void withNothingSetEveryKeyOfTheDefaultsFileIsReportedAsABuiltInDefault() throws Exception {
    LoadedConfig loaded = new ConfigLayers().load();

    Set<String> defaultKeys =
        ConfigFactory.parseResources("usher-defaults.conf").entrySet().stream()
            .map(Map.Entry::getKey)
            .collect(Collectors.toSet());
    List<String> reportedKeys = loaded.entries().stream().map(ConfigEntry::key).toList();
    assertEquals(defaultKeys, Set.copyOf(reportedKeys));
    assertEquals(
        reportedKeys.stream().sorted().toList(), reportedKeys, "entries are sorted by key");
    loaded.entries().forEach(entry -> assertEquals(BUILT_IN, entry.source(), entry.key()));

    assertEquals(8080, loaded.config().server().port());
    assertEquals(8081, loaded.config().admin().port());
    assertEquals("0.0.0.0", loaded.config().server().host());
    assertEquals(Protocol.HTTP, loaded.config().server().protocol());
  }

  @Test
  void theFileOverridesTheDefaultsAndIsReportedWithItsLine() throws Exception {
    Map<String, ConfigEntry> entries =
        new ConfigLayers()
            .fileWith(directory, "# usher for the tests\nserver {\n  port = 9000\n}\n")
            .entries();

    Path file = directory.resolve("usher.conf");
    assertEquals(
        new ConfigEntry("server.port", "9000", "file " + file + ", line 3"),
        entries.get("server.port"));
    assertEquals(new ConfigEntry("admin.port", "8081", BUILT_IN), entries.get("admin.port"));
  }

  @Test
  void anEnvironmentVariableOverridesTheFile() throws Exception {
    LoadedConfig loaded =
        new ConfigLayers()
            .fileWith(directory, "server.port = 9000")
            .environment("SERVER_PORT", "9100")
            .load();

    assertEquals(9100, loaded.config().server().port());
    assertEquals(
        new ConfigEntry("server.port", "9100", "environment variable SERVER_PORT"),
        entry(loaded, "server.port"));
  }

  @Test
  void aSystemPropertyOverridesTheEnvironmentAndTheFile() throws Exception {
    LoadedConfig loaded =
        new ConfigLayers()
            .fileWith(directory, "server.port = 9000")
            .environment("SERVER_PORT", "9100")
            .property("server.port", "9200")
            .load();

    assertEquals(9200, loaded.config().server().port());
    assertEquals(
        new ConfigEntry("server.port", "9200", "system property -Dserver.port"),
        entry(loaded, "server.port"));
  }

  @Test
  void eachKeyTakesItsValueFromItsOwnHighestLayer() throws Exception {
    LoadedConfig loaded =
        new ConfigLayers()
            .fileWith(
                directory,
                "server.max-connections = 2000\nserver.worker-threads = 3\nserver.port = 9000\n")
            .environment("SERVER_WORKER_THREADS", "5")
            .environment("SERVER_PORT", "9100")
            .property("server.port", "9200")
            .load();

    ServerConfig server = loaded.config().server();
    assertEquals(2000, server.maxConnections());
    assertEquals(5, server.workerThreads());
    assertEquals(9200, server.port());
    assertEquals(60, server.idleTimeout().toSeconds());
    Path file = directory.resolve("usher.conf");
    assertEquals("file " + file + ", line 1", entry(loaded, "server.max-connections").source());
    assertEquals(
        "environment variable SERVER_WORKER_THREADS",
        entry(loaded, "server.worker-threads").source());
    assertEquals("system property -Dserver.port", entry(loaded, "server.port").source());
    assertEquals(BUILT_IN, entry(loaded, "server.idle-timeout").source());
  }

  @Test
  void environmentNamesAreTheKeyUpperCasedWithDotsAndDashesAsUnderscores() throws Exception {
    assertEquals("SERVER_WORKER_THREADS", ConfigLoader.environmentName("server.worker-threads"));
    assertEquals(
        "SERVER_SOCKET_TCP_NODELAY", ConfigLoader.environmentName("server.socket.tcp-nodelay"));
    assertEquals(
        "SHUTDOWN_PRE_STOP_DELAY", ConfigLoader.environmentName("shutdown.pre-stop-delay"));

    LoadedConfig loaded =
        new ConfigLayers()
            .environment("SERVER_SOCKET_TCP_NODELAY", "false")
            .environment("SHUTDOWN_PRE_STOP_DELAY", "5s")
            .environment("LOG_FORMAT", "json")
            .load();

    assertEquals(false, loaded.config().server().socket().tcpNoDelay());
    assertEquals(5, loaded.config().shutdown().preStopDelay().toSeconds());
    assertEquals(LogFormat.JSON, loaded.config().log().format());
  }

  @Test
  void variablesAndPropertiesThatAreNotUshersAreIgnored() throws Exception {
    LoadedConfig loaded =
        new ConfigLayers()
            .environment("SERVER", "9100")
            .environment("server.port", "9100")
            .environment("HOME", "/root")
            .property("java.home", "/usr/lib/jvm")
            .property("logback.configurationFile", "/etc/logback.xml")
            .property("serverless.port", "9100")
            .property("server", "9100")
            .load();

    assertEquals(8080, loaded.config().server().port());
    loaded.entries().forEach(entry -> assertEquals(BUILT_IN, entry.source(), entry.key()));
  }

  @Test
  void theReportedValueIsTheOneAsWrittenWhileTheConfigurationHoldsItResolved() throws Exception {
    LoadedConfig loaded = new ConfigLayers().property("http.max-body-bytes", "2MiB").load();

    assertEquals("2MiB", entry(loaded, "http.max-body-bytes").value());
    assertEquals(2 * 1024 * 1024, loaded.config().http().maxBodyBytes());
    assertEquals("auto", entry(loaded, "server.backlog").value());
    assertTrue(loaded.config().server().backlog() > 0);
  }

  private static ConfigEntry entry(LoadedConfig loaded, String key) {
    return loaded.entries().stream()
        .filter(entry -> entry.key().equals(key))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no entry for " + key));
  }
}
