package dev.usher.connection;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;

/**
 * How long a connection has neither read nor written, for its idle timeout. The busy path only
 * raises a flag ({@link #activity()}, per read batch or flush); the connection's periodic check
 * reads the clock and the flag, so silence is counted from at most one check interval too late and
 * never too early. A large answer still going out to a slow reader counts as activity, though
 * nothing is flushed meanwhile.
 */
public final class Silence {
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

  /** At a check: how long the connection has been silent. */
  public long silentNanos(Channel channel, long nowNanos) {
    if (activeSinceCheck || outboundProgressed(channel)) {
      activeSinceCheck = false;
      silentSinceNanos = nowNanos;
    }
    return nowNanos - silentSinceNanos;
  }

  private boolean outboundProgressed(Channel channel) {
    ChannelOutboundBuffer outbound = channel.unsafe().outboundBuffer();
    long pending = outbound == null ? 0 : outbound.totalPendingWriteBytes();
    boolean progressed = pending != lastPendingWriteBytes;
    lastPendingWriteBytes = pending;
    return progressed;
  }
}
