package dev.usher.connection;

import dev.usher.app.DrainRequested;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;

/**
 * The owner of a raw byte stream's life (a TCP protocol of an {@code UsherApplication}), ahead of
 * the application's handlers: the idle timeout, the client's half-close, backpressure on a client
 * that does not read, and the drain. An HTTP connection has its own owner, which knows its
 * requests.
 *
 * <ul>
 *   <li>A connection silent both ways for the idle timeout closes (after between one and 1.25
 *       timeouts: one timer per connection checks every quarter of it).
 *   <li>When the client has finished sending (a half-close), what the application wrote in answer
 *       is flushed, then the connection closes.
 *   <li>Reading pauses while more than the write buffer's high-water mark waits for a slow client,
 *       and resumes when it catches up; a read batch that brings {@value #BYTES_PER_TURN} bytes or
 *       more ends the connection's turn ({@link ReadTurns}). This handler owns the channel's
 *       auto-read: the application leaves it alone.
 *   <li>A drain passes {@link DrainRequested} on to the application, flushes what was written,
 *       shuts the output and lingers ({@link Lingering}): the client reads everything and an end of
 *       stream, never a reset over unread input.
 * </ul>
 */
public final class StreamConnection extends ChannelDuplexHandler implements ConnectionTimer.Check {
  static final int BYTES_PER_TURN = 64 * 1024;

  private final long idleTimeoutNanos;
  private final long lingeringTimeoutNanos;
  private final long lingeringTimeNanos;
  private Lingering lingering;
  private ChannelHandlerContext ctx;
  private ConnectionTimer timer;
  private ReadTurns reads;
  private Silence silence;
  private boolean ending;

  public StreamConnection(Duration idleTimeout, Duration lingeringTimeout, Duration lingeringTime) {
    this.idleTimeoutNanos = idleTimeout.toNanos();
    this.lingeringTimeoutNanos = lingeringTimeout.toNanos();
    this.lingeringTimeNanos = lingeringTime.toNanos();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.timer = new ConnectionTimer(ctx.executor(), this);
    this.reads = new ReadTurns(ctx, BYTES_PER_TURN, ReadTurns.NOTHING_HELD);
    if (ctx.channel().isActive()) {
      start();
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    start();
    ctx.fireChannelActive();
  }

  private void start() {
    if (silence == null) {
      silence = new Silence(timer.nanoTime());
      timer.checkIn(Silence.checkInterval(idleTimeoutNanos));
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    timer.cancel();
    ctx.fireChannelInactive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (ending) {
      ReferenceCountUtil.release(msg);
      if (lingering != null) {
        lingering.heard();
      }
      return;
    }
    if (msg instanceof ByteBuf bytes) {
      reads.spend(bytes.readableBytes());
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    silence.activity();
    reads.batchEnded();
    ctx.fireChannelReadComplete();
    if (lingering == null && !ctx.channel().isWritable()) {
      reads.clientSlow();
    }
  }

  @Override
  public void flush(ChannelHandlerContext ctx) {
    silence.activity();
    ctx.flush();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable()) {
      reads.clientCaughtUp();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event == DrainRequested.INSTANCE) {
      // The application may write its last bytes first; then they are flushed and the output shut.
      ctx.fireUserEventTriggered(event);
      drain();
      return;
    }
    // The application first sees the end of input and answers what it has; the empty write then
    // queues behind those answers, and the close follows once all of them are written.
    ctx.fireUserEventTriggered(event);
    if (event instanceof ChannelInputShutdownEvent) {
      if (lingering != null) {
        ctx.close();
      } else {
        ending = true;
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      }
    }
  }

  private void drain() {
    if (lingering != null) {
      ctx.close();
      return;
    }
    if (ending) {
      return;
    }
    ending = true;
    ctx.writeAndFlush(Unpooled.EMPTY_BUFFER)
        .addListener(
            flushed -> {
              lingering =
                  flushed.isSuccess()
                      ? Lingering.start(
                          ctx.channel(), lingeringTimeoutNanos, lingeringTimeNanos, timer)
                      : null;
              if (lingering == null) {
                ctx.close();
              }
            });
  }

  /** The connection's timer is due. */
  @Override
  public void check() {
    if (!ctx.channel().isOpen()) {
      return;
    }
    long now = timer.nanoTime();
    long next =
        lingering != null
            ? lingering.nextCheck(now)
            : silence.nextCheck(ctx.channel(), now, idleTimeoutNanos);
    if (next == ConnectionTimer.OVER) {
      ctx.close();
    } else {
      timer.checkIn(next);
    }
  }
}
