package dev.usher.accept;

import dev.usher.metrics.AcceptPathMeters;
import dev.usher.metrics.TcpInfoReader;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.unix.UnixChannel;

/**
 * Watches a listener's accept path from the server channel's pipeline, on the boss loop, ahead of
 * the admission gate (refused connections were taken from the kernel's queue too): how many
 * connections each wake-up accepts and how long each waited in the kernel's accept queue. The
 * hand-off is stamped behind the gate, by {@link HandoffStamp}.
 *
 * <p>One instance per listener: it counts the current batch.
 */
public final class AcceptObserver extends ChannelInboundHandlerAdapter {
  private final AcceptPathMeters meters;
  private TcpInfoReader reader;
  private int batch;

  public AcceptObserver(AcceptPathMeters meters) {
    this.meters = meters;
  }

  // The server channel stays on one boss loop for life: the reader is confined to it.
  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (meters.measuresQueueWait()) {
      reader = TcpInfoReader.create().orElse(null);
    }
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (reader != null) {
      reader.close();
      reader = null;
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    Channel child = (Channel) msg;
    batch++;
    if (reader != null && child instanceof UnixChannel unix && reader.readAccepted(unix)) {
      meters.queueWaited(reader.millisSinceLastAckReceived());
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (batch > 0) {
      meters.acceptedInOneBatch(batch);
      batch = 0;
    }
    ctx.fireChannelReadComplete();
  }
}
