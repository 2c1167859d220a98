package dev.usher.metrics;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.usher.lifecycle.AcceptHold;
import dev.usher.testing.PrometheusScrape;
import dev.usher.testing.RunningServer;
import dev.usher.testing.SocketStatistics;
import dev.usher.testing.SocketStatistics.ListenerQueue;
import java.io.IOException;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The listen-queue meters against observers usher does not control: {@code ss} and the kernel's
 * {@code /proc/net/netstat}, with the listener held from accepting so connections wait in the
 * queue.
 */
class ListenQueueMetersTest {
  private static final Duration PATIENCE = Duration.ofSeconds(10);
  private final List<AutoCloseable> clients = new ArrayList<>();

  @AfterEach
  void closeClients() throws Exception {
    for (AutoCloseable client : clients) {
      client.close();
    }
  }

  @Test
  void depthAndLimitMatchWhatSsAndASecondTcpInfoReadSee() throws Exception {
    try (RunningServer server = RunningServer.start(Map.of("server.backlog", "16"))) {
      int port = server.port();
      try (AcceptHold hold = AcceptHold.hold(server.server())) {
        for (int i = 0; i < 5; i++) {
          clients.add(new Socket("127.0.0.1", port));
        }
        int queued = hold.baselineDepth() + 5;
        await().atMost(PATIENCE).until(() -> SocketStatistics.listener(port).depth() == queued);
        await()
            .atMost(PATIENCE)
            .until(
                () ->
                    server.scrape().require("server_listen_queue_depth", "listener=\"main\"")
                        == queued);

        ListenerQueue seenBySs = SocketStatistics.listener(port);
        assertEquals(queued, seenBySs.depth());
        assertEquals(16, seenBySs.backlog());
        assertEquals(
            seenBySs.backlog(),
            server.scrape().require("server_listen_queue_limit", "listener=\"main\""));

        try (TcpInfoReader reader = TcpInfoReader.create().orElseThrow()) {
          assertTrue(reader.read(AcceptHold.listenerFd(server.server())));
          assertEquals(queued, reader.listenQueueDepth());
          assertEquals(16, reader.listenQueueLimit());
        }
      }
      await()
          .atMost(PATIENCE)
          .until(
              () -> server.scrape().require("server_listen_queue_depth", "listener=\"main\"") == 0);
    }
  }

  @Test
  void aBurstThatComesAndGoesBetweenScrapesStillShowsInThePeak() throws Exception {
    try (RunningServer server = RunningServer.start(Map.of("server.backlog", "64"))) {
      assertEquals(0, server.scrape().require("server_listen_queue_peak", "listener=\"main\""));
      int burst;
      try (AcceptHold hold = AcceptHold.hold(server.server())) {
        for (int i = 0; i < 8; i++) {
          clients.add(new Socket("127.0.0.1", server.port()));
        }
        burst = hold.baselineDepth() + 8;
        await()
            .atMost(PATIENCE)
            .until(() -> SocketStatistics.listener(server.port()).depth() == burst);
        // The sampler reads every 10 ms: wait until it has seen the full queue, without scraping.
        await()
            .atMost(PATIENCE)
            .until(
                () ->
                    server.scrape().require("server_listen_queue_depth", "listener=\"main\"")
                        == burst);
      }
      await().atMost(PATIENCE).until(() -> SocketStatistics.listener(server.port()).depth() == 0);
      PrometheusScrapeAssert.twoScrapesAgree(server, "server_listen_queue_peak", burst);
      assertEquals(0, server.scrape().require("server_listen_queue_depth", "listener=\"main\""));
    }
  }

  @SuppressWarnings("try") // the hold is the point: it lasts for the try block
  @Test
  void overflowsAndDropsMatchTheKernelsOwnCounters() throws Exception {
    try (RunningServer server = RunningServer.start(Map.of("server.backlog", "2"))) {
      long overflowsBefore = netstat("ListenOverflows");
      long dropsBefore = netstat("ListenDrops");
      double overflowMeterBefore = server.scrape().require("server_listen_overflows_total");
      double dropMeterBefore = server.scrape().require("server_listen_drops_total");

      try (AcceptHold hold = AcceptHold.hold(server.server())) {
        List<SocketChannel> connecting = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
          SocketChannel client = SocketChannel.open();
          client.configureBlocking(false);
          client.connect(server.address());
          connecting.add(client);
        }
        await().atMost(PATIENCE).until(() -> netstat("ListenOverflows") > overflowsBefore);
        // Closing the clients stops their SYN retries, so the kernel's counters stand still.
        for (SocketChannel client : connecting) {
          client.close();
        }
      }
      long overflows = netstat("ListenOverflows") - overflowsBefore;
      long drops = netstat("ListenDrops") - dropsBefore;
      assertTrue(overflows > 0, "a queue of 2 with 12 clients must overflow");
      assertTrue(drops >= overflows, "ListenDrops counts overflows too");
      await()
          .atMost(PATIENCE)
          .untilAsserted(
              () -> {
                PrometheusScrape scrape = server.scrape();
                assertEquals(
                    (double) (netstat("ListenOverflows") - overflowsBefore),
                    scrape.require("server_listen_overflows_total") - overflowMeterBefore);
                assertEquals(
                    (double) (netstat("ListenDrops") - dropsBefore),
                    scrape.require("server_listen_drops_total") - dropMeterBefore);
              });
    }
  }

  private static long netstat(String field) throws IOException {
    List<String> lines = Files.readAllLines(Path.of("/proc/net/netstat"));
    for (int i = 0; i + 1 < lines.size(); i++) {
      if (lines.get(i).startsWith("TcpExt:")) {
        List<String> names = List.of(lines.get(i).split("\\s+"));
        String[] values = lines.get(i + 1).split("\\s+");
        return Long.parseLong(values[names.indexOf(field)]);
      }
    }
    throw new AssertionError("no TcpExt in /proc/net/netstat");
  }
}
