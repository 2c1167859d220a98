package dev.usher.metrics;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.usher.testing.RunningServer;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The open-descriptor gauge follows the process's descriptors, sampled off the scrape path. */
class FileDescriptorMetersTest {

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
}
