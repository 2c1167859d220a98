package dev.usher.http;

import dev.usher.accesslog.AccessLog;
import dev.usher.app.DrainRequested;
import dev.usher.connection.PipelineNames;
import dev.usher.overload.Overload;
import dev.usher.sample.HelloService;
import dev.usher.testing.DuplexEmbeddedChannel;
import dev.usher.testing.EmbeddedTime;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP connection as usher builds it, on an embedded channel whose time is a mock ticker: bytes
 * in, bytes and the connection's state out, time advanced at will.
 */
final class EmbeddedHttpConnection implements AutoCloseable {
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
  static final Duration IDLE_TIMEOUT = Duration.ofSeconds(60);
  static final Duration LINGERING_TIMEOUT = Duration.ofSeconds(5);
  static final Duration LINGERING_TIME = Duration.ofSeconds(30);
  static final int MAX_BODY_BYTES = 1024;
  static final HttpSettings SETTINGS =
      new HttpSettings(
          256,
          512,
          MAX_BODY_BYTES,
          REQUEST_TIMEOUT,
          IDLE_TIMEOUT,
          LINGERING_TIMEOUT,
          LINGERING_TIME,
          false);

  private final MockTicker ticker = Ticker.newMockTicker();
  private final DuplexEmbeddedChannel channel;

  private EmbeddedHttpConnection(
      HttpSettings settings, HttpService service, Overload overload, AccessLog accessLog) {
    HttpApplication application =
        new HttpApplication(
            settings,
            Http2Settings.OFF,
            service,
            ExchangeRecorder.PerLoop.NONE,
            ExchangeRecorder.PerLoop.NONE,
            Http2Observer.NONE,
            overload,
            accessLog);
    channel =
        new DuplexEmbeddedChannel(
            EmbeddedChannel.builder()
                .ticker(ticker)
                .handlers(
                    new ChannelInitializer<Channel>() {
                      @Override
                      protected void initChannel(Channel connection) {
                        application.initConnection(connection.pipeline());
                      }
                    }));
  }

  /** A connection served by the sample service under {@link #SETTINGS}. */
  static EmbeddedHttpConnection open() {
    return open(SETTINGS, new HelloService());
  }

  static EmbeddedHttpConnection open(HttpService service) {
    return open(SETTINGS, service);
  }

  static EmbeddedHttpConnection open(HttpSettings settings, HttpService service) {
    return new EmbeddedHttpConnection(settings, service, Overload.none(), null);
  }

  /** A connection of a server whose requests go through {@code overload}. */
  static EmbeddedHttpConnection open(HttpService service, Overload overload) {
    return new EmbeddedHttpConnection(SETTINGS, service, overload, null);
  }

  /** A connection that writes each answered request to {@code accessLog}. */
  static EmbeddedHttpConnection open(
      HttpSettings settings, HttpService service, AccessLog accessLog) {
    return new EmbeddedHttpConnection(settings, service, Overload.none(), accessLog);
  }

  /** The client sends these bytes, in one read. */
  EmbeddedHttpConnection send(String ascii) {
    channel.writeInbound(Unpooled.copiedBuffer(ascii, StandardCharsets.ISO_8859_1));
    return this;
  }

  /**
   * The client sends these bytes, in one read batch. From now on the loop's tasks wait for {@link
   * #runLoopTasks}, as on a real loop.
   */
  EmbeddedHttpConnection sendInOneBatch(String ascii) {
    channel.loopTasksWait();
    channel.pipeline().fireChannelRead(Unpooled.copiedBuffer(ascii, StandardCharsets.ISO_8859_1));
    channel.pipeline().fireChannelReadComplete();
    return this;
  }

  /** The loop works for {@code time}: its clock moves on, and nothing else runs meanwhile. */
  void busy(Duration time) {
    ticker.advance(time.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** The loop runs the tasks waiting for it. */
  EmbeddedHttpConnection runLoopTasks() {
    channel.runLoopTasks();
    return this;
  }

  /** Whether the connection reads what its client sends. */
  boolean reads() {
    return channel.config().isAutoRead();
  }

  /** The client shuts its output (a half-close). */
  EmbeddedHttpConnection halfClose() {
    channel.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
    channel.runPendingTasks();
    return this;
  }

  /** The server starts draining. */
  EmbeddedHttpConnection drain() {
    channel.pipeline().fireUserEventTriggered(DrainRequested.INSTANCE);
    channel.runPendingTasks();
    return this;
  }

  /** Time passes: the connection's timers run when they are due. */
  EmbeddedHttpConnection advance(Duration time) {
    EmbeddedTime.advance(channel, ticker, time);
    return this;
  }

  /**
   * The loop is busy for {@code time}: the clock jumps, and what fell due meanwhile runs late, all
   * at once.
   */
  EmbeddedHttpConnection stall(Duration time) {
    ticker.advance(time.toNanos(), TimeUnit.NANOSECONDS);
    channel.runScheduledPendingTasks();
    channel.runPendingTasks();
    return this;
  }

  /** Everything written to the client since the last call, as text. */
  String sent() {
    StringBuilder sent = new StringBuilder();
    for (Object message = channel.readOutbound();
        message != null;
        message = channel.readOutbound()) {
      ByteBuf bytes = (ByteBuf) message;
      sent.append(bytes.toString(StandardCharsets.ISO_8859_1));
      bytes.release();
    }
    return sent.toString();
  }

  /** How long until the connection's next timer task runs. */
  long nanosToNextTimer() {
    return channel.runScheduledPendingTasks();
  }

  boolean isOpen() {
    return channel.isOpen();
  }

  /** The server has shut its output and reads on: a lingering close. */
  boolean lingers() {
    return channel.isOpen() && channel.isOutputShutdown();
  }

  /** Whether the HTTP codec has been added (it comes with the first byte). */
  boolean hasCodec() {
    return channel.pipeline().get(PipelineNames.HTTP_DECODER) != null;
  }

  DuplexEmbeddedChannel channel() {
    return channel;
  }

  @Override
  public void close() {
    channel.finishAndReleaseAll();
  }
}
