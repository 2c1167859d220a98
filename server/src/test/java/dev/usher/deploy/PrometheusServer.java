package dev.usher.deploy;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.usher.testing.ExternalTools;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus server (Debian package prometheus) in a child process, on 127.0.0.1, with its
 * data and log in a directory the caller owns, and its HTTP API read as JSON. Closing it stops the
 * process: SIGTERM, then SIGKILL if it has not ended within 20 s.
 */
final class PrometheusServer implements AutoCloseable {
  private static final int LOG_TAIL_LINES = 40;

  private final Process process;
  private final URI base;
  private final Path log;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private PrometheusServer(Process process, URI base, Path log) {
    this.process = process;
    this.base = base;
    this.log = log;
  }

  /**
   * Starts {@code prometheus --config.file=config} with its storage and log in {@code directory},
   * and returns once it answers {@code /-/ready}. Skips the test (fails it under CI) where
   * prometheus is missing.
   */
  static PrometheusServer start(Path config, Path directory, Duration readyWithin)
      throws IOException {
    Path binary = ExternalTools.require("prometheus", "prometheus");
    int port = freeLoopbackPort();
    Path log = directory.resolve("prometheus.log");
    Process process =
        new ProcessBuilder(
                binary.toString(),
                "--config.file=" + config,
                "--storage.tsdb.path=" + directory.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    PrometheusServer server =
        new PrometheusServer(process, URI.create("http://127.0.0.1:" + port), log);
    try {
      await("Prometheus ready on 127.0.0.1:" + port)
          .atMost(readyWithin)
          .pollInterval(Duration.ofMillis(200))
          .ignoreExceptions()
          .failFast("prometheus exited", () -> !process.isAlive())
          .untilAsserted(() -> server.assertReady());
    } catch (RuntimeException | Error notReady) {
      server.close();
      throw new AssertionError(
          "Prometheus did not become ready; its log:\n" + server.logTail(), notReady);
    }
    return server;
  }

  private void assertReady() throws IOException, InterruptedException {
    int status =
        http.send(
                HttpRequest.newBuilder(base.resolve("/-/ready")).build(),
                HttpResponse.BodyHandlers.discarding())
            .statusCode();
    if (status != 200) {
      throw new AssertionError("/-/ready answered " + status);
    }
  }

  /**
   * GETs an API path ({@code /api/v1/...}, query string included) and returns the whole JSON
   * answer; fails unless Prometheus says {@code "status": "success"}.
   */
  JsonNode api(String pathAndQuery) {
    URI uri = base.resolve(pathAndQuery);
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
              HttpResponse.BodyHandlers.ofString());
      JsonNode answer = DeployFiles.JSON.readTree(response.body());
      if (!"success".equals(answer.path("status").asText())) {
        throw new AssertionError(
            "GET " + uri + " answered " + response.statusCode() + ": " + response.body());
      }
      return answer;
    } catch (IOException unreachable) {
      throw new UncheckedIOException(
          "GET " + uri + " failed; Prometheus' log:\n" + logTail(), unreachable);
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during GET " + uri, interrupted);
    }
  }

  /** An instant query ({@code /api/v1/query}) evaluated now; the whole JSON answer. */
  JsonNode query(String promql) {
    return api("/api/v1/query?query=" + encode(promql));
  }

  static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }

  /** The last lines Prometheus logged, for failure messages. */
  String logTail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join(
          "\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
    } catch (IOException unreadable) {
      return "(cannot read " + log + ": " + unreadable + ")";
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException interrupted) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  // Another process may take the port between this close and Prometheus' bind; Prometheus then
  // exits at once, and start() fails with its log, which names the port.
  private static int freeLoopbackPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
