package dev.usher.connection;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The one timer of a connection, on its event loop, with time from the loop's ticker: the owner of
 * the connection's timing rules (idle timeout, request deadline, linger) asks for one check at a
 * time and, at each, decides when the next is due. The busy path never touches it, so keep-alive
 * traffic does not churn the loop's timer queue.
 */
public final class ConnectionTimer implements Runnable {
  /**
   * How often a rule that counts silence checks it, per its timeout: a connection silent for the
   * timeout closes after between one and 1.25 times it, and busy traffic never moves the timer.
   */
  public static final int CHECKS_PER_TIMEOUT = 4;

  /** What a timing rule answers at a check when its time is up: the connection closes. */
  public static final long OVER = -1;

  /** What runs when a check is due; it asks for the next with {@link #checkIn}. */
  @FunctionalInterface
  public interface Check {
    void check();
  }

  private final EventExecutor loop;
  private final Check check;
  private ScheduledFuture<?> pending;
  private long dueNanos;

  public ConnectionTimer(EventExecutor loop, Check check) {
    this.loop = loop;
    this.check = check;
  }

  /** The loop's time. */
  public long nanoTime() {
    return loop.ticker().nanoTime();
  }

  /** The next check runs in {@code delayNanos} (at least 1), in place of any pending one. */
  public void checkIn(long delayNanos) {
    cancel();
    long delay = Math.max(1, delayNanos);
    dueNanos = loop.ticker().nanoTime() + delay;
    pending = loop.schedule(this, delay, TimeUnit.NANOSECONDS);
  }

  /** A check runs by {@code dueNanos}: the pending one moves only when it would run later. */
  public void checkBy(long dueNanos) {
    if (pending == null || this.dueNanos > dueNanos) {
      checkIn(dueNanos - loop.ticker().nanoTime());
    }
  }

  public void cancel() {
    if (pending != null) {
      pending.cancel(false);
      pending = null;
    }
  }

  /** The loop runs the due check: not for the timer's users. */
  @Override
  public void run() {
    pending = null;
    check.check();
  }
}
