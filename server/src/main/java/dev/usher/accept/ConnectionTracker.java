package dev.usher.accept;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The open connections of one listening socket: their count, for the active gauge, and the channels
 * themselves, so a drain can reach every one. Each holds a slot of the process-wide {@link
 * ConnectionBudget} until it closes.
 */
public final class ConnectionTracker {
  private final ConnectionBudget budget;
  private final AtomicInteger open = new AtomicInteger();
  private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final ChannelFutureListener onClose;

  public ConnectionTracker(ConnectionBudget budget) {
    this.budget = budget;
    this.onClose =
        future -> {
          open.decrementAndGet();
          budget.release();
        };
  }

  /** Tracks {@code child} if the budget has a slot for it; false when it has none. */
  boolean tryTrack(Channel child) {
    if (!budget.tryAcquire()) {
      return false;
    }
    open.incrementAndGet();
    channels.add(child);
    child.closeFuture().addListener(onClose);
    return true;
  }

  /** Connections accepted and not yet closed. */
  public int openConnections() {
    return open.get();
  }

  /** The open connections; closed ones leave the group by themselves. */
  public ChannelGroup channels() {
    return channels;
  }
}
