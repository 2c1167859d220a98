package dev.usher.app.http;

import dev.usher.app.DrainRequested;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Reads and drops what a client still sends to a lingering connection ({@link LingeringClose}), and
 * closes it once the client has been silent for the lingering timeout (checked every quarter of it,
 * so after between one and 1.25 times that silence), once the lingering time has passed, or at once
 * when the server drains.
 */
final class LingeringReader extends ChannelInboundHandlerAdapter {
  private final long timeoutNanos;
  private final long timeNanos;
  private long startNanos = System.nanoTime();
  private long lastReadNanos = startNanos;
  private ScheduledFuture<?> check;

  LingeringReader(long timeoutNanos, long timeNanos) {
    this.timeoutNanos = timeoutNanos;
    this.timeNanos = timeNanos;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    // Reading may be paused for a client slow to read its answers (SlowReaderBackpressure); with
    // the output shut the connection never becomes writable again, so lingering resumes it.
    ctx.channel().config().setAutoRead(true);
    scheduleCheck(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    lastReadNanos = System.nanoTime();
    ReferenceCountUtil.release(msg);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event == DrainRequested.INSTANCE) {
      ctx.close();
    } else {
      ctx.fireUserEventTriggered(event);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (check != null) {
      check.cancel(false);
    }
    ctx.fireChannelInactive();
  }

  private void scheduleCheck(ChannelHandlerContext ctx) {
    long delay =
        Math.max(1, Math.min(timeoutNanos / 4, timeNanos - (System.nanoTime() - startNanos)));
    check = ctx.executor().schedule(() -> check(ctx), delay, TimeUnit.NANOSECONDS);
  }

  private void check(ChannelHandlerContext ctx) {
    long now = System.nanoTime();
    if (!LingeringClose.isLingering(ctx.channel())) {
      // The answers are still going out (a drain's lingering close starts before they have): the
      // linger, and the client's silence, count from the shut output.
      startNanos = now;
      lastReadNanos = now;
    }
    if (now - lastReadNanos >= timeoutNanos || now - startNanos >= timeNanos) {
      ctx.close();
    } else {
      scheduleCheck(ctx);
    }
  }
}
