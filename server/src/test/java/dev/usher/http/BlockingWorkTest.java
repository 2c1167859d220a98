package dev.usher.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.usher.lifecycle.DrainSummary;
import dev.usher.testing.RawConnection;
import dev.usher.testing.RunningServer;
import dev.usher.testing.WireResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Handlers that block, run on virtual threads ({@code ApplicationSetup.blocking}), on a real
 * listener with one worker loop: they do not hold up the loop's other connections, pipelined
 * answers keep their order across blocking and non-blocking routes, the bound sheds with 503, and
 * the drain waits for blocking work in flight.
 */
class BlockingWorkTest {
  private static final Duration PATIENCE = Duration.ofSeconds(15);

  private static RunningServer start(String... settings) throws Exception {
    Map<String, String> overrides = new HashMap<>();
    overrides.put("http.sample-load-routes", "on");
    overrides.put("server.worker-threads", "1");
    for (int i = 0; i < settings.length; i += 2) {
      overrides.put(settings[i], settings[i + 1]);
    }
    return RunningServer.start(overrides);
  }

  private static String get(String target) {
    return "GET " + target + " HTTP/1.1\r\nHost: usher\r\n\r\n";
  }

  @Test
  void aBlockingHandlerDoesNotHoldUpAnotherConnectionOnTheSameLoop() throws Exception {
    try (RunningServer usher = start();
        RawConnection sleeping = RawConnection.open(usher.address());
        RawConnection fast = RawConnection.open(usher.address())) {
      sleeping.send(get("/sleep?ms=3000"));
      await().atMost(PATIENCE).until(() -> active(usher) == 1);

      WireResponse hello = fast.send(get("/")).readResponse();

      assertEquals(200, hello.status());
      assertEquals(1, active(usher), "the sleeping request is still running");
      assertEquals("slept 3000 ms\n", sleeping.readResponse().bodyText());
    }
  }

  @Test
  void pipelinedAnswersKeepTheirOrderAcrossBlockingAndNonBlockingRoutes() throws Exception {
    try (RunningServer usher = start();
        RawConnection client = RawConnection.open(usher.address())) {
      client.send(get("/sleep?ms=500") + get("/") + get("/sleep?ms=0") + get("/nowhere"));

      assertEquals("slept 500 ms\n", client.readResponse().bodyText());
      assertEquals("hello from usher\n", client.readResponse().bodyText());
      assertEquals("slept 0 ms\n", client.readResponse().bodyText());
      assertEquals(404, client.readResponse().status());
    }
  }

  @Test
  void aboveTheBoundARequestIsShedWith503AndCounted() throws Exception {
    try (RunningServer usher = start("http.blocking.max-concurrent", "1");
        RawConnection first = RawConnection.open(usher.address());
        RawConnection second = RawConnection.open(usher.address())) {
      first.send(get("/sleep?ms=3000"));
      await().atMost(PATIENCE).until(() -> active(usher) == 1);

      WireResponse shed = second.send(get("/sleep?ms=10")).readResponse();

      assertEquals(503, shed.status());
      assertEquals("1", shed.header("retry-after").orElseThrow());
      assertFalse(shed.announcesClose(), "a shed request keeps its connection");
      assertEquals(
          1,
          usher.scrape().require("server_http_requests_shed_total", "reason=\"blocking_limit\""));
      assertEquals(200, first.readResponse().status());
      var scrape = usher.scrape();
      assertEquals(1, scrape.require("server_blocking_task_duration_seconds_count"));
      assertEquals(1, scrape.require("server_blocking_task_wait_seconds_count"));
    }
  }

  @Test
  void theDrainWaitsForBlockingWorkInFlight() throws Exception {
    RunningServer usher = start();
    try (RawConnection client = RawConnection.open(usher.address())) {
      client.send(get("/sleep?ms=1500"));
      await().atMost(PATIENCE).until(() -> active(usher) == 1);

      CompletableFuture<DrainSummary> drained =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return usher.stop();
                } catch (InterruptedException interrupted) {
                  throw new IllegalStateException(interrupted);
                }
              });
      WireResponse answer = client.readResponse();

      assertEquals("slept 1500 ms\n", answer.bodyText());
      assertTrue(answer.announcesClose(), "the drain's last answer closes");
      DrainSummary summary = drained.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
      assertEquals(0, summary.forced());
    } finally {
      usher.close();
    }
  }

  @Test
  void withoutTheLoadRoutesThereIsNoSleep() throws Exception {
    try (RunningServer usher = RunningServer.start();
        RawConnection client = RawConnection.open(usher.address())) {
      assertEquals(404, client.send(get("/sleep?ms=10")).readResponse().status());
    }
  }

  private static double active(RunningServer usher) throws Exception {
    return usher.scrape().require("server_blocking_tasks_active");
  }
}
