package dev.usher.metrics;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.usher.lifecycle.AcceptHold;
import dev.usher.testing.ExternalTools;
import dev.usher.testing.PrometheusScrape;
import dev.usher.testing.RunningServer;
import dev.usher.testing.SocketStatistics;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The per-connection accept-path meters against what the clients did and what the kernel shows. */
class AcceptLatencyMetersTest {
  private static final Duration PATIENCE = Duration.ofSeconds(10);
  private static final String MAIN = "listener=\"main\"";

  @SuppressWarnings("try") // the hold is the point: it lasts for the try block
  @Test
  void connectionsThatWaitedInTheQueueAreRecordedWithAtLeastTheirWait() throws Exception {
    long heldMillis = 400;
    try (RunningServer server = RunningServer.start()) {
      PrometheusScrape before = server.scrape();
      double countBefore = before.require("server_accept_queue_wait_seconds_count", MAIN);
      List<Socket> clients = new ArrayList<>();
      long holdStarted = System.nanoTime();
      try (AcceptHold hold = AcceptHold.hold(server.server())) {
        for (int i = 0; i < 3; i++) {
          clients.add(new Socket("127.0.0.1", server.port()));
        }
        long connected = System.nanoTime();
        await()
            .pollDelay(Duration.ofMillis(heldMillis))
            .atMost(PATIENCE)
            .until(
                () -> System.nanoTime() - connected >= TimeUnit.MILLISECONDS.toNanos(heldMillis));
      }
      await()
          .atMost(PATIENCE)
          .until(
              () ->
                  server.scrape().require("server_accept_queue_wait_seconds_count", MAIN)
                      >= countBefore + 3);
      PrometheusScrape after = server.scrape();
      // The three held clients (and the hold's sentinel, if it queued) waited >= heldMillis; the
      // kernel counts in ticks (jiffies), up to 10 ms each, and rounds down.
      double waitedAtLeast = (heldMillis - 10) / 1000.0;
      double slowBucket =
          after.require("server_accept_queue_wait_seconds_bucket", MAIN, "le=\"0.25\"");
      double all = after.require("server_accept_queue_wait_seconds_count", MAIN);
      assertTrue(all - slowBucket >= 3, "3 connections waited over 250 ms:\n" + after.text());
      assertTrue(after.require("server_accept_queue_wait_seconds_max", MAIN) >= waitedAtLeast);
      double sinceHoldStarted = (System.nanoTime() - holdStarted) / 1e9;
      assertTrue(
          after.require("server_accept_queue_wait_seconds_max", MAIN) <= sinceHoldStarted,
          "no connection can have waited longer than the hold lasted");
      for (Socket client : clients) {
        client.close();
      }
    }
  }

  @Test
  void everyAdmittedConnectionIsRecordedOnceInHandoffAndInOneAcceptBatch() throws Exception {
    try (RunningServer server = RunningServer.start()) {
      int requests = 20;
      for (int i = 0; i < requests; i++) {
        try (Socket client = new Socket("127.0.0.1", server.port())) {
          assertTrue(get(client).startsWith("HTTP/1.1 200"));
        }
      }
      PrometheusScrape scrape = server.scrape();
      double accepted = scrape.require("server_connections_accepted_total", MAIN);
      assertEquals(requests, accepted);
      assertEquals(accepted, scrape.require("server_accept_handoff_seconds_count", MAIN));
      assertEquals(accepted, scrape.require("server_accept_batch_size_sum", MAIN));
      assertTrue(scrape.require("server_accept_batch_size_count", MAIN) >= 1);
      assertEquals(accepted, scrape.require("server_accept_queue_wait_seconds_count", MAIN));
      await()
          .atMost(PATIENCE)
          .until(
              () ->
                  server.scrape().require("server_connection_duration_seconds_count", MAIN)
                      == requests);
      assertTrue(scrape.require("server_bytes_received_total", MAIN) > 0);
      assertTrue(scrape.require("server_bytes_sent_total", MAIN) > 0);
      assertEquals(requests, scrape.require("server_http_requests_total", "status_class=\"2xx\""));
      assertEquals(requests, scrape.require("server_http_request_duration_seconds_count"));
    }
  }

  @Test
  void activeConnectionsMatchWhatSsSeesEstablished() throws Exception {
    try (RunningServer server = RunningServer.start()) {
      List<Socket> clients = new ArrayList<>();
      try {
        for (int i = 0; i < 7; i++) {
          Socket client = new Socket("127.0.0.1", server.port());
          assertTrue(get(client).startsWith("HTTP/1.1 200"));
          clients.add(client);
        }
        assertEquals(7, SocketStatistics.establishedTo(server.port()));
        assertEquals(7, server.scrape().require("server_connections_active", MAIN));
        clients.removeFirst().close();
        clients.removeFirst().close();
        await().atMost(PATIENCE).until(() -> SocketStatistics.establishedTo(server.port()) == 5);
        await()
            .atMost(PATIENCE)
            .until(() -> server.scrape().require("server_connections_active", MAIN) == 5);
      } finally {
        for (Socket client : clients) {
          client.close();
        }
      }
    }
  }

  @Test
  void withTheNioTransportTheKernelMetersAreAbsentNotZero() throws Exception {
    try (RunningServer server = RunningServer.start(Map.of("server.transport", "nio"))) {
      try (Socket client = new Socket("127.0.0.1", server.port())) {
        assertTrue(get(client).startsWith("HTTP/1.1 200"));
      }
      PrometheusScrape scrape = server.scrape();
      assertFalse(scrape.value("server_listen_queue_depth").isPresent());
      assertFalse(scrape.value("server_listen_queue_peak").isPresent());
      assertFalse(scrape.value("server_accept_queue_wait_seconds_count").isPresent());
      assertEquals(1, scrape.require("server_accept_handoff_seconds_count", MAIN));
      assertEquals(1, scrape.require("server_info", "transport=\"nio\""));
    }
  }

  @Test
  void aRealScrapePassesPromtoolCheckMetrics() throws Exception {
    ExternalTools.require("promtool", "prometheus");
    try (RunningServer server = RunningServer.start()) {
      try (Socket client = new Socket("127.0.0.1", server.port())) {
        assertTrue(get(client).startsWith("HTTP/1.1 200"));
      }
      Path scrape = Files.createTempFile("usher-scrape", ".prom");
      try {
        Files.writeString(scrape, server.admin("/metrics").body());
        ExternalTools.run(
                Duration.ofSeconds(30),
                List.of("sh", "-c", "promtool check metrics < '" + scrape + "'"))
            .assertSucceeded();
      } finally {
        Files.delete(scrape);
      }
    }
  }

  private static String get(Socket client) throws IOException {
    OutputStream out = client.getOutputStream();
    out.write("GET / HTTP/1.1\r\nHost: usher\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    out.flush();
    InputStream in = client.getInputStream();
    byte[] buffer = new byte[4096];
    StringBuilder response = new StringBuilder();
    while (!response.toString().endsWith("hello from usher\n")) {
      int read = in.read(buffer);
      if (read < 0) {
        break;
      }
      response.append(new String(buffer, 0, read, StandardCharsets.US_ASCII));
    }
    return response.toString();
  }
}
