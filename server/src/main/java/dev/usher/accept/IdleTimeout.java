package dev.usher.accept;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection that has neither read nor written for {@code server.idle-timeout}: a client
 * that holds a connection open and silent cannot keep a slot forever.
 *
 * <p>Netty's {@code IdleStateHandler} does this too, but watches writes through a listener on a
 * fresh promise for every write; here a write or a read only stamps the time, and one timer per
 * connection checks the stamp when it fires, rescheduling itself for the time that is left.
 */
public final class IdleTimeout extends ChannelDuplexHandler {
  private final long timeoutNanos;
  private long lastActivityNanos;
  private ScheduledFuture<?> check;

  public IdleTimeout(long timeoutNanos) {
    if (timeoutNanos <= 0) {
      throw new IllegalArgumentException("timeoutNanos: " + timeoutNanos + " (expected: > 0)");
    }
    this.timeoutNanos = timeoutNanos;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive() && ctx.channel().isRegistered()) {
      start(ctx);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    start(ctx);
    ctx.fireChannelActive();
  }

  private void start(ChannelHandlerContext ctx) {
    if (check == null) {
      lastActivityNanos = System.nanoTime();
      check = ctx.executor().schedule(() -> check(ctx), timeoutNanos, TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (check != null) {
      check.cancel(false);
      check = null;
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    lastActivityNanos = System.nanoTime();
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    lastActivityNanos = System.nanoTime();
    ctx.write(msg, promise);
  }

  private void check(ChannelHandlerContext ctx) {
    if (!ctx.channel().isOpen()) {
      return;
    }
    long left = timeoutNanos - (System.nanoTime() - lastActivityNanos);
    if (left <= 0) {
      check = null;
      ctx.close();
    } else {
      check = ctx.executor().schedule(() -> check(ctx), left, TimeUnit.NANOSECONDS);
    }
  }
}
