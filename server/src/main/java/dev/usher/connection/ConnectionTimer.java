package dev.usher.connection;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.DefaultPriorityQueue;
import io.netty.util.internal.PriorityQueueNode;

/**
 * The one timer of a connection, on its event loop, with time from the loop's ticker: the owner of
 * the connection's timing rules (idle timeout, request deadline, linger) asks for one check at a
 * time and, at each, decides when the next is due. The busy path never touches it, so keep-alive
 * traffic does not churn the loop's timers. The loop's pending timers are kept together ({@link
 * LoopTimers}): a timer holds no task of its own, only its place in their queue.
 */
public final class ConnectionTimer implements PriorityQueueNode {
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

  private final LoopTimers timers;
  private final Check check;
  // LoopTimers' bookkeeping: when the pending check is due, and its place in the loop's queue.
  long dueNanos;
  private int index = INDEX_NOT_IN_QUEUE;

  public ConnectionTimer(EventExecutor loop, Check check) {
    this.timers = LoopTimers.of(loop);
    this.check = check;
  }

  /** The loop's time. */
  public long nanoTime() {
    return timers.nanoTime();
  }

  /** The next check runs in {@code delayNanos} (at least 1), in place of any pending one. */
  public void checkIn(long delayNanos) {
    timers.schedule(this, timers.nanoTime() + Math.max(1, delayNanos));
  }

  /** A check runs by {@code dueNanos}: the pending one moves only when it would run later. */
  public void checkBy(long dueNanos) {
    if (!pending() || this.dueNanos > dueNanos) {
      checkIn(dueNanos - timers.nanoTime());
    }
  }

  public void cancel() {
    timers.cancel(this);
  }

  void fire() {
    check.check();
  }

  boolean pending() {
    return index != INDEX_NOT_IN_QUEUE;
  }

  /** The loop's queue of timers asks: not for the timer's users. */
  @Override
  public int priorityQueueIndex(DefaultPriorityQueue<?> queue) {
    return index;
  }

  /** The loop's queue of timers tells: not for the timer's users. */
  @Override
  public void priorityQueueIndex(DefaultPriorityQueue<?> queue, int index) {
    this.index = index;
  }
}
