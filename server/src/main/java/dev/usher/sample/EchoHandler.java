package dev.usher.sample;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Writes back what it reads, flushing once per read batch. (usher's {@code StreamConnection} pauses
 * reading while the client is slow to read the echoes, and ends the connection on drain.)
 */
@Sharable
final class EchoHandler extends ChannelInboundHandlerAdapter {
  static final EchoHandler INSTANCE = new EchoHandler();

  private EchoHandler() {}

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ctx.write(msg, ctx.voidPromise());
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    ctx.flush();
  }
}
