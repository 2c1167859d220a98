package dev.usher.overload;

import java.util.concurrent.atomic.AtomicInteger;

/** {@code server.overload.max-concurrent-requests}: requests being served at once, process-wide. */
final class ConcurrencyLimit {
  private final int limit;
  private final AtomicInteger inFlight = new AtomicInteger();

  ConcurrencyLimit(int limit) {
    this.limit = limit;
  }

  boolean tryAcquire() {
    while (true) {
      int now = inFlight.get();
      if (now >= limit) {
        return false;
      }
      if (inFlight.compareAndSet(now, now + 1)) {
        return true;
      }
    }
  }

  void release() {
    inFlight.decrementAndGet();
  }

  int inFlight() {
    return inFlight.get();
  }
}
