package dev.usher.accept;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.usher.testing.ExternalTools;
import dev.usher.testing.PrometheusScrape;
import dev.usher.testing.RawConnection;
import dev.usher.testing.UsherProcess;
import dev.usher.testing.WireResponse;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * At the descriptor limit (usher under a low {@code RLIMIT_NOFILE}), {@code accept()} fails with
 * EMFILE. The main listener must survive it, count it as {@code accept_error}, pause rather than
 * spin or log once a second, and serve again once descriptors are free; meanwhile the admin
 * listener, from its descriptor reserve, must still accept and answer scrapes, {@code /proc} reads
 * included.
 */
class AcceptErrorIT {
  private static final int DESCRIPTOR_LIMIT = 150;
  private static final Duration HELD_AT_THE_LIMIT = Duration.ofSeconds(6);
  private static final String ACCEPT_ERRORS = "server_connections_refused_total";
  private static final String MAIN = "listener=\"main\"";
  private static final String ACCEPT_ERROR = "reason=\"accept_error\"";

  @ParameterizedTest
  @ValueSource(strings = {"io_uring", "epoll"})
  void atTheDescriptorLimitScrapesAreAnsweredAndTheMainListenerPausesQuietlyUntilDescriptorsAreFree(
      String transport) throws Exception {
    ExternalTools.require("prlimit", "util-linux");
    try (UsherProcess usher =
        UsherProcess.startThrough(
            List.of("prlimit", "--nofile=" + DESCRIPTOR_LIMIT + ":" + DESCRIPTOR_LIMIT),
            UsherProcess.onLoopback("-Dserver.transport=" + transport),
            Map.of())) {
      int port = usher.awaitAccepting();
      InetSocketAddress admin = new InetSocketAddress("127.0.0.1", usher.adminPort());
      int linesBeforeTheLimit = usher.output().size();
      List<Socket> clients = new ArrayList<>();
      try {
        // More connections than usher may hold descriptors: the kernel queues those it cannot take.
        for (int i = 0; i < DESCRIPTOR_LIMIT + 50; i++) {
          clients.add(new Socket("127.0.0.1", port));
        }
        // Answered, at the limit, from the descriptors the admin listener kept in reserve.
        PrometheusScrape atTheLimit =
            await()
                .atMost(Duration.ofSeconds(15))
                .until(
                    () -> scrape(admin),
                    scrape ->
                        scrape.require(ACCEPT_ERRORS, MAIN, ACCEPT_ERROR) >= 1
                            && usher.output().stream().anyMatch(AcceptErrorIT::reserveReleased));
        assertTrue(
            atTheLimit.require("server_listen_queue_depth", MAIN) > 0,
            "no connection was left waiting in the main listener's queue");

        // Scrape after scrape, each on a connection of its own, while usher stays at its limit.
        int linesBeforeTheHold = usher.output().size();
        await()
            .during(HELD_AT_THE_LIMIT)
            .atMost(HELD_AT_THE_LIMIT.plusSeconds(10))
            .pollInterval(Duration.ofMillis(500))
            .until(() -> scrape(admin).require("server_listen_queue_depth", MAIN) > 0);
        PrometheusScrape stillAtTheLimit = scrape(admin);
        assertEquals(DESCRIPTOR_LIMIT, stillAtTheLimit.require("process_files_max_files"));
        double openFiles = stillAtTheLimit.require("process_files_open_files");
        assertTrue(
            openFiles > DESCRIPTOR_LIMIT - 10,
            "the open-file count at the limit read " + openFiles);
        // At most the refusal log's count of the failures just before the hold: not one a second.
        List<String> warningsWhileHeld =
            warnings(usher.output().subList(linesBeforeTheHold, usher.output().size()));
        assertTrue(
            warningsWhileHeld.size() <= 1,
            HELD_AT_THE_LIMIT.toSeconds()
                + " s at the limit logged:\n"
                + String.join("\n", warningsWhileHeld));
      } finally {
        for (Socket client : clients) {
          client.close();
        }
      }
      List<String> logAtTheLimit =
          usher.output().subList(linesBeforeTheLimit, usher.output().size());
      assertEquals(
          1,
          logAtTheLimit.stream().filter(line -> line.contains("accepts paused")).count(),
          usher.outputText());
      assertTrue(
          logAtTheLimit.stream()
              .noneMatch(line -> line.contains("reached at the tail of the pipeline")),
          usher.outputText());

      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      await()
          .atMost(Duration.ofSeconds(15))
          .ignoreExceptions()
          .until(() -> get(http, "http://127.0.0.1:" + port + "/").statusCode() == 200);
      usher.awaitLine(line -> line.contains("descriptors are free again"), Duration.ofSeconds(5));
      double failedAccepts = scrape(admin).require(ACCEPT_ERRORS, MAIN, ACCEPT_ERROR);
      // Paused until a descriptor is free, not retried on a timer (io_uring's multishot accept
      // once spun through a million failed accepts in three seconds).
      assertTrue(failedAccepts < 10, "the accept loop spun: " + failedAccepts + " failed accepts");

      usher.sigterm();
      assertEquals(0, usher.awaitExit(Duration.ofSeconds(30)), usher.outputText());
    }
  }

  private static boolean reserveReleased(String line) {
    return line.contains("admin listener: out of file descriptors");
  }

  private static List<String> warnings(List<String> lines) {
    return lines.stream().filter(line -> line.contains(" WARN ")).toList();
  }

  private static PrometheusScrape scrape(InetSocketAddress admin) throws IOException {
    try (RawConnection connection = RawConnection.open(admin)) {
      WireResponse response =
          connection
              .send("GET /metrics HTTP/1.1\r\nHost: usher\r\nConnection: close\r\n\r\n")
              .readResponse();
      assertEquals(200, response.status(), response.toString());
      return PrometheusScrape.parse(response.bodyText());
    }
  }

  private static HttpResponse<String> get(HttpClient http, String uri) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(2)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
