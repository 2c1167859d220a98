package dev.usher.accept;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.usher.testing.RunningServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A client that keeps sending and never reads (pipelined GETs over HTTP, bytes over echo) stalls
 * after a few megabytes: usher stops reading it rather than holding its answers in memory, so the
 * client's writes block. Once it reads, every answer arrives, none lost to the pause.
 */
class SlowReaderBackpressureTest {
  private static final String REQUEST = "GET / HTTP/1.1\r\nHost: usher\r\n\r\n";
  private static final int REQUESTS_PER_WRITE = 256;
  private static final long CAP_BYTES = 64L << 20;
  // Socket buffers on both sides of loopback hold a few megabytes; without backpressure the server
  // reads all it is sent, and the client reaches the cap.
  private static final long STALLED_BELOW_BYTES = 16L << 20;
  private static final Duration STALL = Duration.ofSeconds(1);

  @ParameterizedTest
  @ValueSource(strings = {"http", "echo"})
  void aClientThatDoesNotReadIsNoLongerReadUntilItCatchesUp(String protocol) throws Exception {
    try (RunningServer server = RunningServer.start(Map.of("server.protocol", protocol));
        Socket client = new Socket()) {
      client.connect(new InetSocketAddress(server.address().getAddress(), server.port()), 5_000);
      client.setSoTimeout(10_000);
      byte[] chunk =
          REQUEST.repeat(REQUESTS_PER_WRITE).getBytes(StandardCharsets.US_ASCII); // echo: any bytes
      AtomicLong written = new AtomicLong();
      AtomicBoolean stop = new AtomicBoolean();
      CompletableFuture<Void> writer =
          CompletableFuture.runAsync(() -> writeUntilStopped(client, chunk, written, stop));

      long stalledAt = awaitStall(written, writer);
      assertTrue(
          stalledAt < STALLED_BELOW_BYTES,
          protocol + ": the client wrote " + stalledAt + " bytes without reading: not stopped");

      stop.set(true);
      long owed = -1;
      long received = 0;
      InputStream in = client.getInputStream();
      byte[] buffer = new byte[64 * 1024];
      // The writer is blocked in one last write, which completes only once this side reads.
      while (true) {
        if (owed < 0 && writer.isDone()) {
          writer.join();
          owed = answerBytes(protocol, server, written.get());
        }
        if (owed >= 0 && received >= owed) {
          break;
        }
        int n = in.read(buffer);
        if (n < 0) {
          break;
        }
        received += n;
      }
      assertEquals(owed, received, protocol + ": answers lost or extra");
    }
  }

  private static void writeUntilStopped(
      Socket client, byte[] chunk, AtomicLong written, AtomicBoolean stop) {
    try {
      OutputStream out = client.getOutputStream();
      while (!stop.get() && written.get() < CAP_BYTES) {
        out.write(chunk);
        written.addAndGet(chunk.length);
      }
    } catch (IOException failure) {
      throw new RuntimeException(failure);
    }
  }

  /** Waits until the writer has made no progress for {@link #STALL}, or has finished. */
  private static long awaitStall(AtomicLong written, CompletableFuture<Void> writer)
      throws InterruptedException {
    long last = -1;
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline && !writer.isDone()) {
      Thread.sleep(STALL.toMillis());
      long now = written.get();
      if (now == last) {
        return now;
      }
      last = now;
    }
    return written.get();
  }

  private static long answerBytes(String protocol, RunningServer server, long sent)
      throws IOException {
    return protocol.equals("echo") ? sent : sent / REQUEST.length() * helloResponseBytes(server);
  }

  private static long helloResponseBytes(RunningServer server) throws IOException {
    try (Socket probe = new Socket(server.address().getAddress(), server.port())) {
      probe.setSoTimeout(10_000);
      probe.getOutputStream().write(REQUEST.getBytes(StandardCharsets.US_ASCII));
      probe.shutdownOutput();
      return probe.getInputStream().readAllBytes().length;
    }
  }
}
