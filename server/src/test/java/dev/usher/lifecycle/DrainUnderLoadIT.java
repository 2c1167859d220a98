package dev.usher.lifecycle;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.usher.testing.RawConnection;
import dev.usher.testing.UsherProcess;
import dev.usher.testing.WireResponse;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM to the packaged server while clients hammer it on keep-alive connections: every response
 * that starts arrives whole, connections end only between responses, a request in flight is
 * answered with {@code Connection: close}, and the process exits 0 within the drain timeout with
 * its summary line.
 */
class DrainUnderLoadIT {
  private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(10);
  private static final int LOOP_CLIENTS = 8;
  private static final int UPLOADERS = 2;
  private static final int RESPONSES_BEFORE_SIGTERM = 200;
  private static final int MAX_REQUESTS_PER_CLIENT = 200_000;
  private static final Duration CLIENT_DEADLINE = Duration.ofSeconds(60);
  private static final Pattern SUMMARY =
      Pattern.compile(
          "stopped: (\\d+) connection\\(s\\) drained, (\\d+) closed by force, in (\\d+) ms");

  @Test
  void drainsKeepAliveClientsUnderLoadWithoutCuttingAResponseAndExitsZero() throws Exception {
    ExecutorService clients = Executors.newFixedThreadPool(LOOP_CLIENTS);
    List<RawConnection> uploaders = new ArrayList<>();
    try (UsherProcess usher =
        UsherProcess.start(
            UsherProcess.onLoopback("-Dshutdown.drain-timeout=" + DRAIN_TIMEOUT.toSeconds() + "s"),
            Map.of())) {
      InetSocketAddress address = new InetSocketAddress("127.0.0.1", usher.awaitAccepting());
      AtomicBoolean sigtermSent = new AtomicBoolean();
      AtomicIntegerArray responses = new AtomicIntegerArray(LOOP_CLIENTS);

      List<Future<String>> loops = new ArrayList<>();
      for (int id = 0; id < LOOP_CLIENTS; id++) {
        LoopClient client = new LoopClient(id, RawConnection.open(address), sigtermSent, responses);
        loops.add(clients.submit(client::run));
      }
      String body = "an upload still in flight when SIGTERM arrives";
      for (int i = 0; i < UPLOADERS; i++) {
        RawConnection uploader = RawConnection.open(address);
        uploaders.add(uploader);
        uploader.send(
            "POST /echo HTTP/1.1\r\nHost: usher\r\nExpect: 100-continue\r\nContent-Length: "
                + body.length()
                + "\r\n\r\n");
        // The interim answer proves the server has read the head: the request is in flight.
        assertEquals(100, uploader.readResponse().status());
        uploader.send(body.substring(0, 5));
      }

      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> minimum(responses) >= RESPONSES_BEFORE_SIGTERM || anyDone(loops));
      assertTrue(!anyDone(loops), "a client ended before SIGTERM: " + firstFailure(loops));

      sigtermSent.set(true);
      long signalled = System.nanoTime();
      usher.sigterm();

      List<String> endings = new ArrayList<>();
      for (Future<String> loop : loops) {
        endings.add(loop.get(30, TimeUnit.SECONDS));
      }

      // The drain has reached every connection (all loop clients are closed) and now waits for the
      // uploads. Their remaining bytes come slowly, as from a slow client; each is answered whole,
      // announces the close, and then the connection closes.
      usher.awaitLine(line -> line.contains("listener closed; draining"), Duration.ofSeconds(5));
      for (String piece :
          List.of(body.substring(5, 20), body.substring(20, 35), body.substring(35))) {
        for (RawConnection uploader : uploaders) {
          uploader.send(piece);
        }
        Thread.sleep(300);
      }
      for (RawConnection uploader : uploaders) {
        WireResponse echo = uploader.readResponse();
        assertEquals(200, echo.status());
        assertEquals(body, echo.bodyText());
        assertTrue(
            echo.announcesClose(),
            "the answer to a request in flight must say Connection: close: " + echo);
        uploader.awaitClosedByServer(Duration.ofSeconds(5));
      }

      Duration sinceSignal = Duration.ofNanos(System.nanoTime() - signalled);
      int status = usher.awaitExit(DRAIN_TIMEOUT.minus(sinceSignal));
      assertEquals(0, status, usher.outputText());

      Matcher summary =
          SUMMARY.matcher(
              usher.awaitLine(line -> SUMMARY.matcher(line).find(), Duration.ofSeconds(1)));
      assertTrue(summary.find());
      assertEquals(
          LOOP_CLIENTS + UPLOADERS,
          Integer.parseInt(summary.group(1)),
          summary.group() + "\n" + endings);
      assertEquals(0, Integer.parseInt(summary.group(2)), summary.group());
    } finally {
      clients.shutdownNow();
      clients.awaitTermination(10, TimeUnit.SECONDS);
      for (RawConnection uploader : uploaders) {
        uploader.close();
      }
    }
  }

  /**
   * Sends requests on one keep-alive connection in a loop (GET / and POST /echo in turn) until the
   * server ends it, checking every response in full; returns how the connection ended. Fails on a
   * truncated response, a wrong answer, or an ending before SIGTERM.
   */
  private record LoopClient(
      int id, RawConnection connection, AtomicBoolean sigtermSent, AtomicIntegerArray responses) {

    String run() throws Exception {
      long deadline = System.nanoTime() + CLIENT_DEADLINE.toNanos();
      try (connection) {
        for (int i = 0; i < MAX_REQUESTS_PER_CLIENT && System.nanoTime() < deadline; i++) {
          boolean echo = i % 2 == 1;
          String body = "client " + id + " request " + i;
          try {
            connection.send(
                echo
                    ? "POST /echo HTTP/1.1\r\nHost: usher\r\nContent-Length: "
                        + body.length()
                        + "\r\n\r\n"
                        + body
                    : "GET / HTTP/1.1\r\nHost: usher\r\n\r\n");
          } catch (SocketException closedBeforeTheRequest) {
            return ended(i, "write failed (" + closedBeforeTheRequest.getMessage() + ")");
          }
          // A TruncatedResponseException (the connection ended inside a response) fails the test.
          Optional<WireResponse> received = connection.readResponseOrEnd(false);
          if (received.isEmpty()) {
            return ended(i, "closed before the response");
          }
          WireResponse response = received.get();
          boolean beforeSigterm = !sigtermSent.get();
          assertEquals(200, response.status(), "client " + id + " request " + i + ": " + response);
          assertEquals(
              echo ? body : "hello from usher\n",
              response.bodyText(),
              "client " + id + " request " + i);
          responses.incrementAndGet(id);
          if (response.announcesClose()) {
            assertTrue(
                !beforeSigterm, "client " + id + ": Connection: close before SIGTERM: " + response);
            RawConnection.Ending ending = connection.awaitClosedByServer(Duration.ofSeconds(5));
            return "client "
                + id
                + ": "
                + (i + 1)
                + " responses, the last with Connection: close, then "
                + ending;
          }
        }
      }
      throw new AssertionError("client " + id + ": the server never ended the connection");
    }

    private String ended(int request, String how) {
      assertTrue(sigtermSent.get(), "client " + id + ": connection ended before SIGTERM: " + how);
      return "client " + id + ": " + request + " responses, then " + how;
    }
  }

  private static int minimum(AtomicIntegerArray counts) {
    int minimum = Integer.MAX_VALUE;
    for (int i = 0; i < counts.length(); i++) {
      minimum = Math.min(minimum, counts.get(i));
    }
    return minimum;
  }

  private static boolean anyDone(List<Future<String>> loops) {
    return loops.stream().anyMatch(Future::isDone);
  }

  private static String firstFailure(List<Future<String>> loops) {
    for (Future<String> loop : loops) {
      if (loop.isDone()) {
        try {
          return loop.get();
        } catch (Exception failure) {
          return failure.toString();
        }
      }
    }
    return "none";
  }
}
