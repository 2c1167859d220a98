package dev.usher.connection;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;

/**
 * A connection's idle timeout: how long it has neither read nor written. The busy path only raises
 * a flag ({@link #activity()}, per read batch or flush); the connection's timer asks {@link
 * #nextCheck} every quarter of the timeout, which reads the clock and the flag, so silence is
 * counted from at most one check interval too late and never too early: the connection closes after
 * between one and 1.25 timeouts of silence. A large answer still going out to a slow reader counts
 * as activity, though nothing is flushed meanwhile.
 */
public final class Silence {
  // The timeout is the owner's setting, passed in: every connection holds a Silence.
  private boolean activeSinceCheck;
  private long silentSinceNanos;
  private long lastPendingWriteBytes;

  public Silence(long nowNanos) {
    this.silentSinceNanos = nowNanos;
  }

  /** Something was read or flushed. */
  public void activity() {
    activeSinceCheck = true;
  }

  /** How often the timer checks: a quarter of the timeout. */
  public static long checkInterval(long timeoutNanos) {
    return Math.max(1, timeoutNanos / ConnectionTimer.CHECKS_PER_TIMEOUT);
  }

  /**
   * At a check: {@link ConnectionTimer#OVER} once the connection has been silent for the timeout,
   * else how long until the next check.
   */
  public long nextCheck(Channel channel, long nowNanos, long timeoutNanos) {
    if (activeSinceCheck || outboundProgressed(channel)) {
      activeSinceCheck = false;
      silentSinceNanos = nowNanos;
    }
    long left = timeoutNanos - (nowNanos - silentSinceNanos);
    return left <= 0 ? ConnectionTimer.OVER : Math.min(checkInterval(timeoutNanos), left);
  }

  private boolean outboundProgressed(Channel channel) {
    ChannelOutboundBuffer outbound = channel.unsafe().outboundBuffer();
    long pending = outbound == null ? 0 : outbound.totalPendingWriteBytes();
    boolean progressed = pending != lastPendingWriteBytes;
    lastPendingWriteBytes = pending;
    return progressed;
  }
}
