package dev.usher.accept;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * The open connections of one listening socket: one set, whose size is the active gauge and whose
 * members a drain reaches. Each holds a slot of the process-wide {@link ConnectionBudget} until it
 * closes; one close listener gives both back.
 *
 * <p>The set is an identity set behind a lock, not a concurrent one: it is changed once at a
 * connection's accept and once at its close, and read by a scrape or a drain, and each member costs
 * its slots in one table (about 16 bytes) where a concurrent set's node costs 38.
 */
public final class ConnectionTracker {
  private final ConnectionBudget budget;
  private final Set<Channel> open = Collections.newSetFromMap(new IdentityHashMap<>());
  private final ChannelFutureListener onClose;

  public ConnectionTracker(ConnectionBudget budget) {
    this.budget = budget;
    this.onClose =
        closed -> {
          synchronized (open) {
            open.remove(closed.channel());
          }
          budget.release();
        };
  }

  /** Tracks {@code child} if the budget has a slot for it; false when it has none. */
  boolean tryTrack(Channel child) {
    if (!budget.tryAcquire()) {
      return false;
    }
    synchronized (open) {
      open.add(child);
    }
    child.closeFuture().addListener(onClose);
    return true;
  }

  /** Connections accepted and not yet closed. */
  public int openConnections() {
    synchronized (open) {
      return open.size();
    }
  }

  /** The connections open now: closed ones leave the set by themselves. */
  public List<Channel> channels() {
    synchronized (open) {
      return List.copyOf(open);
    }
  }
}
