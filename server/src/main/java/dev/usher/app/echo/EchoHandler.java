package dev.usher.app.echo;

import dev.usher.app.DrainRequested;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Writes back what it reads, flushing once per read batch. (usher's own backpressure pauses reading
 * while the client is slow to read the echoes.) On drain, pending echoes are flushed and then the
 * connection closes.
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

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event == DrainRequested.INSTANCE) {
      ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    } else {
      ctx.fireUserEventTriggered(event);
    }
  }
}
