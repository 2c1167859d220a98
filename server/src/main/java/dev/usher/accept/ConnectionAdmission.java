package dev.usher.accept;

import io.micrometer.core.instrument.Counter;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gate on a listener's accept path: sits in the server channel's pipeline, sees every accepted
 * connection before it is handed to a worker, and either admits it (tracked and counted) or refuses
 * it: closed at once with {@code SO_LINGER 0}, so the client gets a reset and no TIME_WAIT is left
 * behind, and counted by reason.
 */
public final class ConnectionAdmission extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(ConnectionAdmission.class);
  private static final long ACCEPT_ERROR_PAUSE_MILLIS = 1_000;

  private final String listener;
  private final ConnectionTracker tracker;
  private final Counter accepted;
  private final Map<RefusalReason, Counter> refused;
  private final RefusalLog refusalLog;
  private volatile boolean draining;

  /**
   * @param tracker this listener's connections, which admitted ones join while its budget (one
   *     process-wide {@code server.max-connections}, however many sockets share the port) allows
   */
  public ConnectionAdmission(
      String listener,
      ConnectionTracker tracker,
      Counter accepted,
      Map<RefusalReason, Counter> refused) {
    this.listener = listener;
    this.tracker = tracker;
    this.accepted = accepted;
    this.refused = new EnumMap<>(refused);
    this.refusalLog = new RefusalLog(listener);
  }

  /** From now on every connection that reaches the gate is refused with reason {@code draining}. */
  public void startDraining() {
    draining = true;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    refusalLog.start(ctx.executor());
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    refusalLog.stop();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    Channel child = (Channel) msg;
    if (draining) {
      refuse(child, RefusalReason.DRAINING);
    } else if (!tracker.tryTrack(child)) {
      refuse(child, RefusalReason.MAX_CONNECTIONS);
    } else {
      accepted.increment();
      ctx.fireChannelRead(child);
    }
  }

  private void refuse(Channel child, RefusalReason reason) {
    refused.get(reason).increment();
    refusalLog.refused(reason);
    try {
      child.config().setOption(ChannelOption.SO_LINGER, 0);
    } catch (RuntimeException ignored) {
      // The client may already have gone; closing is all that is left to do.
    }
    child.unsafe().closeForcibly();
  }

  /**
   * An accept failure (EMFILE, ENFILE, ...) arrives here. Like Netty's own acceptor, pause
   * accepting for a second so the process can recover instead of spinning; unlike it, count the
   * failure and log it through the rate-limited refusal log rather than once per failure with a
   * stack trace.
   */
  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    refused.get(RefusalReason.ACCEPT_ERROR).increment();
    refusalLog.refused(RefusalReason.ACCEPT_ERROR);
    log.debug("listener {}: accept failed", listener, cause);
    var config = ctx.channel().config();
    if (config.isAutoRead()) {
      config.setAutoRead(false);
      ctx.executor()
          .schedule(
              () -> config.setAutoRead(!draining),
              ACCEPT_ERROR_PAUSE_MILLIS,
              TimeUnit.MILLISECONDS);
    }
  }
}
