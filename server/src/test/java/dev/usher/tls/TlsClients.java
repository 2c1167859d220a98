package dev.usher.tls;

import dev.usher.testing.ExternalTools;
import dev.usher.testing.ExternalTools.Result;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The TLS clients operators use, driven against a usher listener: curl and openssl s_client. */
final class TlsClients {
  private static final Duration PATIENCE = Duration.ofSeconds(30);

  private TlsClients() {}

  /** curl's view of {@code GET path}: "STATUS HTTP-VERSION" after the body, or its error. */
  static Result curl(int port, Path authority, String path, String... options) {
    List<String> command =
        new ArrayList<>(
            List.of(
                ExternalTools.require("curl", "curl").toString(),
                "-sS",
                "--cacert",
                authority.toString(),
                "-w",
                "\n%{http_code} %{http_version}"));
    command.addAll(List.of(options));
    command.add("https://localhost:" + port + path);
    return ExternalTools.run(PATIENCE, command);
  }

  /**
   * {@code openssl s_client}'s handshake with the listener (stdin empty, so it closes once done),
   * with everything it printed.
   */
  static Result sClient(int port, Path authority, String... options) {
    List<String> command =
        new ArrayList<>(
            List.of(
                ExternalTools.require("openssl", "openssl").toString(),
                "s_client",
                "-connect",
                "127.0.0.1:" + port,
                "-servername",
                "localhost",
                "-CAfile",
                authority.toString()));
    command.addAll(List.of(options));
    return ExternalTools.run(PATIENCE, List.of("sh", "-c", shellQuoted(command) + " </dev/null"));
  }

  private static String shellQuoted(List<String> command) {
    return String.join(
        " ", command.stream().map(word -> "'" + word.replace("'", "'\\''") + "'").toList());
  }
}
