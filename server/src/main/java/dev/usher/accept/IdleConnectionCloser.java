package dev.usher.accept;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;

/**
 * Closes a connection when the {@code IdleStateHandler} before it reports that it has neither read
 * nor written for {@code server.idle-timeout}: a client that holds a connection open and silent
 * cannot keep a slot forever.
 */
@Sharable
public final class IdleConnectionCloser extends ChannelInboundHandlerAdapter {
  public static final IdleConnectionCloser INSTANCE = new IdleConnectionCloser();

  private IdleConnectionCloser() {}

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof IdleStateEvent) {
      ctx.close();
    } else {
      ctx.fireUserEventTriggered(event);
    }
  }
}
