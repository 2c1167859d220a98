package dev.usher.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.usher.testing.PrometheusScrape;
import dev.usher.testing.RawConnection;
import dev.usher.testing.UsherProcess;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The access log as an operator reads it: usher run as a process with {@code log.access = on}, real
 * clients on real sockets, and the lines on its standard output for each kind of answer (200, a
 * malformed request's 400, a 503 from the blocking bound, HEAD, pipelined requests, HTTP/2), and
 * the drop counter on {@code /metrics}.
 */
class AccessLogIT {
  private static final Duration LINE_TIMEOUT = Duration.ofSeconds(15);
  // The client, the time in brackets; the duration in seconds with microseconds.
  private static final String CLIENT_AND_TIME =
      "^127\\.0\\.0\\.1 - - \\[\\d\\d/\\w{3}/\\d{4}:\\d\\d:\\d\\d:\\d\\d [-+]\\d{4}\\] ";
  private static final String DURATION = "\\d+\\.\\d{6}";

  @Test
  void writesALineForEachKindOfAnswer() throws Exception {
    try (UsherProcess usher =
        UsherProcess.start(
            UsherProcess.onLoopback(
                "-Dlog.access=on",
                "-Dhttp.sample-load-routes=on",
                "-Dhttp.blocking.max-concurrent=1"),
            Map.of())) {
      InetSocketAddress main = new InetSocketAddress("127.0.0.1", usher.awaitAccepting());
      int admin = usher.adminPort();

      try (RawConnection client = RawConnection.open(main)) {
        client.send(
            "GET / HTTP/1.1\r\nHost: a\r\nUser-Agent: it/1\r\nX-Request-Id: it-200\r\n\r\n");
        assertEquals(200, client.readResponse().status());
        client.send("HEAD / HTTP/1.1\r\nHost: a\r\nX-Request-Id: it-head\r\n\r\n");
        assertEquals(200, client.readHeadResponse().status());
        client.send(
            "GET /nothing HTTP/1.1\r\nHost: a\r\nX-Request-Id: it-pipelined-1\r\n\r\n"
                + "GET / HTTP/1.1\r\nHost: a\r\nX-Request-Id: it-pipelined-2\r\n\r\n");
        assertEquals(404, client.readResponse().status());
        assertEquals(200, client.readResponse().status());
      }
      try (RawConnection malformed = RawConnection.open(main)) {
        malformed.send("GET / HTTP/1.1\r\nHost: a\r\nno colon here\r\n\r\n");
        assertEquals(400, malformed.readResponse().status());
      }
      try (RawConnection sleeper = RawConnection.open(main);
          RawConnection shed = RawConnection.open(main)) {
        sleeper.send("GET /sleep?ms=3000 HTTP/1.1\r\nHost: a\r\nX-Request-Id: it-sleep\r\n\r\n");
        awaitBlockingTaskActive(admin);
        shed.send("GET /sleep?ms=1 HTTP/1.1\r\nHost: a\r\nX-Request-Id: it-503\r\n\r\n");
        assertEquals(503, shed.readResponse().status());
        assertEquals(200, sleeper.readResponse().status());
      }
      try (RawConnection h2c = RawConnection.open(main)) {
        h2c.send(
            Http2Frames.concat(Http2Frames.clientStart(), Http2Frames.request(1, "GET", true)));
        awaitEndOfStream(h2c.socket().getInputStream(), 1);
      }

      assertLine(
          usher, "it-200", "\"GET / HTTP/1.1\" 200 17 \"-\" \"it/1\" " + DURATION + " it-200");
      assertLine(
          usher, "it-head", "\"HEAD / HTTP/1.1\" 200 0 \"-\" \"-\" " + DURATION + " it-head");
      assertLine(
          usher,
          "it-pipelined-1",
          "\"GET /nothing HTTP/1.1\" 404 14 \"-\" \"-\" " + DURATION + " it-pipelined-1");
      assertLine(
          usher,
          "it-pipelined-2",
          "\"GET / HTTP/1.1\" 200 17 \"-\" \"-\" " + DURATION + " it-pipelined-2");
      assertLine(usher, "\" 400 ", "\"-\" 400 16 \"-\" \"-\" " + DURATION + " -");
      assertLine(
          usher,
          "it-503",
          "\"GET /sleep\\?ms=1 HTTP/1.1\" 503 \\d+ \"-\" \"-\" " + DURATION + " it-503");
      assertLine(
          usher,
          "it-sleep",
          "\"GET /sleep\\?ms=3000 HTTP/1.1\" 200 \\d+ \"-\" \"-\" [3-9]\\.\\d{6} it-sleep");
      assertLine(
          usher, "HTTP/2.0", "\"GET / HTTP/2.0\" 200 17 \"-\" \"-\" " + DURATION + " [0-9a-f]{16}");

      PrometheusScrape scrape = scrape(admin);
      assertEquals(0.0, scrape.require("server_access_log_dropped_total"));
      List<String> output = usher.output();
      assertTrue(
          output.stream()
              .filter(line -> line.matches(CLIENT_AND_TIME + ".*"))
              .noneMatch(line -> line.contains("/metrics")),
          "the admin listener's requests are not logged:\n" + usher.outputText());
      assertEquals(
          8,
          output.stream().filter(line -> line.matches(CLIENT_AND_TIME + ".*")).count(),
          "one line per answer:\n" + usher.outputText());

      usher.sigterm();
      assertEquals(0, usher.awaitExit(Duration.ofSeconds(60)), usher.outputText());
    }
  }

  private static void assertLine(UsherProcess usher, String marker, String expected)
      throws InterruptedException {
    String line = usher.awaitLine(candidate -> candidate.contains(marker), LINE_TIMEOUT);
    assertTrue(
        Pattern.matches(CLIENT_AND_TIME + expected, line),
        "expected " + expected + "\nin: " + line + "\noutput:\n" + usher.outputText());
  }

  private static void awaitBlockingTaskActive(int admin) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (scrape(admin).require("server_blocking_tasks_active") < 1) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the sleeping request never started");
      }
      Thread.sleep(20);
    }
  }

  private static PrometheusScrape scrape(int admin) throws Exception {
    try (HttpClient http = HttpClient.newHttpClient()) {
      HttpResponse<String> metrics =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/metrics"))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return PrometheusScrape.parse(metrics.body());
    }
  }

  private static void awaitEndOfStream(InputStream in, int streamId) throws Exception {
    for (int frames = 0; frames < 100; frames++) {
      Http2Frames.Frame frame = Http2Frames.read(in);
      if (frame.streamId() == streamId && (frame.flags() & 0x1) != 0) {
        return;
      }
    }
    throw new AssertionError("no end of stream " + streamId);
  }
}
