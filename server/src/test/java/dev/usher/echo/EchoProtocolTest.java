package dev.usher.echo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.usher.testing.RunningServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code server.protocol=echo}: every byte a client sends comes back unchanged and in order. */
class EchoProtocolTest {
  private static final int READ_TIMEOUT_MILLIS = 10_000;

  private static RunningServer server;

  @BeforeAll
  static void startServer() throws Exception {
    server = RunningServer.start(Map.of("server.protocol", "echo"));
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  @Test
  void sendsBackWhatItReceives() throws Exception {
    try (Socket socket = connect()) {
      for (String message :
          new String[] {"hello", "GET / HTTP/1.1\r\n\r\n", "\u0000\u00ff binary"}) {
        byte[] bytes = message.getBytes(StandardCharsets.ISO_8859_1);
        socket.getOutputStream().write(bytes);
        assertArrayEquals(bytes, socket.getInputStream().readNBytes(bytes.length));
      }
    }
  }

  @Test
  void sendsBackAMebibyteUnchangedWhileTheClientReadsConcurrently() throws Exception {
    byte[] payload = new byte[1024 * 1024];
    new Random(42).nextBytes(payload);
    try (Socket socket = connect()) {
      // Written in uneven pieces from another thread while this one reads: neither side can hold
      // the whole megabyte in socket buffers, so both directions must flow at once.
      CompletableFuture<Void> writer =
          CompletableFuture.runAsync(
              () -> {
                try {
                  OutputStream out = socket.getOutputStream();
                  for (int offset = 0; offset < payload.length; ) {
                    int length = Math.min(7919, payload.length - offset);
                    out.write(payload, offset, length);
                    offset += length;
                  }
                  out.flush();
                } catch (Exception failure) {
                  throw new RuntimeException(failure);
                }
              });

      byte[] echoed = socket.getInputStream().readNBytes(payload.length);
      writer.get(READ_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);

      assertEquals(payload.length, echoed.length, "the echo ended early");
      assertArrayEquals(payload, echoed);
    }
  }

  @Test
  void keepsEchoingAfterTheClientHalfClosesAndThenCloses() throws Exception {
    try (Socket socket = connect()) {
      byte[] bytes = "last words".getBytes(StandardCharsets.US_ASCII);
      socket.getOutputStream().write(bytes);
      socket.shutdownOutput();
      InputStream in = socket.getInputStream();
      assertArrayEquals(bytes, in.readNBytes(bytes.length));
      assertEquals(-1, in.read(), "the server closes once the client has finished sending");
    }
  }

  @Test
  void drainFlushesAndClosesEchoConnections() throws Exception {
    try (RunningServer own = RunningServer.start(Map.of("server.protocol", "echo"));
        Socket socket = connect(own)) {
      byte[] bytes = "before the drain".getBytes(StandardCharsets.US_ASCII);
      socket.getOutputStream().write(bytes);
      assertArrayEquals(bytes, socket.getInputStream().readNBytes(bytes.length));

      assertEquals(1, own.stop().drained());
      assertEquals(-1, socket.getInputStream().read());
    }
  }

  private static Socket connect() throws Exception {
    return connect(server);
  }

  private static Socket connect(RunningServer target) throws Exception {
    Socket socket = new Socket();
    socket.setSoTimeout(READ_TIMEOUT_MILLIS);
    socket.connect(target.address(), (int) Duration.ofSeconds(5).toMillis());
    return socket;
  }
}
