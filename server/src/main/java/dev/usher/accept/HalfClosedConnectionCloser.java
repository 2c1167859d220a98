package dev.usher.accept;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;

/**
 * Closes a connection once the client has finished sending (a half-close, such as {@code
 * shutdown(SHUT_WR)} or {@code nc -N}), but only after everything written to it has been flushed:
 * the client still gets its answers. Needs {@code ALLOW_HALF_CLOSURE} on the connection: without
 * it, the io_uring transport closes on the client's FIN before the read batch completes, dropping
 * replies that were written but not yet flushed.
 */
@Sharable
public final class HalfClosedConnectionCloser extends ChannelInboundHandlerAdapter {
  public static final HalfClosedConnectionCloser INSTANCE = new HalfClosedConnectionCloser();

  private HalfClosedConnectionCloser() {}

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    // The application first sees the end of input and answers what it has; the empty write then
    // queues behind those answers, and the close follows once all of them are written.
    ctx.fireUserEventTriggered(event);
    if (event instanceof ChannelInputShutdownEvent) {
      ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
  }
}
