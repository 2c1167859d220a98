package dev.usher.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.usher.testing.PrometheusScrape;
import dev.usher.testing.RawConnection;
import dev.usher.testing.RunningServer;
import dev.usher.testing.WireResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The HTTP meters, which every event loop counts on its own: the scrape must add all loops up, and
 * time each request from the read that brought it to the flush of its answer.
 */
class HttpMetersTest {
  private static final String DURATION = "server_http_request_duration_seconds";
  private static final Pattern BUCKET =
      Pattern.compile(
          "^" + DURATION + "_bucket\\{http_version=\"1.1\",le=\"([^\"]+)\"} (\\S+)$",
          Pattern.MULTILINE);

  @Test
  void answersOnEveryLoopAreCountedOnceEach() throws Exception {
    int connections = 8;
    int pipelined = 25;
    try (RunningServer server = RunningServer.start(Map.of("server.worker-threads", "4"));
        ExecutorService clients = Executors.newFixedThreadPool(connections)) {
      List<Future<Integer>> answered = new ArrayList<>();
      for (int i = 0; i < connections; i++) {
        answered.add(clients.submit(pipelinedClient(server, pipelined)));
      }
      for (Future<Integer> client : answered) {
        assertEquals(pipelined + 1, client.get());
      }

      PrometheusScrape scrape = server.scrape();
      int requests = connections * (pipelined + 1);
      assertEquals(
          connections * pipelined,
          scrape.require(
              "server_http_requests_total", "http_version=\"1.1\"", "status_class=\"2xx\""));
      assertEquals(
          connections,
          scrape.require(
              "server_http_requests_total", "http_version=\"1.1\"", "status_class=\"4xx\""));
      assertEquals(requests, scrape.require(DURATION + "_count"));
      List<Double> cumulative = bucketCounts(scrape);
      for (int i = 1; i < cumulative.size(); i++) {
        assertTrue(cumulative.get(i) >= cumulative.get(i - 1), "buckets must not decrease");
      }
      assertEquals(requests, cumulative.getLast(), "the +Inf bucket holds every request");
    }
  }

  @Test
  void aRequestIsTimedFromTheReadThatBroughtItsHeadNotFromItsLastByte() throws Exception {
    long bodyDelayMillis = 600;
    try (RunningServer server = RunningServer.start();
        RawConnection connection = RawConnection.open(server.address())) {
      // A first exchange, so that the slow one's head is read as soon as it is sent.
      assertEquals(
          200, connection.send("GET / HTTP/1.1\r\nHost: usher\r\n\r\n").readResponse().status());
      PrometheusScrape before = server.scrape();

      connection.send("POST /echo HTTP/1.1\r\nHost: usher\r\nContent-Length: 5\r\n\r\n");
      Thread.sleep(bodyDelayMillis);
      assertEquals(200, connection.send("hello").readResponse().status());

      PrometheusScrape after = server.scrape();
      assertEquals(1, delta(before, after, DURATION + "_count"));
      assertEquals(
          0,
          delta(before, after, DURATION + "_bucket", "le=\"0.25\""),
          "the wait for the body is part of the request's time");
      assertTrue(delta(before, after, DURATION + "_sum") >= 0.25);
    }
  }

  private static double delta(
      PrometheusScrape before, PrometheusScrape after, String name, String... labels) {
    return after.require(name, labels) - before.require(name, labels);
  }

  private static Callable<Integer> pipelinedClient(RunningServer server, int requests) {
    return () -> {
      try (RawConnection connection = RawConnection.open(server.address())) {
        connection.send(
            "GET / HTTP/1.1\r\nHost: usher\r\n\r\n".repeat(requests)
                + "GET /missing HTTP/1.1\r\nHost: usher\r\n\r\n");
        int answered = 0;
        for (int i = 0; i <= requests; i++) {
          WireResponse response = connection.readResponse();
          assertEquals(i < requests ? 200 : 404, response.status());
          answered++;
        }
        return answered;
      }
    };
  }

  private static List<Double> bucketCounts(PrometheusScrape scrape) {
    List<Double> counts = new ArrayList<>();
    Matcher bucket = BUCKET.matcher(scrape.text());
    while (bucket.find()) {
      counts.add(Double.parseDouble(bucket.group(2)));
    }
    assertEquals(16, counts.size(), "15 bounds and +Inf");
    return counts;
  }
}
