package dev.usher.lifecycle;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.usher.testing.PrometheusScrape;
import dev.usher.testing.RawConnection;
import dev.usher.testing.SocketStatistics;
import dev.usher.testing.UsherProcess;
import dev.usher.testing.WireResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * usher replaced three times by hand-over while clients open new connections as fast as they can
 * and one more talks on keep-alive: no connect is refused, no connection is reset, every request is
 * answered exactly once; each old process exits 0 after its drain, and the new one's listen-queue
 * meters agree with {@code ss -ltn} from its first scrape.
 */
class HandoverUnderLoadIT {
  private static final int HANDOVERS = 3;
  private static final int CONNECTORS = 3;
  private static final int ANSWERS_BETWEEN_HANDOVERS = 300;
  private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(30);
  private static final String MAIN = "listener=\"main\"";

  @TempDir Path directory;

  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicLong nextId = new AtomicLong();
  private final Map<String, AtomicInteger> answers = new ConcurrentHashMap<>();
  private final Set<String> sent = ConcurrentHashMap.newKeySet();
  private final AtomicInteger connectErrors = new AtomicInteger();
  private final AtomicInteger resets = new AtomicInteger();
  private final List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final AtomicInteger keepAliveReconnects = new AtomicInteger();

  // In reuseport mode each worker has a listening socket of its own: all of them are handed over.
  @ParameterizedTest
  @ValueSource(strings = {"boss", "reuseport"})
  void replacesUsherThreeTimesUnderLoadWithoutARefusedConnectAResetOrALostRequest(String acceptMode)
      throws Exception {
    boolean oneListener = acceptMode.equals("boss");
    List<String> options =
        UsherProcess.onLoopback(
            "-Dlifecycle.handover-path=" + directory.resolve("handover.sock"),
            "-Dshutdown.drain-timeout=10s",
            "-Dserver.accept-mode=" + acceptMode,
            "-Dserver.worker-threads=2");
    List<UsherProcess> processes = new ArrayList<>();
    ExecutorService clients = Executors.newFixedThreadPool(CONNECTORS + 1);
    try {
      UsherProcess serving = UsherProcess.start(options, Map.of());
      processes.add(serving);
      InetSocketAddress address = new InetSocketAddress("127.0.0.1", serving.awaitAccepting());
      InetSocketAddress admin = new InetSocketAddress("127.0.0.1", serving.adminPort());

      List<Future<?>> load = new ArrayList<>();
      for (int i = 0; i < CONNECTORS; i++) {
        load.add(clients.submit(() -> connectAgainAndAgain(address)));
      }
      load.add(clients.submit(() -> keepAlive(address)));

      for (int handover = 1; handover <= HANDOVERS; handover++) {
        awaitMoreAnswers(ANSWERS_BETWEEN_HANDOVERS);
        UsherProcess next = UsherProcess.start(options, Map.of());
        processes.add(next);
        assertEquals(address.getPort(), next.awaitAccepting(), "the new usher's port");
        String tookOver = "hand-over: took over the listening sockets of pid " + serving.pid();
        next.awaitLine(line -> line.contains(tookOver), Duration.ofSeconds(30));
        assertEquals(0, serving.awaitExit(EXIT_TIMEOUT), serving.outputText());
        assertTrue(
            serving.output().stream().anyMatch(line -> line.contains("stopped: ")),
            serving.outputText());
        if (oneListener) {
          assertListenQueueMetersMatchTheKernel(admin, address.getPort());
        }
        serving = next;
      }
      awaitMoreAnswers(ANSWERS_BETWEEN_HANDOVERS);

      stop.set(true);
      for (Future<?> client : load) {
        client.get(30, TimeUnit.SECONDS);
      }
      assertEquals(0, connectErrors.get(), "connects refused or failed");
      assertEquals(0, resets.get(), "connections reset");
      assertEquals(List.of(), failures);
      List<String> unanswered = sent.stream().filter(id -> !answers.containsKey(id)).toList();
      assertEquals(List.of(), unanswered, "requests sent and never answered");
      List<String> twice =
          answers.entrySet().stream()
              .filter(answer -> answer.getValue().get() != 1)
              .map(Map.Entry::getKey)
              .toList();
      assertEquals(List.of(), twice, "requests answered more than once");
      assertTrue(
          answers.size() > HANDOVERS * ANSWERS_BETWEEN_HANDOVERS, "answers: " + answers.size());

      if (oneListener) {
        // The queue is empty now, so ss and the meter must agree on its depth too.
        await()
            .atMost(Duration.ofSeconds(5))
            .untilAsserted(() -> assertListenQueueMetersMatchTheKernel(admin, address.getPort()));
        assertEquals(0.0, scrape(admin).require("server_listen_queue_depth", MAIN));
      }
      serving.sigterm();
      assertEquals(0, serving.awaitExit(EXIT_TIMEOUT), serving.outputText());
    } finally {
      stop.set(true);
      clients.shutdownNow();
      clients.awaitTermination(10, TimeUnit.SECONDS);
      processes.forEach(UsherProcess::close);
    }
  }

  /** New connections one after another, each with one request and Connection: close. */
  private void connectAgainAndAgain(InetSocketAddress address) {
    while (!stop.get()) {
      String id = "c" + nextId.incrementAndGet();
      try (Socket socket = new Socket()) {
        socket.setSoTimeout(10_000);
        try {
          socket.connect(address, 10_000);
        } catch (ConnectException refused) {
          connectErrors.incrementAndGet();
          continue;
        }
        sent.add(id);
        socket
            .getOutputStream()
            .write(
                ("POST /echo HTTP/1.1\r\nHost: usher\r\nConnection: close\r\nContent-Length: "
                        + id.length()
                        + "\r\n\r\n"
                        + id)
                    .getBytes(StandardCharsets.US_ASCII));
        String answer = readToEnd(socket.getInputStream());
        if (answer.startsWith("HTTP/1.1 200 ") && answer.endsWith("\r\n\r\n" + id)) {
          answered(id);
        } else {
          failures.add(id + ": " + answer);
        }
      } catch (SocketException reset) {
        resets.incrementAndGet();
        failures.add(id + ": " + reset);
      } catch (RuntimeException | IOException failed) {
        failures.add(id + ": " + failed);
      }
    }
  }

  /**
   * Requests one after another on a keep-alive connection; when usher ends it between answers (a
   * drain closes idle connections and announces the close on the last answer), a new one. A request
   * whose connection ended before the first byte of its answer was not read, and goes again, as an
   * HTTP client retries it.
   */
  private void keepAlive(InetSocketAddress address) {
    RawConnection connection = null;
    try {
      while (!stop.get()) {
        if (connection == null) {
          connection = RawConnection.open(address);
        }
        String id = "k" + nextId.incrementAndGet();
        sent.add(id);
        Optional<WireResponse> answer = Optional.empty();
        while (answer.isEmpty()) {
          connection.send(
              "POST /echo HTTP/1.1\r\nHost: usher\r\nContent-Length: "
                  + id.length()
                  + "\r\n\r\n"
                  + id);
          answer = connection.readResponseOrEnd(false);
          if (answer.isEmpty()) {
            connection.close();
            connection = RawConnection.open(address);
            keepAliveReconnects.incrementAndGet();
          }
        }
        if (answer.get().status() == 200 && answer.get().bodyText().equals(id)) {
          answered(id);
        } else {
          failures.add(id + ": " + answer.get());
        }
        if (answer.get().announcesClose()) {
          connection.awaitClosedByServer(Duration.ofSeconds(5));
          connection.close();
          connection = null;
          keepAliveReconnects.incrementAndGet();
        }
      }
    } catch (ConnectException refused) {
      connectErrors.incrementAndGet();
    } catch (IOException | RuntimeException failed) {
      failures.add("keep-alive: " + failed);
    } finally {
      if (connection != null) {
        try {
          connection.close();
        } catch (IOException ignored) {
          // The test is over.
        }
      }
    }
  }

  private void answered(String id) {
    answers.computeIfAbsent(id, key -> new AtomicInteger()).incrementAndGet();
  }

  private void awaitMoreAnswers(int more) {
    int target = answers.size() + more;
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> answers.size() >= target || !failures.isEmpty());
    assertEquals(List.of(), failures);
  }

  private static void assertListenQueueMetersMatchTheKernel(InetSocketAddress admin, int port)
      throws Exception {
    PrometheusScrape scrape = scrape(admin);
    SocketStatistics.ListenerQueue kernel = SocketStatistics.listener(port);
    assertEquals(kernel.backlog(), scrape.require("server_listen_queue_limit", MAIN), "limit");
    double depth = scrape.require("server_listen_queue_depth", MAIN);
    assertTrue(depth >= 0 && depth <= kernel.backlog(), "depth " + depth);
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

  private static String readToEnd(InputStream in) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    in.transferTo(all);
    return all.toString(StandardCharsets.US_ASCII);
  }
}
