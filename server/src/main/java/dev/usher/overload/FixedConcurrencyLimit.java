package dev.usher.overload;

import java.util.concurrent.atomic.AtomicInteger;

/** {@code server.overload.max-concurrent-requests}: one counter; its permit is itself. */
final class FixedConcurrencyLimit implements ConcurrencyLimit, Permit {
  private final int limit;
  private final AtomicInteger inFlight = new AtomicInteger();

  FixedConcurrencyLimit(int limit) {
    this.limit = limit;
  }

  @Override
  public Permit tryAcquire() {
    while (true) {
      int now = inFlight.get();
      if (now >= limit) {
        return null;
      }
      if (inFlight.compareAndSet(now, now + 1)) {
        return this;
      }
    }
  }

  @Override
  public void release(boolean answered) {
    inFlight.decrementAndGet();
  }

  @Override
  public int limit() {
    return limit;
  }

  @Override
  public int inFlight() {
    return inFlight.get();
  }
}
