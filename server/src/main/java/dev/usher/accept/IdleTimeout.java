package dev.usher.accept;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection that has neither read nor written for {@code server.idle-timeout}: a client
 * that holds a connection open and silent cannot keep a slot forever.
 *
 * <p>Netty's {@code IdleStateHandler} does this too, but watches writes through a listener on a
 * fresh promise for every write; here the end of each read batch and each flush stamp the time
 * (once per batch, not per message: pipelined requests come and go by the dozen), and one timer per
 * connection checks the stamp when it fires, rescheduling itself for the time that is left.
 */
public final class IdleTimeout extends ChannelDuplexHandler {
  private final long timeoutNanos;
  private long lastActivityNanos;
  private long lastPendingWriteBytes;
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
  public void channelReadComplete(ChannelHandlerContext ctx) {
    lastActivityNanos = System.nanoTime();
    ctx.fireChannelReadComplete();
  }

  @Override
  public void flush(ChannelHandlerContext ctx) {
    lastActivityNanos = System.nanoTime();
    ctx.flush();
  }

  private void check(ChannelHandlerContext ctx) {
    if (!ctx.channel().isOpen()) {
      return;
    }
    // A large response still going out to a slow reader is activity, though nothing is flushed.
    ChannelOutboundBuffer outbound = ctx.channel().unsafe().outboundBuffer();
    long pending = outbound == null ? 0 : outbound.totalPendingWriteBytes();
    if (pending != lastPendingWriteBytes) {
      lastPendingWriteBytes = pending;
      lastActivityNanos = System.nanoTime();
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
