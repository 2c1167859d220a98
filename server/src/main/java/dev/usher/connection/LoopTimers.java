package dev.usher.connection;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.concurrent.Ticker;
import io.netty.util.internal.DefaultPriorityQueue;
import java.lang.ref.WeakReference;
import java.util.Comparator;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pending {@link ConnectionTimer}s of one event loop, in one priority queue ordered by when
 * each is due (Netty's {@code DefaultPriorityQueue}, the heap its loops keep their own scheduled
 * tasks in, each element holding its index), served by one task scheduled on the loop for the
 * earliest. A connection's pending timer thus costs its slot in the queue; a task of the loop's own
 * per timer would cost 64 bytes more on every idle connection, whose idle check is always pending.
 * On the loop only.
 */
final class LoopTimers implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(LoopTimers.class);
  // Found once per connection: by the loop's thread for a real loop, else (an embedded loop in
  // tests) in a map that lets go of a loop once nothing refers to it; a pending timer (its owner's
  // channel) or wake-up task does, so a loop with nothing pending holds no wake-up.
  private static final Map<EventExecutor, LoopTimers> BY_LOOP = new WeakHashMap<>();
  private static final FastThreadLocal<LoopTimers> LAST_FOUND = new FastThreadLocal<>();
  private static final Comparator<ConnectionTimer> BY_DUE_TIME =
      Comparator.comparingLong(timer -> timer.dueNanos);

  private final WeakReference<EventExecutor> loop;
  private final Ticker ticker;
  private final DefaultPriorityQueue<ConnectionTimer> queue =
      new DefaultPriorityQueue<>(BY_DUE_TIME, 16);
  private ScheduledFuture<?> wakeUp;
  private long wakeUpNanos;
  private boolean running;

  private LoopTimers(EventExecutor loop) {
    this.loop = new WeakReference<>(loop);
    this.ticker = loop.ticker();
  }

  static LoopTimers of(EventExecutor loop) {
    LoopTimers found = LAST_FOUND.get();
    if (found == null || found.loop.get() != loop) {
      synchronized (BY_LOOP) {
        found = BY_LOOP.computeIfAbsent(loop, LoopTimers::new);
      }
      LAST_FOUND.set(found);
    }
    return found;
  }

  long nanoTime() {
    return ticker.nanoTime();
  }

  /** {@code timer} is due at {@code dueNanos}, in place of when it was due before. */
  void schedule(ConnectionTimer timer, long dueNanos) {
    timer.dueNanos = dueNanos;
    if (timer.pending()) {
      queue.priorityChanged(timer);
    } else {
      queue.offer(timer);
    }
    wakeUpForTheEarliest();
  }

  void cancel(ConnectionTimer timer) {
    queue.removeTyped(timer);
    if (queue.isEmpty() && wakeUp != null && !running) {
      // Nothing left to wake up for; and a pending task would hold on to the loop (see BY_LOOP).
      wakeUp.cancel(false);
      wakeUp = null;
    }
  }

  int pending() {
    return queue.size();
  }

  /** The loop runs what is due: not for the timers' users. */
  @Override
  public void run() {
    wakeUp = null;
    running = true;
    try {
      long now = ticker.nanoTime();
      for (ConnectionTimer due = queue.peek();
          due != null && due.dueNanos <= now;
          due = queue.peek()) {
        queue.poll();
        try {
          due.fire();
        } catch (RuntimeException failed) {
          // One connection's failed check must not hold up the others' (one task each would not).
          log.warn("a connection's timer check failed", failed);
        }
      }
    } finally {
      running = false;
      wakeUpForTheEarliest();
    }
  }

  // A wake-up already pending no later than the earliest stays: when it finds nothing due (its
  // timer was cancelled), it asks for the next.
  private void wakeUpForTheEarliest() {
    if (running || queue.isEmpty()) {
      return;
    }
    long earliest = queue.peek().dueNanos;
    if (wakeUp != null) {
      if (wakeUpNanos <= earliest) {
        return;
      }
      wakeUp.cancel(false);
    }
    EventExecutor executor = loop.get();
    if (executor != null) {
      wakeUpNanos = earliest;
      wakeUp =
          executor.schedule(this, Math.max(0, earliest - ticker.nanoTime()), TimeUnit.NANOSECONDS);
    }
  }
}
