package dev.usher.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.usher.app.DrainRequested;
import dev.usher.http.Http2Frames.Frame;
import dev.usher.overload.Overload;
import dev.usher.sample.HelloService;
import dev.usher.testing.EmbeddedTime;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An HTTP/2 connection's graceful end on an embedded channel whose loop reads a mock ticker: the
 * idle timeout, {@code http.http2.max-connection-age} and the drain each send a GOAWAY with the
 * highest stream id and a PING, then a GOAWAY with the last stream id taken once the PING is
 * answered (or after the wait for it), and the connection closes when no stream is left.
 */
class Http2SessionTimingTest {
  private static final Duration IDLE = EmbeddedHttpConnection.IDLE_TIMEOUT;
  private static final Duration AGE = Duration.ofSeconds(30);
  private static final long NO_ERROR = 0;

  private final MockTicker ticker = Ticker.newMockTicker();
  private EmbeddedChannel channel;
  private byte[] pending = new byte[0];

  @AfterEach
  void close() {
    channel.finishAndReleaseAll();
  }

  private void connect(Duration maxAge) throws IOException {
    HttpApplication application =
        new HttpApplication(
            EmbeddedHttpConnection.SETTINGS,
            new Http2Settings(true, 100, maxAge),
            new HelloService(),
            ExchangeRecorder.PerLoop.NONE,
            ExchangeRecorder.PerLoop.NONE,
            Http2Observer.NONE,
            Overload.none(),
            null);
    channel =
        EmbeddedChannel.builder()
            .ticker(ticker)
            .handlers(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel connection) {
                    application.initConnection(connection.pipeline());
                  }
                })
            .build();
    send(Http2Frames.clientStart(), Http2Frames.settingsAck());
    assertTrue(frames().stream().anyMatch(frame -> frame.type() == Http2Frames.SETTINGS));
  }

  // Its session is the pipeline's last handler: usher adds no error handler after it.
  @Test
  void anErrorNoHandlerDealtWithClosesTheConnection() throws IOException {
    connect(Duration.ZERO);
    assertInstanceOf(Http2Session.class, channel.pipeline().last());

    channel.pipeline().fireExceptionCaught(new IllegalStateException("a bug"));

    assertFalse(channel.isOpen());
    channel.checkException();
  }

  @Test
  void anIdleConnectionEndsGracefullyAfterTheIdleTimeout() throws IOException {
    connect(Duration.ZERO);

    advance(IDLE.minusSeconds(1));
    assertTrue(goAways(frames()).isEmpty(), "a GOAWAY before the idle timeout");

    advance(Duration.ofSeconds(1));
    List<Frame> sent = frames();
    assertEquals(List.of(Integer.MAX_VALUE), lastStreamIds(sent));
    Frame ping = ping(sent);

    send(Http2Frames.pingAck(ping.payload()));
    assertEquals(List.of(0), lastStreamIds(frames()));
    assertFalse(channel.isOpen(), "no stream left: closed");
  }

  @Test
  void aPingNeverAnsweredStillGetsTheSecondGoAwayAfterAWait() throws IOException {
    connect(Duration.ZERO);
    channel.pipeline().fireUserEventTriggered(DrainRequested.INSTANCE);
    assertEquals(List.of(Integer.MAX_VALUE), lastStreamIds(frames()));

    advance(Duration.ofSeconds(3));
    assertEquals(List.of(0), lastStreamIds(frames()));
    assertFalse(channel.isOpen());
  }

  // The stream in flight that an age or a drain lets finish is shown over a socket
  // (Http2ConnectionTest): Netty's stream channels do not register on an embedded loop.
  @Test
  void aConnectionOlderThanTheMaximumAgeEndsGracefullyThoughNotIdle() throws IOException {
    connect(AGE);

    advance(AGE.minusSeconds(1));
    assertTrue(goAways(frames()).isEmpty(), "a GOAWAY before the connection's age");
    advance(Duration.ofSeconds(1));
    List<Frame> sent = frames();
    assertEquals(List.of(Integer.MAX_VALUE), lastStreamIds(sent));
    assertEquals(NO_ERROR, goAways(sent).getFirst().errorCode());

    send(Http2Frames.pingAck(ping(sent).payload()));
    assertEquals(List.of(0), lastStreamIds(frames()));
    assertFalse(channel.isOpen());
  }

  private void send(byte[]... frames) {
    channel.writeInbound(Unpooled.wrappedBuffer(Http2Frames.concat(frames)));
    channel.runPendingTasks();
  }

  private void advance(Duration time) {
    EmbeddedTime.advance(channel, ticker, time);
  }

  // The whole frames written since the last call (a frame split across writes waits for its rest).
  private List<Frame> frames() throws IOException {
    ByteArrayOutputStream written = new ByteArrayOutputStream();
    written.writeBytes(pending);
    for (ByteBuf out; (out = channel.readOutbound()) != null; ) {
      byte[] bytes = new byte[out.readableBytes()];
      out.readBytes(bytes);
      out.release();
      written.writeBytes(bytes);
    }
    byte[] all = written.toByteArray();
    List<Frame> frames = new ArrayList<>();
    int offset = 0;
    while (all.length - offset >= 9) {
      int length =
          ((all[offset] & 0xFF) << 16) | ((all[offset + 1] & 0xFF) << 8) | (all[offset + 2] & 0xFF);
      if (all.length - offset < 9 + length) {
        break;
      }
      frames.add(Http2Frames.read(new ByteArrayInputStream(all, offset, 9 + length)));
      offset += 9 + length;
    }
    pending = java.util.Arrays.copyOfRange(all, offset, all.length);
    return frames;
  }

  private static List<Frame> goAways(List<Frame> frames) {
    return frames.stream().filter(frame -> frame.type() == Http2Frames.GOAWAY).toList();
  }

  private static List<Integer> lastStreamIds(List<Frame> frames) {
    return goAways(frames).stream().map(Frame::lastStreamId).toList();
  }

  private static Frame ping(List<Frame> frames) {
    return frames.stream()
        .filter(frame -> frame.type() == Http2Frames.PING && !frame.has(Http2Frames.ACK))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no PING in " + frames));
  }
}
