package dev.usher.accept;

import dev.usher.connection.ConnectionObserver;
import dev.usher.connection.PipelineNames;
import dev.usher.metrics.AcceptPathMeters;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Behind the admission gate, on the boss loop: gives each admitted connection its {@link
 * ConnectionObserver}, stamped with the moment of the hand-off to its worker. Refused connections
 * never get here, so an overload does not pay for observers of connections about to be reset.
 */
@Sharable
public final class HandoffStamp extends ChannelInboundHandlerAdapter {
  private final AcceptPathMeters meters;

  public HandoffStamp(AcceptPathMeters meters) {
    this.meters = meters;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    Channel child = (Channel) msg;
    child
        .pipeline()
        .addFirst(
            PipelineNames.CONNECTION_METERS,
            new ConnectionObserver(meters, ctx.executor().ticker().nanoTime()));
    ctx.fireChannelRead(msg);
  }
}
