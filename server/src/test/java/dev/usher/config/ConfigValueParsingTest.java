package dev.usher.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** How values are written: durations, sizes, {@code auto} and the named choices. */
class ConfigValueParsingTest {

  @TempDir Path directory;

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource({
    "server.idle-timeout, 500ms, 500",
    "server.idle-timeout, 10s, 10000",
    "server.idle-timeout, 2m, 120000",
    "shutdown.drain-timeout, 500ms, 500",
    "shutdown.drain-timeout, 2m, 120000",
    "shutdown.pre-stop-delay, 10s, 10000",
    "shutdown.pre-stop-delay, 0s, 0",
    "http.request-timeout, 500ms, 500",
    "http.request-timeout, 2m, 120000",
  })
  void durationsAreWrittenWithAUnit(String key, String written, long expectedMillis)
      throws Exception {
    UsherConfig config = new ConfigLayers().property(key, written).load().config();

    Duration parsed =
        switch (key) {
          case "server.idle-timeout" -> config.server().idleTimeout();
          case "shutdown.drain-timeout" -> config.shutdown().drainTimeout();
          case "http.request-timeout" -> config.http().requestTimeout();
          default -> config.shutdown().preStopDelay();
        };
    assertEquals(Duration.ofMillis(expectedMillis), parsed);
  }

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource({
    "http.max-body-bytes, 64KiB, 65536",
    "http.max-body-bytes, 1MiB, 1048576",
    "http.max-body-bytes, 512, 512",
    "http.max-body-bytes, 0, 0",
    "http.max-header-bytes, 64KiB, 65536",
    "http.max-initial-line-bytes, 1MiB, 1048576",
  })
  void sizesAreWrittenInBytesOrWithABinaryUnit(String key, String written, int expectedBytes)
      throws Exception {
    HttpConfig http = new ConfigLayers().property(key, written).load().config().http();

    int parsed =
        switch (key) {
          case "http.max-body-bytes" -> http.maxBodyBytes();
          case "http.max-header-bytes" -> http.maxHeaderBytes();
          default -> http.maxInitialLineBytes();
        };
    assertEquals(expectedBytes, parsed);
  }

  @Test
  void durationsAndSizesInAFileAreWrittenTheSameWay() throws Exception {
    UsherConfig config =
        new ConfigLayers()
            .fileWith(
                directory,
                """
                server {
                  idle-timeout = 500ms
                }
                http {
                  max-body-bytes = 64KiB
                  request-timeout = 2m
                }
                shutdown.drain-timeout = 2m
                """)
            .load()
            .config();

    assertEquals(Duration.ofMillis(500), config.server().idleTimeout());
    assertEquals(64 * 1024, config.http().maxBodyBytes());
    assertEquals(Duration.ofMinutes(2), config.http().requestTimeout());
    assertEquals(Duration.ofMinutes(2), config.shutdown().drainTimeout());
  }

  @ParameterizedTest(name = "somaxconn {0}")
  @ValueSource(ints = {128, 511, 4096, 65535})
  void backlogAutoIsTheKernelsSomaxconn(int somaxconn) throws Exception {
    LoadedConfig loaded =
        new ConfigLayers()
            .kernel(new KernelNetworkSettings(somaxconn, Optional.empty()))
            .property("server.backlog", "auto")
            .load();

    assertEquals(somaxconn, loaded.config().server().backlog());
  }

  @Test
  void anExplicitBacklogIsKeptAsWritten() throws Exception {
    assertEquals(
        1024,
        new ConfigLayers().property("server.backlog", "1024").load().config().server().backlog());
  }

  @Test
  void workerThreadsAutoIsTwiceTheAvailableCores() throws Exception {
    int cores = Runtime.getRuntime().availableProcessors();

    assertEquals(2 * cores, new ConfigLayers().load().config().server().workerThreads());
    assertEquals(
        2 * cores,
        new ConfigLayers()
            .environment("SERVER_WORKER_THREADS", "AUTO")
            .load()
            .config()
            .server()
            .workerThreads());
    assertEquals(
        3,
        new ConfigLayers()
            .property("server.worker-threads", "3")
            .load()
            .config()
            .server()
            .workerThreads());
  }

  @ParameterizedTest(name = "server.transport = {0}")
  @CsvSource({"auto, AUTO", "io_uring, IO_URING", "epoll, EPOLL", "nio, NIO", "NIO, NIO"})
  void transportsAreNamedInLowerCase(String written, TransportPreference expected)
      throws Exception {
    assertEquals(
        expected,
        new ConfigLayers()
            .property("server.transport", written)
            .load()
            .config()
            .server()
            .transport());
  }

  @Test
  void protocolLogFormatAndLevelAreNamedChoices() throws Exception {
    UsherConfig config =
        new ConfigLayers()
            .property("server.protocol", "echo")
            .property("log.format", "json")
            .property("log.level", "WARN")
            .load()
            .config();

    assertEquals(Protocol.ECHO, config.server().protocol());
    assertEquals(LogFormat.JSON, config.log().format());
    assertEquals("warn", config.log().level());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"0.0.0.0", "127.0.0.1", "::", "::1", "localhost", "usher-1.example.com"})
  void hostsAreAddressesOrHostNames(String host) throws Exception {
    LoadedConfig loaded =
        new ConfigLayers().property("server.host", host).property("admin.host", host).load();

    assertEquals(host, loaded.config().server().host());
    assertEquals(host, loaded.config().admin().host());
  }

  @Test
  void bothPortsMayBeZeroForTheKernelToChoose() throws Exception {
    UsherConfig config =
        new ConfigLayers().property("server.port", "0").property("admin.port", "0").load().config();

    assertEquals(0, config.server().port());
    assertEquals(0, config.admin().port());
  }
}
