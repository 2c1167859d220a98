package dev.usher.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.usher.testing.ExternalTools;
import dev.usher.testing.ExternalTools.Result;
import dev.usher.testing.RunningServer;
import dev.usher.testing.TestCertificates;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/2 with the clients people use: curl (prior knowledge, ALPN over TLS, and its HTTP/1.1 {@code
 * Upgrade: h2c}, which usher does not honour), nghttp and h2load, each answered by the same service
 * as HTTP/1.1 and counted with {@code http_version="2"}.
 */
class Http2ClientsTest {
  private static final Duration PATIENCE = Duration.ofSeconds(60);

  @TempDir Path directory;

  private static Result curl(String... arguments) {
    List<String> command =
        new ArrayList<>(
            List.of(
                ExternalTools.require("curl", "curl").toString(),
                "-sS",
                "-w",
                "\n%{http_code} %{http_version}"));
    command.addAll(List.of(arguments));
    return ExternalTools.run(PATIENCE, command).assertSucceeded();
  }

  @Test
  void curlSpeaksH2cWithPriorKnowledgeAndHttp11WhenItAsksToUpgrade() throws Exception {
    try (RunningServer usher = RunningServer.start()) {
      String uri = "http://127.0.0.1:" + usher.port() + "/";

      assertEquals("hello from usher\n\n200 2", curl("--http2-prior-knowledge", uri).output());
      assertEquals(
          "posted\n200 2", curl("--http2-prior-knowledge", "-d", "posted", uri + "echo").output());
      // curl --http2 on http:// asks for "Upgrade: h2c", which RFC 9113 deprecates: usher answers
      // in HTTP/1.1 and upgrades nothing.
      assertEquals("hello from usher\n\n200 1.1", curl("--http2", uri).output());

      var scrape = usher.scrape();
      assertEquals(
          2,
          scrape.require(
              "server_http_requests_total", "http_version=\"2\"", "status_class=\"2xx\""));
      assertEquals(
          1,
          scrape.require(
              "server_http_requests_total", "http_version=\"1.1\"", "status_class=\"2xx\""));
    }
  }

  @Test
  void aBodyOverTheLimitGets413AndOneAfter100ContinueIsEchoed() throws Exception {
    try (RunningServer usher = RunningServer.start(Map.of("http.max-body-bytes", "16"))) {
      String echo = "http://127.0.0.1:" + usher.port() + "/echo";

      assertEquals(
          "413",
          curl("--http2-prior-knowledge", "-o", "/dev/null", "-d", "x".repeat(64), echo)
              .output()
              .strip()
              .split(" ")[0]);
      assertEquals(
          "posted\n200 2",
          curl("--http2-prior-knowledge", "-H", "Expect: 100-continue", "-d", "posted", echo)
              .output());
    }
  }

  @Test
  void curlAndNghttpSpeakH2OverTlsByAlpn() throws Exception {
    TestCertificates certificates = TestCertificates.in(directory);
    TestCertificates.Pair server = certificates.server("server");
    try (RunningServer usher =
        RunningServer.start(
            Map.of(
                "server.tls.certificate", server.certificate().toString(),
                "server.tls.private-key", server.privateKey().toString()))) {
      String uri = "https://localhost:" + usher.port() + "/";

      assertEquals(
          "hello from usher\n\n200 2",
          curl("--cacert", certificates.authority().toString(), "--http2", uri).output());
      Result nghttp =
          ExternalTools.run(
                  PATIENCE,
                  List.of(ExternalTools.require("nghttp", "nghttp2-client").toString(), "-v", uri))
              .assertSucceeded();
      assertTrue(nghttp.output().contains("hello from usher"), nghttp.output());
      assertTrue(nghttp.output().contains(":status: 200"), nghttp.output());
      assertTrue(nghttp.output().contains("The negotiated protocol: h2"), nghttp.output());
    }
  }

  @Test
  void h2loadsMultiplexedRequestsAllSucceedAndTheStreamsAreAllClosedAfter() throws Exception {
    Path h2load = ExternalTools.require("h2load", "nghttp2-client");
    try (RunningServer usher = RunningServer.start()) {
      Result run =
          ExternalTools.run(
                  PATIENCE,
                  List.of(
                      h2load.toString(),
                      "-n",
                      "2000",
                      "-c",
                      "4",
                      "-m",
                      "32",
                      "http://127.0.0.1:" + usher.port() + "/"))
              .assertSucceeded();

      assertTrue(
          run.output()
              .contains(
                  "requests: 2000 total, 2000 started, 2000 done, 2000 succeeded, 0 failed,"
                      + " 0 errored, 0 timeout"),
          run.output());
      var scrape = usher.scrape();
      assertEquals(
          2000,
          scrape.require(
              "server_http_requests_total", "http_version=\"2\"", "status_class=\"2xx\""));
      // Each answer's time ends when it is flushed, with its read batch's or on its own.
      assertEquals(
          2000, scrape.require("server_http_request_duration_seconds_count", "http_version=\"2\""));
      assertEquals(0, scrape.require("server_http2_streams_active"));
    }
  }
}
