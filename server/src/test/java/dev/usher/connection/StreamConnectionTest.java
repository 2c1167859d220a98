package dev.usher.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.usher.app.DrainRequested;
import dev.usher.testing.DuplexEmbeddedChannel;
import dev.usher.testing.EmbeddedTime;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A raw byte stream's rules, on an embedded channel whose time is a mock ticker: the idle timeout,
 * the half-close, and the drain that flushes, shuts the output and lingers.
 */
class StreamConnectionTest {
  private static final Duration IDLE = Duration.ofSeconds(60);
  private static final Duration LINGERING_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration LINGERING_TIME = Duration.ofSeconds(30);

  private final MockTicker ticker = Ticker.newMockTicker();
  private final DuplexEmbeddedChannel channel =
      new DuplexEmbeddedChannel(
          EmbeddedChannel.builder()
              .ticker(ticker)
              .handlers(new StreamConnection(IDLE, LINGERING_TIMEOUT, LINGERING_TIME), new Echo()));

  @AfterEach
  void close() {
    channel.finishAndReleaseAll();
  }

  @Test
  void aConnectionSilentForTheIdleTimeoutClosesWithinOneAndAQuarterOfIt() {
    send("hello");
    advance(IDLE.minusSeconds(1));
    assertTrue(channel.isOpen(), "closed before the idle timeout");
    advance(IDLE.dividedBy(4).plusSeconds(1));
    assertFalse(channel.isOpen(), "open after 1.25 idle timeouts");
  }

  @Test
  void eachByteStartsTheSilenceAnew() {
    for (int i = 0; i < 4; i++) {
      advance(IDLE.dividedBy(2));
      send("still here");
    }
    assertTrue(channel.isOpen());
  }

  @Test
  void aHalfCloseFlushesTheAnswersThenCloses() {
    send("last words");
    channel.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
    channel.runPendingTasks();
    assertEquals("last words", sent());
    assertFalse(channel.isOpen());
  }

  @Test
  void aDrainShutsTheOutputAndLingersUntilTheClientFallsSilent() {
    send("before the drain");
    channel.pipeline().fireUserEventTriggered(DrainRequested.INSTANCE);
    channel.runPendingTasks();
    assertEquals("before the drain", sent());
    assertTrue(channel.isOutputShutdown() && channel.isOpen(), "does not linger");

    send("after the drain");
    assertEquals("", sent(), "answered after the drain");
    advance(LINGERING_TIMEOUT.minusSeconds(1));
    assertTrue(channel.isOpen(), "stopped lingering before the lingering timeout");
    advance(LINGERING_TIMEOUT.dividedBy(4).plusSeconds(1));
    assertFalse(channel.isOpen(), "lingers past 1.25 lingering timeouts of silence");
  }

  @Test
  void aLingeringConnectionClosesWhenTheClientFinishes() {
    channel.pipeline().fireUserEventTriggered(DrainRequested.INSTANCE);
    channel.runPendingTasks();
    assertTrue(channel.isOutputShutdown());
    channel.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
    assertFalse(channel.isOpen());
  }

  @Test
  void aBatchThatBringsATurnsWorthOfBytesStopsReadingUntilTheLoopHasRunItsTasks() {
    channel.loopTasksWait();
    channel
        .pipeline()
        .fireChannelRead(Unpooled.wrappedBuffer(new byte[StreamConnection.BYTES_PER_TURN]));
    channel.pipeline().fireChannelReadComplete();
    assertFalse(channel.config().isAutoRead(), "reads on after a turn's worth of bytes");
    channel.runLoopTasks();
    assertTrue(channel.config().isAutoRead());
    assertEquals(StreamConnection.BYTES_PER_TURN, sent().length());
  }

  @Test
  void aBatchBelowATurnKeepsReading() {
    channel
        .pipeline()
        .fireChannelRead(Unpooled.wrappedBuffer(new byte[StreamConnection.BYTES_PER_TURN - 1]));
    channel.pipeline().fireChannelReadComplete();
    assertTrue(channel.config().isAutoRead());
  }

  private void send(String text) {
    channel.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII));
  }

  private String sent() {
    StringBuilder sent = new StringBuilder();
    for (ByteBuf out = channel.readOutbound(); out != null; out = channel.readOutbound()) {
      sent.append(out.toString(StandardCharsets.US_ASCII));
      out.release();
    }
    return sent.toString();
  }

  private void advance(Duration time) {
    EmbeddedTime.advance(channel, ticker, time);
  }

  private static final class Echo extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ctx.write(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      ctx.flush();
    }
  }
}
