package dev.usher.accept;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;

/**
 * Stops reading from a client that does not read its answers, and reads again once it catches up: a
 * client that pipelines requests (or streams echo input) without reading cannot make the server
 * hold its answers in memory without bound. "Catching up" is Netty's writability, the connection's
 * unsent answers falling below the low water mark of {@code WRITE_BUFFER_WATER_MARK}. Sits ahead of
 * the application, so it checks after the application has flushed what the read batch produced.
 */
@Sharable
public final class SlowReaderBackpressure extends ChannelInboundHandlerAdapter {
  public static final SlowReaderBackpressure INSTANCE = new SlowReaderBackpressure();

  private SlowReaderBackpressure() {}

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    ctx.fireChannelReadComplete();
    Channel channel = ctx.channel();
    // A connection whose output is shut (a lingering close) is never writable again, and has no
    // answers to wait for: it must go on reading, to see the client's end.
    if (!channel.isWritable() && !isOutputShutdown(channel)) {
      channel.config().setAutoRead(false);
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable()) {
      ctx.channel().config().setAutoRead(true);
    }
    ctx.fireChannelWritabilityChanged();
  }

  private static boolean isOutputShutdown(Channel channel) {
    return channel instanceof DuplexChannel duplex && duplex.isOutputShutdown();
  }
}
