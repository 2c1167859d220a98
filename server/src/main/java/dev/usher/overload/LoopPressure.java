package dev.usher.overload;

/**
 * Whether one event loop is too far behind to take new work, decided from its lag probe: shedding
 * starts as soon as a probe's lag exceeds the limit and stops once every probe has stayed below
 * half of it for {@link #CALM_NANOS}, so that a loop at the edge does not flap. Confined to its
 * loop: the probe and the connections that ask run there.
 */
public final class LoopPressure {
  static final long CALM_NANOS = 1_000_000_000L;
  private static final long NONE = Long.MIN_VALUE;

  /** The pressure of a loop no limit applies to: never shedding. */
  public static final LoopPressure NEVER = new LoopPressure(Long.MAX_VALUE);

  private final long limitNanos;
  // Read by the meters' scrape too.
  private volatile boolean shedding;
  private long calmSinceNanos = NONE;

  LoopPressure(long limitNanos) {
    this.limitNanos = limitNanos;
  }

  /** A probe ran {@code lagNanos} late, at {@code nowNanos} on the loop's ticker. */
  void observe(long lagNanos, long nowNanos) {
    if (lagNanos > limitNanos) {
      shedding = true;
      calmSinceNanos = NONE;
    } else if (shedding) {
      if (lagNanos >= limitNanos / 2) {
        calmSinceNanos = NONE;
      } else if (calmSinceNanos == NONE) {
        calmSinceNanos = nowNanos;
      } else if (nowNanos - calmSinceNanos >= CALM_NANOS) {
        shedding = false;
        calmSinceNanos = NONE;
      }
    }
  }

  /** True while the loop should take no new request or connection. */
  public boolean shedding() {
    return shedding;
  }
}
