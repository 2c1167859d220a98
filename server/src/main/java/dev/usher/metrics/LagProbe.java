package dev.usher.metrics;

import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A task that reschedules itself on one event loop every interval until the loop shuts down, and
 * tells how late each run was: the loop's lag. A busy or blocked loop shows lag long before its
 * connections time out.
 */
public final class LagProbe implements Runnable {
  /** Told each run's lateness, on the probed loop. */
  @FunctionalInterface
  public interface Listener {
    void lagged(long lagNanos, long nowNanos);
  }

  private final EventExecutor loop;
  private final long intervalNanos;
  private final Listener listener;
  private long dueNanos;

  private LagProbe(EventExecutor loop, long intervalNanos, Listener listener) {
    this.loop = loop;
    this.intervalNanos = intervalNanos;
    this.listener = listener;
  }

  /** Starts probing {@code loop} every {@code intervalNanos}. */
  public static void start(EventExecutor loop, long intervalNanos, Listener listener) {
    new LagProbe(loop, intervalNanos, listener).schedule();
  }

  private void schedule() {
    if (loop.isShuttingDown()) {
      return;
    }
    dueNanos = loop.ticker().nanoTime() + intervalNanos;
    try {
      loop.schedule(this, intervalNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException shuttingDown) {
      // The loop is closing; there is nothing left to measure.
    }
  }

  @Override
  public void run() {
    long now = loop.ticker().nanoTime();
    listener.lagged(Math.max(0, now - dueNanos), now);
    schedule();
  }
}
