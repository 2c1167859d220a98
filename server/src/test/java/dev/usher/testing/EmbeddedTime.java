package dev.usher.testing;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.MockTicker;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Time passing on an embedded channel whose loop reads a mock ticker. */
public final class EmbeddedTime {
  // Fine enough that a timer which reschedules itself runs within 10 ms of when it is due.
  private static final long STEP_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  private EmbeddedTime() {}

  /** Advances {@code ticker} by {@code time} in small steps, running what falls due at each. */
  public static void advance(EmbeddedChannel channel, MockTicker ticker, Duration time) {
    for (long left = time.toNanos(); left > 0; left -= STEP_NANOS) {
      ticker.advance(Math.min(STEP_NANOS, left), TimeUnit.NANOSECONDS);
      channel.runScheduledPendingTasks();
      channel.runPendingTasks();
    }
  }
}
