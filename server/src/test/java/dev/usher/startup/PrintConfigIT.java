package dev.usher.startup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.usher.testing.UsherProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --print-config}: every effective value and where it came from, then exit 0. */
class PrintConfigIT {
  private static final Pattern ENTRY = Pattern.compile("(\\S+) = (.*)  # (.+)");

  @TempDir Path directory;

  @Test
  void printsEveryKeyWithItsValueAndSourceAndExits0WithoutStarting() throws Exception {
    Path file = Files.writeString(directory.resolve("usher.conf"), "http.max-body-bytes = 2MiB\n");

    // -Dhttp.proxyHost is the JDK's, not usher's, though it shares the http root: neither printed
    // nor refused.
    try (UsherProcess usher =
        UsherProcess.start(
            List.of("-Dserver.port=0", "-Dadmin.port=0", "-Dhttp.proxyHost=proxy.example.com"),
            Map.of("SERVER_WORKER_THREADS", "3"),
            "--config",
            file.toString(),
            "--print-config")) {
      assertEquals(0, usher.awaitExit(Duration.ofSeconds(60)), usher.outputText());

      Map<String, String> printed = new HashMap<>();
      for (String line : usher.output()) {
        Matcher entry = ENTRY.matcher(line);
        assertTrue(entry.matches(), "not a 'key = value  # source' line: " + line);
        printed.put(entry.group(1), line);
      }
      assertEquals(everyKeyOfTheDefaults(), printed.keySet());
      assertEquals(printed.size(), usher.output().size(), "each key printed once");

      assertEquals("server.port = 0  # system property -Dserver.port", printed.get("server.port"));
      assertEquals("admin.port = 0  # system property -Dadmin.port", printed.get("admin.port"));
      assertEquals(
          "server.worker-threads = 3  # environment variable SERVER_WORKER_THREADS",
          printed.get("server.worker-threads"));
      assertEquals(
          "http.max-body-bytes = 2MiB  # file " + file + ", line 1",
          printed.get("http.max-body-bytes"));
      assertEquals("server.protocol = http  # built-in default", printed.get("server.protocol"));
      assertEquals(
          "shutdown.drain-timeout = 30s  # built-in default",
          printed.get("shutdown.drain-timeout"));
    }
  }

  private static Set<String> everyKeyOfTheDefaults() {
    return ConfigFactory.parseResources("usher-defaults.conf").entrySet().stream()
        .map(Map.Entry::getKey)
        .collect(Collectors.toSet());
  }
}
