package dev.usher.accept;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection that has neither read nor written for {@code server.idle-timeout}: a client
 * that holds a connection open and silent cannot keep a slot forever. It closes after between one
 * and 1.25 timeouts of silence, never before one.
 *
 * <p>Netty's {@code IdleStateHandler} does this too, but reads the clock and adds a listener to a
 * fresh promise for every write. Here a read batch or a flush only raises a flag, which costs the
 * busy path nothing; one timer per connection, firing every quarter of the timeout, reads the clock
 * and the flag.
 */
public final class IdleTimeout extends ChannelDuplexHandler {
  private static final int CHECKS_PER_TIMEOUT = 4;

  private final long timeoutNanos;
  private final long checkIntervalNanos;
  private boolean activeSinceCheck;
  private long silentSinceNanos;
  private long lastPendingWriteBytes;
  private ScheduledFuture<?> check;
  private Runnable checkTask;

  public IdleTimeout(long timeoutNanos) {
    if (timeoutNanos <= 0) {
      throw new IllegalArgumentException("timeoutNanos: " + timeoutNanos + " (expected: > 0)");
    }
    this.timeoutNanos = timeoutNanos;
    this.checkIntervalNanos = Math.max(1, timeoutNanos / CHECKS_PER_TIMEOUT);
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
      silentSinceNanos = System.nanoTime();
      schedule(ctx, checkIntervalNanos);
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
    activeSinceCheck = true;
    ctx.fireChannelReadComplete();
  }

  @Override
  public void flush(ChannelHandlerContext ctx) {
    activeSinceCheck = true;
    ctx.flush();
  }

  private void check(ChannelHandlerContext ctx) {
    if (!ctx.channel().isOpen()) {
      return;
    }
    long now = System.nanoTime();
    // The last activity came after the previous check, so counting silence from now never counts
    // too much; it may count up to one interval too little.
    boolean outboundProgressed = outboundProgressed(ctx);
    if (activeSinceCheck || outboundProgressed) {
      activeSinceCheck = false;
      silentSinceNanos = now;
    }
    long left = timeoutNanos - (now - silentSinceNanos);
    if (left <= 0) {
      check = null;
      ctx.close();
    } else {
      schedule(ctx, Math.min(left, checkIntervalNanos));
    }
  }

  // A large response still going out to a slow reader is activity, though nothing is flushed.
  private boolean outboundProgressed(ChannelHandlerContext ctx) {
    ChannelOutboundBuffer outbound = ctx.channel().unsafe().outboundBuffer();
    long pending = outbound == null ? 0 : outbound.totalPendingWriteBytes();
    boolean progressed = pending != lastPendingWriteBytes;
    lastPendingWriteBytes = pending;
    return progressed;
  }

  private void schedule(ChannelHandlerContext ctx, long delayNanos) {
    if (checkTask == null) {
      checkTask = () -> check(ctx);
    }
    check = ctx.executor().schedule(checkTask, delayNanos, TimeUnit.NANOSECONDS);
  }
}
