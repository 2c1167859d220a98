package dev.usher.app.http;

import dev.usher.app.DrainRequested;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import java.util.function.BiConsumer;

/**
 * Stands in for the HTTP handlers until a connection's first bytes arrive, then puts them in its
 * place and passes those bytes on. A connection that has sent nothing holds no HTTP state, as in
 * nginx: load balancers and pooling clients open connections ahead of need, and a server may hold
 * tens of thousands of them.
 *
 * <p>A drain closes such a connection at once: it has no request to answer.
 */
@Sharable
final class HttpSetupOnFirstByte extends ChannelInboundHandlerAdapter {
  private final BiConsumer<ChannelPipeline, String> addHandlersAfter;

  /**
   * @param addHandlersAfter adds the HTTP handlers to a pipeline, right after the handler of the
   *     given name
   */
  HttpSetupOnFirstByte(BiConsumer<ChannelPipeline, String> addHandlersAfter) {
    this.addHandlersAfter = addHandlersAfter;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ChannelPipeline pipeline = ctx.pipeline();
    addHandlersAfter.accept(pipeline, ctx.name());
    pipeline.remove(ctx.name());
    // A removed context still leads to the handler after it: the first of those just added.
    ctx.fireChannelRead(msg);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event == DrainRequested.INSTANCE) {
      ctx.close();
    } else {
      ctx.fireUserEventTriggered(event);
    }
  }
}
