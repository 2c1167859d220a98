package dev.usher.connection;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.concurrent.Ticker;
import java.lang.ref.WeakReference;
import java.util.Arrays;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pending {@link ConnectionTimer}s of one event loop, in one binary heap ordered by when each
 * is due, served by one task scheduled on the loop for the earliest. A connection's pending timer
 * thus costs its heap slot; a task of the loop's own per timer would cost 64 bytes more on every
 * idle connection, whose idle check is always pending. On the loop only.
 */
final class LoopTimers implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(LoopTimers.class);
  // Found once per connection: by the loop's thread for a real loop, else (an embedded loop in
  // tests) in a map that lets go of a loop once nothing refers to it; a pending timer (its owner's
  // channel) or wake-up task does, so a loop with nothing pending holds no wake-up.
  private static final Map<EventExecutor, LoopTimers> BY_LOOP = new WeakHashMap<>();
  private static final FastThreadLocal<LoopTimers> LAST_FOUND = new FastThreadLocal<>();

  private final WeakReference<EventExecutor> loop;
  private final Ticker ticker;
  private ConnectionTimer[] heap = new ConnectionTimer[16];
  private int size;
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
    if (timer.index >= 0) {
      removeAt(timer.index);
    }
    timer.dueNanos = dueNanos;
    if (size == heap.length) {
      heap = Arrays.copyOf(heap, size * 2);
    }
    timer.index = size++;
    heap[timer.index] = timer;
    siftUp(timer.index);
    wakeUpForTheEarliest();
  }

  void cancel(ConnectionTimer timer) {
    if (timer.index >= 0) {
      removeAt(timer.index);
    }
    if (size == 0 && wakeUp != null && !running) {
      // Nothing left to wake up for; and a pending task would hold on to the loop (see BY_LOOP).
      wakeUp.cancel(false);
      wakeUp = null;
    }
  }

  int pending() {
    return size;
  }

  /** The loop runs what is due: not for the timers' users. */
  @Override
  public void run() {
    wakeUp = null;
    running = true;
    try {
      long now = ticker.nanoTime();
      while (size > 0 && heap[0].dueNanos <= now) {
        ConnectionTimer due = heap[0];
        removeAt(0);
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
    if (running || size == 0) {
      return;
    }
    long earliest = heap[0].dueNanos;
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

  private void removeAt(int index) {
    ConnectionTimer removed = heap[index];
    removed.index = -1;
    ConnectionTimer last = heap[--size];
    heap[size] = null;
    if (index < size) {
      heap[index] = last;
      last.index = index;
      siftDown(index);
      siftUp(last.index);
    }
  }

  private void siftUp(int index) {
    ConnectionTimer timer = heap[index];
    while (index > 0) {
      int parent = (index - 1) >>> 1;
      ConnectionTimer above = heap[parent];
      if (above.dueNanos <= timer.dueNanos) {
        break;
      }
      heap[index] = above;
      above.index = index;
      index = parent;
    }
    heap[index] = timer;
    timer.index = index;
  }

  private void siftDown(int index) {
    ConnectionTimer timer = heap[index];
    int half = size >>> 1;
    while (index < half) {
      int child = 2 * index + 1;
      int right = child + 1;
      if (right < size && heap[right].dueNanos < heap[child].dueNanos) {
        child = right;
      }
      ConnectionTimer below = heap[child];
      if (timer.dueNanos <= below.dueNanos) {
        break;
      }
      heap[index] = below;
      below.index = index;
      index = child;
    }
    heap[index] = timer;
    timer.index = index;
  }
}
