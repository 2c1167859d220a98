package dev.usher.accept;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.usher.lifecycle.DrainSummary;
import dev.usher.testing.RunningServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A client that keeps sending and never reads (pipelined GETs over HTTP, bytes over echo) stalls
 * after a few megabytes: usher stops reading it rather than holding its answers in memory, so the
 * client's writes block. Once it reads, every answer arrives, none lost to the pause; and a drain
 * that finds it paused ends it with all its answers and an orderly close, not a reset.
 */
class SlowReaderBackpressureTest {
  private static final String REQUEST = "GET / HTTP/1.1\r\nHost: usher\r\n\r\n";
  private static final int REQUESTS_PER_WRITE = 256;
  private static final int CLIENT_SOCKET_BUFFER_BYTES = 64 * 1024;
  private static final long CAP_BYTES = 128L << 20;
  // Socket buffers hold what is sent but not yet read or answered: here HTTP stalls at about 2 MB,
  // echo (whose answers are as large as what it is sent) at about 9 MB. Without backpressure the
  // server reads all it is sent, and the client reaches the cap.
  private static final long STALLED_BELOW_BYTES = 32L << 20;
  private static final Duration STALL = Duration.ofSeconds(1);
  private static final Duration READ_LIMIT = Duration.ofSeconds(30);
  private static final Duration KEEP_SENDING = Duration.ofSeconds(3);
  // Not the common pool: on two cores it has one thread, and the writer holds it.
  private static final Executor OWN_THREAD = task -> Thread.ofPlatform().daemon().start(task);

  @ParameterizedTest
  @ValueSource(strings = {"http", "echo"})
  void aClientThatDoesNotReadIsNoLongerReadUntilItCatchesUp(String protocol) throws Exception {
    try (RunningServer server = RunningServer.start(Map.of("server.protocol", protocol));
        Socket client = connect(server)) {
      Writer writer = new Writer(client);

      long stalledAt = writer.awaitStall();
      assertTrue(
          stalledAt < STALLED_BELOW_BYTES,
          protocol + ": the client wrote " + stalledAt + " bytes without reading: not stopped");

      // The writer is blocked in one last write, which completes only once this side reads.
      writer.stop();
      long received = 0;
      long owed = -1;
      InputStream in = client.getInputStream();
      byte[] buffer = new byte[64 * 1024];
      long deadline = System.nanoTime() + READ_LIMIT.toNanos();
      while ((owed < 0 || received < owed) && System.nanoTime() < deadline) {
        if (owed < 0 && writer.isDone()) {
          owed = answerBytes(protocol, server, writer.written());
        }
        try {
          int n = in.read(buffer);
          if (n < 0) {
            break;
          }
          received += n;
        } catch (SocketTimeoutException nothingYet) {
          // look at the writer again
        }
      }
      assertEquals(owed, received, protocol + ": answers lost or extra");
    }
  }

  @Test
  void aDrainGivesAPausedClientEveryAnswerAndAnOrderlyClose() throws Exception {
    RunningServer server = RunningServer.start(Map.of());
    long answer = helloResponseBytes(server);
    try (Socket client = connect(server)) {
      Writer writer = new Writer(client);
      writer.awaitStall();

      CompletableFuture<DrainSummary> drain =
          CompletableFuture.supplyAsync(stop(server), OWN_THREAD);
      Thread.sleep(500); // the drain reaches the connection while it is paused
      // The client reads now, and goes on sending: a server that closed over its unread requests
      // would reset the connection, and this read would fail with "Connection reset".
      long received = 0;
      boolean ended = false;
      InputStream in = client.getInputStream();
      byte[] buffer = new byte[64 * 1024];
      long deadline = System.nanoTime() + READ_LIMIT.toNanos();
      // The client stops sending after a while: the linger then ends by the client's silence
      // (server.lingering-timeout), not at server.lingering-time, which a busy machine makes race
      // the read limit.
      long stopSending = System.nanoTime() + KEEP_SENDING.toNanos();
      while (!ended && System.nanoTime() < deadline) {
        if (System.nanoTime() > stopSending) {
          writer.stop();
        }
        try {
          int n = in.read(buffer); // a reset fails the test here: "Connection reset"
          ended = n < 0;
          if (ended) {
            break;
          }
          received += n;
        } catch (SocketTimeoutException nothingYet) {
          // the server is still sending
        }
      }
      writer.stop();
      assertTrue(ended, "no end of stream within " + READ_LIMIT + " (" + received + " bytes)");
      // Whole answers; the last may say "connection: close" if the drain found a request arriving.
      long closing = "connection: close\r\n".length();
      assertTrue(
          received > 0 && (received % answer == 0 || (received - closing) % answer == 0),
          received + " bytes: not whole answers of " + answer);
      client.close();
      DrainSummary summary = drain.get(READ_LIMIT.toSeconds(), TimeUnit.SECONDS);
      assertEquals(0, summary.forced(), summary.toString());
    } finally {
      server.close();
    }
  }

  private java.util.function.Supplier<DrainSummary> stop(RunningServer server) {
    return () -> {
      try {
        return server.stop();
      } catch (InterruptedException interrupted) {
        throw new IllegalStateException(interrupted);
      }
    };
  }

  private static Socket connect(RunningServer server) throws IOException {
    Socket client = new Socket();
    // Small buffers on the client's side, so that what the client can send unread is mostly what
    // the server holds.
    client.setReceiveBufferSize(CLIENT_SOCKET_BUFFER_BYTES);
    client.setSendBufferSize(CLIENT_SOCKET_BUFFER_BYTES);
    client.connect(new InetSocketAddress(server.address().getAddress(), server.port()), 5_000);
    client.setSoTimeout(200);
    return client;
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

  /** Sends pipelined GETs (to echo: the same bytes) without reading, until stopped or capped. */
  private static final class Writer {
    private final AtomicLong written = new AtomicLong();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final CompletableFuture<Void> done;

    Writer(Socket client) {
      byte[] chunk = REQUEST.repeat(REQUESTS_PER_WRITE).getBytes(StandardCharsets.US_ASCII);
      done =
          CompletableFuture.runAsync(
              () -> {
                try {
                  OutputStream out = client.getOutputStream();
                  while (!stop.get() && written.get() < CAP_BYTES) {
                    out.write(chunk);
                    written.addAndGet(chunk.length);
                  }
                } catch (IOException failure) {
                  throw new RuntimeException(failure);
                }
              },
              OWN_THREAD);
    }

    /** Waits until no byte has gone out for {@link #STALL}, or the cap is reached. */
    long awaitStall() throws InterruptedException {
      long last = -1;
      long deadline = System.nanoTime() + READ_LIMIT.toNanos();
      while (System.nanoTime() < deadline && !done.isDone()) {
        Thread.sleep(STALL.toMillis());
        long now = written.get();
        if (now == last) {
          return now;
        }
        last = now;
      }
      return written.get();
    }

    void stop() {
      stop.set(true);
    }

    boolean isDone() {
      return done.isDone();
    }

    long written() {
      done.join();
      return written.get();
    }
  }
}
