package dev.usher.accept;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The process-wide {@code server.max-connections}, shared by every listening socket (with {@code
 * reuseport}, one per worker loop, each admitting on its own thread): a slot is taken atomically on
 * admission and given back when the connection closes, so concurrent admissions cannot exceed the
 * limit.
 */
public final class ConnectionBudget {
  private final int maxConnections;
  private final AtomicInteger open = new AtomicInteger();

  public ConnectionBudget(int maxConnections) {
    if (maxConnections <= 0) {
      throw new IllegalArgumentException("maxConnections: " + maxConnections + " (expected: > 0)");
    }
    this.maxConnections = maxConnections;
  }

  /** Takes a slot; false when all are taken. */
  boolean tryAcquire() {
    for (int current = open.get(); current < maxConnections; current = open.get()) {
      if (open.compareAndSet(current, current + 1)) {
        return true;
      }
    }
    return false;
  }

  void release() {
    open.decrementAndGet();
  }

  /** Open connections across every listening socket. */
  public int openConnections() {
    return open.get();
  }
}
