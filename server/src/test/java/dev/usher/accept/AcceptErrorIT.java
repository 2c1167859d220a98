package dev.usher.accept;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.usher.testing.ExternalTools;
import dev.usher.testing.UsherProcess;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Out of file descriptors, {@code accept()} fails with EMFILE. The accept loop must survive it,
 * count it as {@code accept_error}, pause rather than spin, log it rate-limited, and serve again
 * once descriptors are free.
 */
class AcceptErrorIT {
  private static final int DESCRIPTOR_LIMIT = 150;
  private static final Pattern ACCEPT_ERRORS =
      Pattern.compile(
          "server_connections_refused_total\\{listener=\"main\",reason=\"accept_error\"} (\\S+)");

  @ParameterizedTest
  @ValueSource(strings = {"io_uring", "epoll"})
  void survivesRunningOutOfFileDescriptorsAndCountsTheFailedAccepts(String transport)
      throws Exception {
    ExternalTools.require("prlimit", "util-linux");
    try (UsherProcess usher =
        UsherProcess.startThrough(
            List.of("prlimit", "--nofile=" + DESCRIPTOR_LIMIT + ":" + DESCRIPTOR_LIMIT),
            UsherProcess.onLoopback("-Dserver.transport=" + transport),
            Map.of())) {
      int port = usher.awaitAccepting();
      int adminPort = usher.adminPort();
      List<Socket> clients = new ArrayList<>();
      try {
        for (int i = 0; i < DESCRIPTOR_LIMIT + 50; i++) {
          clients.add(new Socket("127.0.0.1", port));
        }
        usher.awaitLine(line -> line.contains("accept_error="), Duration.ofSeconds(10));
      } finally {
        for (Socket client : clients) {
          client.close();
        }
      }

      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      await()
          .atMost(Duration.ofSeconds(15))
          .ignoreExceptions()
          .until(() -> get(http, "http://127.0.0.1:" + port + "/").statusCode() == 200);
      String metrics = get(http, "http://127.0.0.1:" + adminPort + "/metrics").body();
      Matcher acceptErrors = ACCEPT_ERRORS.matcher(metrics);
      assertTrue(acceptErrors.find(), metrics);
      double failedAccepts = Double.parseDouble(acceptErrors.group(1));
      assertTrue(failedAccepts >= 1, "EMFILE must be counted as accept_error");
      // One failed accept per one-second pause, not a busy loop (io_uring's multishot accept spun
      // through a million of them in three seconds).
      assertTrue(failedAccepts < 100, "the accept loop spun: " + failedAccepts + " failed accepts");

      usher.sigterm();
      assertEquals(0, usher.awaitExit(Duration.ofSeconds(30)), usher.outputText());
    }
  }

  private static HttpResponse<String> get(HttpClient http, String uri) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(2)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
