package dev.usher.docs;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.usher.config.ConfigLoader;
import dev.usher.testing.RunningServer;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The README is the user's reference: every key and every usher meter must be in it. */
class ReadmeTest {
  private static final Path README = Path.of("..", "README.md");

  @Test
  void documentsEveryConfigurationKeyWithItsEnvironmentVariable() throws Exception {
    String readme = Files.readString(README);
    Set<String> keys = new TreeSet<>();
    ConfigFactory.parseFile(Path.of("..", "config", "usher-defaults.conf").toFile())
        .entrySet()
        .forEach(entry -> keys.add(entry.getKey()));
    for (String key : keys) {
      assertTrue(readme.contains("| `" + key + "` |"), "README lacks a table row for " + key);
      assertTrue(
          readme.contains("`" + ConfigLoader.environmentName(key) + "`"),
          "README lacks the environment variable of " + key);
    }
  }

  @Test
  void documentsEveryServerMeterAServerExports() throws Exception {
    String readme = Files.readString(README);
    try (RunningServer server = RunningServer.start(Map.of())) {
      try (Socket client = new Socket("127.0.0.1", server.port())) {
        client
            .getOutputStream()
            .write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        client.getInputStream().read();
      }
      List<String> families =
          server
              .scrape()
              .text()
              .lines()
              .filter(line -> line.startsWith("# TYPE server_"))
              .map(line -> line.split(" ")[2])
              .map(name -> name.replaceAll("_(bucket|count|sum|max)$", ""))
              .distinct()
              .toList();
      assertTrue(families.size() > 15, "expected the accept-path meters in " + families);
      for (String family : families) {
        assertTrue(readme.contains("`" + family), "README's metrics reference lacks " + family);
      }
    }
  }
}
