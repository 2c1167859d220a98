package dev.usher.admin;

import dev.usher.accept.DescriptorReserve;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin listener's failed accepts, in its server channel's pipeline. Out of file descriptors,
 * it releases the {@link DescriptorReserve}, so that the scrape or probe waiting in the admin queue
 * is accepted at once (the transport accepts again as soon as this returns), and re-arms the
 * reserve once descriptors are free again. Any other failure, or one with the reserve already
 * released, pauses the admin accepts for half a second at a time.
 *
 * <p>A failure ends here, logged once until accepts succeed again: left to reach the end of the
 * pipeline, Netty would log it with its stack trace at every retry.
 */
final class AdminAcceptFailures extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(AdminAcceptFailures.class);
  private static final long RETRY_MILLIS = 500;

  private final DescriptorReserve reserve;
  private int failedSinceLastAccept;

  AdminAcceptFailures(DescriptorReserve reserve) {
    this.reserve = reserve;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object child) {
    if (failedSinceLastAccept > 0) {
      log.info("admin listener: accepting again after {} failed accept(s)", failedSinceLastAccept);
      failedSinceLastAccept = 0;
    }
    ctx.fireChannelRead(child);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (DescriptorReserve.isOutOfDescriptors(cause) && reserve.release()) {
      log.warn(
          "admin listener: out of file descriptors ({}); released the {} held in reserve so that"
              + " scrapes and probes are still answered, until descriptors are free again",
          cause.getMessage(),
          reserve.size());
      scheduleRearm(ctx);
      return;
    }
    if (failedSinceLastAccept++ == 0) {
      log.warn(
          "admin listener: accept failed ({}); retrying every {} ms",
          cause.getMessage(),
          RETRY_MILLIS);
    }
    ChannelConfig config = ctx.channel().config();
    if (config.isAutoRead()) {
      config.setAutoRead(false);
      ctx.executor().schedule(() -> config.setAutoRead(true), RETRY_MILLIS, TimeUnit.MILLISECONDS);
    }
  }

  private void scheduleRearm(ChannelHandlerContext ctx) {
    ctx.executor().schedule(() -> rearmIfFree(ctx), RETRY_MILLIS, TimeUnit.MILLISECONDS);
  }

  private void rearmIfFree(ChannelHandlerContext ctx) {
    if (!ctx.channel().isOpen()) {
      return;
    }
    if (reserve.rearmIfFree()) {
      log.info(
          "admin listener: descriptors are free again; {} held in reserve again", reserve.size());
    } else {
      scheduleRearm(ctx);
    }
  }
}
