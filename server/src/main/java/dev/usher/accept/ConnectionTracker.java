package dev.usher.accept;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The open connections of one listening socket: one set, whose size is the active gauge and whose
 * members a drain reaches. Each holds a slot of the process-wide {@link ConnectionBudget} until it
 * closes; one close listener gives both back.
 */
public final class ConnectionTracker {
  private final ConnectionBudget budget;
  private final Set<Channel> open = ConcurrentHashMap.newKeySet();
  private final ChannelFutureListener onClose;

  public ConnectionTracker(ConnectionBudget budget) {
    this.budget = budget;
    this.onClose =
        closed -> {
          open.remove(closed.channel());
          budget.release();
        };
  }

  /** Tracks {@code child} if the budget has a slot for it; false when it has none. */
  boolean tryTrack(Channel child) {
    if (!budget.tryAcquire()) {
      return false;
    }
    open.add(child);
    child.closeFuture().addListener(onClose);
    return true;
  }

  /** Connections accepted and not yet closed. */
  public int openConnections() {
    return open.size();
  }

  /** The connections open now: closed ones leave the set by themselves. */
  public List<Channel> channels() {
    return List.copyOf(open);
  }
}
