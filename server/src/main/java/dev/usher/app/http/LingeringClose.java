package dev.usher.app.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Ends a connection whose client may still be sending, such as an upload refused with 413 halfway.
 * Closing a socket with unread input makes the kernel answer with a reset, and a client still
 * writing then fails its write and often never reads the answer (a Windows client loses it
 * outright). So, as nginx's {@code lingering_close} does: the answer is sent, the output shut
 * (FIN), and whatever still arrives is read and dropped, until the client closes its side, is quiet
 * for {@link #QUIET_NANOS}, or {@link #MAX_NANOS} has passed.
 */
final class LingeringClose extends ChannelInboundHandlerAdapter {
  private static final String NAME = "http-lingering-close";
  static final long QUIET_NANOS = TimeUnit.SECONDS.toNanos(5);
  static final long MAX_NANOS = TimeUnit.SECONDS.toNanos(30);

  private final long startNanos = System.nanoTime();
  private boolean readSinceCheck;
  private ScheduledFuture<?> check;

  /** Once the answer is written: shuts the output and lingers, or closes when it cannot. */
  static void afterWrite(ChannelFuture written) {
    Channel channel = written.channel();
    if (!written.isSuccess()
        || !(channel instanceof DuplexChannel duplex)
        || !channel.isActive()
        || channel.pipeline().get("http-first-byte") == null) {
      channel.close();
      return;
    }
    if (channel.pipeline().get(NAME) != null) {
      return;
    }
    // Ahead of the HTTP handlers, so no byte reaches the codec again; behind usher's own, which
    // still count the bytes and close on the client's half-close.
    channel.pipeline().addBefore("http-first-byte", NAME, new LingeringClose());
    duplex
        .shutdownOutput()
        .addListener(
            shut -> {
              if (!shut.isSuccess()) {
                channel.close();
              }
            });
  }

  /** Whether a connection is already lingering: it has nothing more to send. */
  static boolean isLingering(Channel channel) {
    return channel instanceof DuplexChannel duplex && duplex.isOutputShutdown();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    scheduleCheck(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    readSinceCheck = true;
    ReferenceCountUtil.release(msg);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (check != null) {
      check.cancel(false);
    }
    ctx.fireChannelInactive();
  }

  private void scheduleCheck(ChannelHandlerContext ctx) {
    check = ctx.executor().schedule(() -> check(ctx), QUIET_NANOS, TimeUnit.NANOSECONDS);
  }

  private void check(ChannelHandlerContext ctx) {
    if (!readSinceCheck || System.nanoTime() - startNanos >= MAX_NANOS) {
      ctx.close();
    } else {
      readSinceCheck = false;
      scheduleCheck(ctx);
    }
  }
}
