package dev.usher.accept;

import io.micrometer.core.instrument.Counter;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import java.util.EnumMap;
import java.util.Map;

/**
 * The gate on a listener's accept path: sits in the server channel's pipeline, sees every accepted
 * connection before it is handed to a worker, and either admits it (tracked and counted) or refuses
 * it: closed at once with {@code SO_LINGER 0}, so the client gets a reset and no TIME_WAIT is left
 * behind, and counted by reason.
 */
public final class ConnectionAdmission extends ChannelInboundHandlerAdapter {
  private final ConnectionTracker tracker;
  private final Counter accepted;
  private final Map<RefusalReason, Counter> refused;
  private final RefusalLog refusalLog;
  private final AcceptPause acceptPause;
  private final QueueTimeout queueTimeout;
  private volatile boolean draining;

  /**
   * @param tracker this listener's connections, which admitted ones join while its budget (one
   *     process-wide {@code server.max-connections}, however many sockets share the port) allows
   * @param reserve the process's descriptor reserve: after a failed accept, this listener accepts
   *     again only once a descriptor is free beyond it
   * @param queueTimeout what becomes of a connection that waited too long in the accept queue
   */
  public ConnectionAdmission(
      String listener,
      ConnectionTracker tracker,
      Counter accepted,
      Map<RefusalReason, Counter> refused,
      DescriptorReserve reserve,
      QueueTimeout queueTimeout) {
    this.tracker = tracker;
    this.queueTimeout = queueTimeout;
    this.accepted = accepted;
    this.refused = new EnumMap<>(refused);
    this.refusalLog = new RefusalLog(listener);
    this.acceptPause = new AcceptPause(listener, reserve, () -> !draining);
  }

  /** From now on every connection that reaches the gate is refused with reason {@code draining}. */
  public void startDraining() {
    draining = true;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    refusalLog.start(ctx.executor());
    queueTimeout.start();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    refusalLog.stop();
    queueTimeout.stop();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    Channel child = (Channel) msg;
    if (draining) {
      refuse(child, RefusalReason.DRAINING);
      return;
    }
    QueueTimeout.Verdict verdict = queueTimeout.judge(child);
    if (verdict == QueueTimeout.Verdict.RESET) {
      // Admitted, then turned away: counted as both, never tracked (it never reaches a loop).
      accepted.increment();
      refuse(child, RefusalReason.QUEUE_TIMEOUT);
    } else if (!tracker.tryTrack(child)) {
      refuse(child, RefusalReason.MAX_CONNECTIONS);
    } else {
      accepted.increment();
      if (verdict == QueueTimeout.Verdict.ANSWER_TOO_LATE) {
        countRefused(RefusalReason.QUEUE_TIMEOUT);
      }
      ctx.fireChannelRead(child);
    }
  }

  private void refuse(Channel child, RefusalReason reason) {
    countRefused(reason);
    try {
      child.config().setOption(ChannelOption.SO_LINGER, 0);
    } catch (RuntimeException ignored) {
      // The client may already have gone; closing is all that is left to do.
    }
    child.unsafe().closeForcibly();
  }

  private void countRefused(RefusalReason reason) {
    refused.get(reason).increment();
    refusalLog.refused(reason);
  }

  /**
   * An accept failure (EMFILE, ENFILE, ...) arrives here. Like Netty's own acceptor, pause
   * accepting so the process can recover instead of spinning; unlike it, count the failure, log it
   * through the rate-limited refusal log rather than with a stack trace, and resume only once a
   * descriptor is free beyond the reserve, so that the pause is not one failed accept a second.
   */
  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    countRefused(RefusalReason.ACCEPT_ERROR);
    acceptPause.acceptFailed(ctx, cause);
  }
}
