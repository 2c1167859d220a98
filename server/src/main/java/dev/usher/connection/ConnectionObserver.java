package dev.usher.connection;

import dev.usher.metrics.AcceptPathMeters;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/**
 * The first handler of an accepted connection: records its hand-off time (accepted on the boss loop
 * to active on the worker; both loops' tickers read the same system clock), its bytes in and out,
 * and its lifetime.
 */
public final class ConnectionObserver extends ChannelDuplexHandler {
  private final AcceptPathMeters meters;
  // When the boss loop accepted the connection until it is active, then when it became active
  // (one field: a connection's memory is measured).
  private long sinceNanos;
  private boolean active;

  /**
   * @param acceptedNanos when the boss loop accepted the connection, on its ticker
   */
  public ConnectionObserver(AcceptPathMeters meters, long acceptedNanos) {
    this.meters = meters;
    this.sinceNanos = acceptedNanos;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    long now = ctx.executor().ticker().nanoTime();
    meters.handedOff(now - sinceNanos);
    sinceNanos = now;
    active = true;
    ctx.fireChannelActive();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (active) {
      meters.closedAfter(ctx.executor().ticker().nanoTime() - sinceNanos);
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    meters.received(readableBytes(msg));
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    meters.sent(readableBytes(msg));
    ctx.write(msg, promise);
  }

  private static int readableBytes(Object msg) {
    if (msg instanceof ByteBuf buffer) {
      return buffer.readableBytes();
    }
    return msg instanceof ByteBufHolder holder ? holder.content().readableBytes() : 0;
  }
}
