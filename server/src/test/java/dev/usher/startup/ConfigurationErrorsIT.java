package dev.usher.startup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.usher.testing.TestCertificates;
import dev.usher.testing.UsherProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an operator sees when usher's configuration is wrong: exit status 2 and one line on the
 * console that names the key, the value and where it came from; never a stack trace, never a
 * listener opened.
 */
class ConfigurationErrorsIT {
  private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(60);
  private static final int EXIT_BAD_CONFIGURATION = 2;

  @TempDir Path directory;

  @Test
  void aBadSystemPropertyExitsWith2AndOneLineNamingKeyValueAndSource() throws Exception {
    try (UsherProcess usher =
        UsherProcess.start(List.of("-Dserver.port=abc", "-Dadmin.port=0"), Map.of())) {
      assertEquals(EXIT_BAD_CONFIGURATION, usher.awaitExit(EXIT_TIMEOUT), usher.outputText());
      assertEquals(
          List.of(
              "usher: invalid configuration: server.port = abc (from system property -Dserver.port):"
                  + " expected an integer from 0 to 65535"),
          usher.output());
    }
  }

  @Test
  void aBadEnvironmentVariableExitsWith2AndOneLineNamingTheVariable() throws Exception {
    try (UsherProcess usher =
        UsherProcess.start(List.of("-Dadmin.port=0"), Map.of("SERVER_PORT", "abc"))) {
      assertEquals(EXIT_BAD_CONFIGURATION, usher.awaitExit(EXIT_TIMEOUT), usher.outputText());
      assertEquals(
          List.of(
              "usher: invalid configuration: server.port = abc (from environment variable"
                  + " SERVER_PORT): expected an integer from 0 to 65535"),
          usher.output());
    }
  }

  @Test
  void aMisspelledKeyExitsWith2AndSuggestsTheKnownKey() throws Exception {
    try (UsherProcess usher =
        UsherProcess.start(
            List.of("-Dserver.port=0", "-Dadmin.port=0", "-Dserver.backlgo=128"), Map.of())) {
      assertEquals(EXIT_BAD_CONFIGURATION, usher.awaitExit(EXIT_TIMEOUT), usher.outputText());
      assertEquals(
          List.of(
              "usher: invalid configuration: server.backlgo = 128 (from system property"
                  + " -Dserver.backlgo): expected one of the keys in usher-defaults.conf; did you mean"
                  + " server.backlog?"),
          usher.output());
    }
  }

  @Test
  void aRenamedKeyInTheEnvironmentExitsWith2AndNamesItsNewName() throws Exception {
    try (UsherProcess usher =
        UsherProcess.start(
            List.of("-Dserver.port=0", "-Dadmin.port=0"),
            Map.of("SERVER_MAX_REQUEST_BYTES", "2MiB"))) {
      assertEquals(EXIT_BAD_CONFIGURATION, usher.awaitExit(EXIT_TIMEOUT), usher.outputText());
      assertEquals(
          List.of(
              "usher: invalid configuration: server.max-request-bytes = 2MiB (from environment"
                  + " variable SERVER_MAX_REQUEST_BYTES) was renamed: use http.max-body-bytes"),
          usher.output());
    }
  }

  @Test
  void theRemovedBossThreadsKeyExitsWith2AndPointsAtReusePort() throws Exception {
    try (UsherProcess usher =
        UsherProcess.start(
            List.of("-Dserver.port=0", "-Dadmin.port=0", "-Dserver.boss-threads=2"), Map.of())) {
      assertEquals(EXIT_BAD_CONFIGURATION, usher.awaitExit(EXIT_TIMEOUT), usher.outputText());
      assertEquals(
          List.of(
              "usher: invalid configuration: server.boss-threads = 2 (from system property"
                  + " -Dserver.boss-threads) was removed: one listening socket is served by one boss"
                  + " thread; for several acceptors use server.accept-mode = reuseport"),
          usher.output());
    }
  }

  @Test
  void aBadValueInTheConfigFileExitsWith2AndNamesTheFileAndLine() throws Exception {
    Path file = Files.writeString(directory.resolve("usher.conf"), "server {\n  port = null\n}\n");

    try (UsherProcess usher =
        UsherProcess.start(List.of("-Dadmin.port=0"), Map.of(), "--config", file.toString())) {
      assertEquals(EXIT_BAD_CONFIGURATION, usher.awaitExit(EXIT_TIMEOUT), usher.outputText());
      assertEquals(
          List.of(
              "usher: invalid configuration: server.port = null (from file "
                  + file
                  + ", line 2): expected an integer from 0 to 65535"),
          usher.output());
    }
  }

  @Test
  void aConfigFileThatDoesNotExistExitsWith2() throws Exception {
    Path missing = directory.resolve("missing.conf");

    try (UsherProcess usher =
        UsherProcess.start(
            List.of("-Dserver.port=0", "-Dadmin.port=0"),
            Map.of(),
            "--config",
            missing.toString())) {
      assertEquals(EXIT_BAD_CONFIGURATION, usher.awaitExit(EXIT_TIMEOUT), usher.outputText());
      assertEquals(
          List.of(
              "usher: invalid configuration: configuration file " + missing + " does not exist"),
          usher.output());
    }
  }

  @Test
  void aConfigFileThatDoesNotParseExitsWith2AndNamesTheLine() throws Exception {
    Path file =
        Files.writeString(directory.resolve("usher.conf"), "server {\n  port = 8080\n  host = [\n");

    try (UsherProcess usher =
        UsherProcess.start(
            List.of("-Dserver.port=0", "-Dadmin.port=0"), Map.of(), "--config", file.toString())) {
      assertEquals(EXIT_BAD_CONFIGURATION, usher.awaitExit(EXIT_TIMEOUT), usher.outputText());
      assertEquals(1, usher.output().size(), usher.outputText());
      String line = usher.output().getFirst();
      assertTrue(
          line.startsWith(
              "usher: invalid configuration: cannot parse " + file + ": " + file + ": 4:"),
          line);
    }
  }

  @Test
  void anUnknownArgumentExitsWith2AndPrintsTheUsage() throws Exception {
    try (UsherProcess usher =
        UsherProcess.start(
            List.of("-Dserver.port=0", "-Dadmin.port=0"), Map.of(), "--frobnicate")) {
      assertEquals(EXIT_BAD_CONFIGURATION, usher.awaitExit(EXIT_TIMEOUT), usher.outputText());
      assertEquals(
          List.of(
              "usher: unknown argument --frobnicate; usage: java -jar usher-server.jar [--config FILE]"
                  + " [--print-config] [--help]"),
          usher.output());
    }
  }

  @Test
  void aKeyThatDoesNotMatchTheCertificateExitsWith2AndOneLineNamingTheKeyFile() throws Exception {
    TestCertificates certificates = TestCertificates.in(directory);
    TestCertificates.Pair server = certificates.server("server");
    TestCertificates.Pair other = certificates.server("other");
    try (UsherProcess usher =
        UsherProcess.start(
            List.of("-Dserver.port=0", "-Dadmin.port=0"),
            Map.of(
                "SERVER_TLS_CERTIFICATE", server.certificate().toString(),
                "SERVER_TLS_PRIVATE_KEY", other.privateKey().toString()))) {
      assertEquals(EXIT_BAD_CONFIGURATION, usher.awaitExit(EXIT_TIMEOUT), usher.outputText());
      String expected =
          "usher: invalid configuration: server.tls.private-key = "
              + other.privateKey()
              + ": the key does not belong to the certificate in server.tls.certificate"
              + " (CN=server)";
      assertEquals(1, usher.output().stream().filter(expected::equals).count(), usher.outputText());
      assertTrue(
          usher.output().stream().noneMatch(line -> line.startsWith("\tat ")),
          "no stack trace:\n" + usher.outputText());
    }
  }
}
