package dev.usher.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.usher.http.Http2Frames.Frame;
import dev.usher.lifecycle.DrainSummary;
import dev.usher.testing.RunningServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * HTTP/2 on a real listener, driven frame by frame by a client no library would be: the two-step
 * GOAWAY of the drain with a stream in flight, the concurrent-stream limit, and a rapid-reset
 * client cut off.
 */
class Http2ConnectionTest {
  private static final Duration PATIENCE = Duration.ofSeconds(10);
  private static final long NO_ERROR = 0x0;
  private static final long REFUSED_STREAM = 0x7;
  private static final long PROTOCOL_ERROR = 0x1;
  private static final long CANCEL = 0x8;
  private static final long ENHANCE_YOUR_CALM = 0xb;

  /** A cleartext HTTP/2 connection with prior knowledge, its SETTINGS exchanged. */
  private static final class RawHttp2 implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawHttp2(int port) throws IOException {
      socket = new Socket("127.0.0.1", port);
      socket.setSoTimeout((int) PATIENCE.toMillis());
      in = socket.getInputStream();
      out = socket.getOutputStream();
      send(Http2Frames.clientStart());
      next(frame -> frame.type() == Http2Frames.SETTINGS && !frame.has(Http2Frames.ACK));
      send(Http2Frames.settingsAck());
    }

    void send(byte[] bytes) throws IOException {
      out.write(bytes);
      out.flush();
    }

    /** The next frame that matches, skipping the others (SETTINGS acks, WINDOW_UPDATEs, ...). */
    Frame next(Predicate<Frame> wanted) throws IOException {
      while (true) {
        Frame frame = Http2Frames.read(in);
        if (wanted.test(frame)) {
          return frame;
        }
      }
    }

    Frame next(int type) throws IOException {
      return next(frame -> frame.type() == type);
    }

    boolean endedByServer() throws IOException {
      try {
        while (true) {
          Http2Frames.read(in);
        }
      } catch (java.io.EOFException | java.net.SocketException ended) {
        return true;
      }
    }

    void hangUp() throws IOException {
      socket.shutdownOutput();
    }

    void reset() throws IOException {
      socket.setSoLinger(true, 0);
      socket.close();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  @Test
  void theDrainSendsTwoGoAwaysAPingApartAndTheStreamInFlightFinishes() throws Exception {
    RunningServer usher = RunningServer.start();
    try (RawHttp2 client = new RawHttp2(usher.port())) {
      // A request whose body is still coming when the drain begins.
      client.send(Http2Frames.request(1, "POST", false));
      await().atMost(PATIENCE).until(() -> streamsActive(usher) == 1);
      CompletableFuture<DrainSummary> drained =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return usher.stop();
                } catch (InterruptedException interrupted) {
                  throw new IllegalStateException(interrupted);
                }
              });

      Frame first = client.next(Http2Frames.GOAWAY);
      assertEquals(Integer.MAX_VALUE, first.lastStreamId(), "the first GOAWAY takes every stream");
      assertEquals(NO_ERROR, first.errorCode());
      Frame ping = client.next(frame -> frame.type() == Http2Frames.PING && !frame.has(1));
      client.send(Http2Frames.pingAck(ping.payload()));
      Frame second = client.next(Http2Frames.GOAWAY);
      assertEquals(1, second.lastStreamId(), "the second names the last stream taken");
      assertEquals(NO_ERROR, second.errorCode());

      client.send(Http2Frames.data(1, "the rest", true));
      Frame answer = client.next(Http2Frames.HEADERS);
      assertEquals(1, answer.streamId());
      assertTrue(client.endedByServer());
      DrainSummary summary = drained.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
      assertEquals(1, summary.drained());
      assertEquals(0, summary.forced());
    } finally {
      usher.close();
    }
  }

  @Test
  void aStreamAboveTheConcurrencyLimitIsRefused() throws Exception {
    try (RunningServer usher =
            RunningServer.start(Map.of("http.http2.max-concurrent-streams", "3"));
        RawHttp2 client = new RawHttp2(usher.port())) {
      for (int stream = 1; stream <= 7; stream += 2) {
        client.send(Http2Frames.request(stream, "POST", false));
      }

      Frame refused = client.next(Http2Frames.RST_STREAM);
      assertEquals(7, refused.streamId());
      assertEquals(REFUSED_STREAM, refused.errorCode());
    }
  }

  @Test
  void aRapidResetClientGetsAGoAwayAndIsCounted() throws Exception {
    try (RunningServer usher = RunningServer.start();
        RawHttp2 client = new RawHttp2(usher.port())) {
      java.io.ByteArrayOutputStream attack = new java.io.ByteArrayOutputStream();
      for (int stream = 1; stream < 2 * 400; stream += 2) {
        attack.writeBytes(Http2Frames.request(stream, "GET", false));
        attack.writeBytes(Http2Frames.reset(stream));
      }
      client.send(attack.toByteArray());

      Frame goAway = client.next(Http2Frames.GOAWAY);
      assertEquals(ENHANCE_YOUR_CALM, goAway.errorCode());
      assertTrue(client.endedByServer());
      var scrape = usher.scrape();
      assertEquals(
          1, scrape.require("server_http2_goaways_sent_total", "error=\"enhance_your_calm\""));
      assertTrue(
          scrape.require("server_http2_resets_received_total")
              >= Http2Pipeline.MAX_RESETS_PER_WINDOW);
      await().atMost(PATIENCE).until(() -> streamsActive(usher) == 0);
    }
  }

  @Test
  void trailersEndARequestAndASecondHeadersFrameThatDoesNotIsMalformed() throws Exception {
    try (RunningServer usher = RunningServer.start();
        RawHttp2 client = new RawHttp2(usher.port())) {
      client.send(
          Http2Frames.concat(
              Http2Frames.request(1, "POST", false),
              Http2Frames.data(1, "body", false),
              Http2Frames.trailers(1)));
      Frame answer = client.next(frame -> frame.streamId() == 1);
      assertEquals(Http2Frames.HEADERS, answer.type(), "trailers end the request: it is answered");

      client.send(
          Http2Frames.concat(Http2Frames.request(3, "POST", false), Http2Frames.headersAgain(3)));
      Frame reset = client.next(frame -> frame.streamId() == 3);
      assertEquals(Http2Frames.RST_STREAM, reset.type());
      assertEquals(PROTOCOL_ERROR, reset.errorCode());
    }
  }

  @Test
  void aClientThatHangsUpHasItsCompleteRequestsAnsweredAndIsClosedAtOnce() throws Exception {
    try (RunningServer usher = RunningServer.start();
        RawHttp2 client = new RawHttp2(usher.port())) {
      client.send(
          Http2Frames.concat(
              Http2Frames.request(1, "GET", true), Http2Frames.request(3, "POST", false)));
      client.hangUp();

      Frame answer = client.next(Http2Frames.HEADERS);
      assertEquals(1, answer.streamId(), "the complete request is answered");
      Frame cancelled = client.next(Http2Frames.RST_STREAM);
      assertEquals(3, cancelled.streamId(), "the request whose body can never come is cancelled");
      assertEquals(CANCEL, cancelled.errorCode());
      Frame goAway = client.next(Http2Frames.GOAWAY);
      assertEquals(3, goAway.lastStreamId());
      assertTrue(client.endedByServer(), "closed long before the 60 s idle timeout");
      await().atMost(PATIENCE).until(() -> streamsActive(usher) == 0);
    }
  }

  @Test
  void aConnectionTheClientResetsIsNotCountedAsGivenAGoAway() throws Exception {
    try (RunningServer usher = RunningServer.start()) {
      RawHttp2 client = new RawHttp2(usher.port());
      client.send(Http2Frames.request(1, "POST", false));
      await().atMost(PATIENCE).until(() -> streamsActive(usher) == 1);
      client.reset();

      await().atMost(PATIENCE).until(() -> streamsActive(usher) == 0);
      assertEquals(0, usher.scrape().sum("server_http2_goaways_sent_total"));
    }
  }

  private static double streamsActive(RunningServer usher) throws Exception {
    return usher.scrape().require("server_http2_streams_active");
  }
}
