package dev.usher.metrics;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.UnixOperatingSystemMXBean;
import dev.usher.testing.RunningServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.Proxy;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The open-descriptor gauge follows the process's descriptors, sampled off the scrape path, and
 * survives the descriptor limit, where counting them fails.
 */
class FileDescriptorMetersTest {
  private static final long AT_THE_LIMIT = -1;

  @Test
  void openFilesRiseWithOpenConnectionsAndMaxFilesIsTheLimit() throws Exception {
    try (RunningServer server = RunningServer.start()) {
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> server.scrape().require("process_files_open_files") > 0);
      double before = server.scrape().require("process_files_open_files");
      List<Socket> clients = new ArrayList<>();
      try {
        for (int i = 0; i < 50; i++) {
          clients.add(new Socket("127.0.0.1", server.port()));
        }
        // Each connection holds two descriptors in this process: the client's and the server's.
        await()
            .atMost(Duration.ofSeconds(5))
            .until(() -> server.scrape().require("process_files_open_files") >= before + 100);
      } finally {
        for (Socket client : clients) {
          client.close();
        }
      }
      assertTrue(server.scrape().require("process_files_max_files") >= before + 100);
    }
  }

  @Test
  void aCountThatFailsAtTheLimitIsTakenAgainAtTheScrapeAndTheSamplerCarriesOn() {
    AtomicLong openNow = new AtomicLong(AT_THE_LIMIT);
    AtomicInteger counts = new AtomicInteger();
    UnixOperatingSystemMXBean os = countingOpenFiles(openNow, counts);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    FileDescriptorMeters meters = new FileDescriptorMeters(registry, os);
    try {
      assertTrue(Double.isNaN(openFiles(registry)), "a failed count read as a number");

      openNow.set(42);
      assertEquals(42, openFiles(registry), "the scrape did not count again after a failure");

      openNow.set(AT_THE_LIMIT);
      int before = counts.get();
      await().atMost(Duration.ofSeconds(5)).until(() -> counts.get() >= before + 2);
      openNow.set(43);
      await().atMost(Duration.ofSeconds(5)).until(() -> openFiles(registry) == 43);
    } finally {
      meters.close();
      registry.close();
    }
  }

  private static double openFiles(SimpleMeterRegistry registry) {
    return registry.get("process.files.open").gauge().value();
  }

  // Counting /proc/self/fd without a descriptor to spare, the JDK throws InternalError.
  private static UnixOperatingSystemMXBean countingOpenFiles(
      AtomicLong openNow, AtomicInteger counts) {
    return (UnixOperatingSystemMXBean)
        Proxy.newProxyInstance(
            FileDescriptorMetersTest.class.getClassLoader(),
            new Class<?>[] {UnixOperatingSystemMXBean.class},
            (proxy, method, args) ->
                switch (method.getName()) {
                  case "getOpenFileDescriptorCount" -> {
                    counts.incrementAndGet();
                    long open = openNow.get();
                    if (open == AT_THE_LIMIT) {
                      throw new InternalError("Unable to open directory /proc/self/fd");
                    }
                    yield open;
                  }
                  case "getMaxFileDescriptorCount" -> 150L;
                  default -> throw new UnsupportedOperationException(method.getName());
                });
  }
}
