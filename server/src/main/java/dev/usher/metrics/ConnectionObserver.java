package dev.usher.metrics;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import java.util.concurrent.TimeUnit;

/**
 * The first handler of an accepted connection: records its hand-off time (accepted on the boss loop
 * to active on the worker), its bytes in and out, and its lifetime.
 */
final class ConnectionObserver extends ChannelDuplexHandler {
  private final AcceptPathMeters meters;
  private final long acceptedNanos;
  private long activeNanos;

  ConnectionObserver(AcceptPathMeters meters, long acceptedNanos) {
    this.meters = meters;
    this.acceptedNanos = acceptedNanos;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    activeNanos = System.nanoTime();
    meters.handoff.record(activeNanos - acceptedNanos, TimeUnit.NANOSECONDS);
    ctx.fireChannelActive();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (activeNanos != 0) {
      meters.connectionDuration.record(System.nanoTime() - activeNanos, TimeUnit.NANOSECONDS);
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    meters.bytesReceived.increment(readableBytes(msg));
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    meters.bytesSent.increment(readableBytes(msg));
    ctx.write(msg, promise);
  }

  private static int readableBytes(Object msg) {
    if (msg instanceof ByteBuf buffer) {
      return buffer.readableBytes();
    }
    return msg instanceof ByteBufHolder holder ? holder.content().readableBytes() : 0;
  }
}
