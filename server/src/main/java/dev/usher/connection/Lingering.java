package dev.usher.connection;

/**
 * The clock of a lingering close, as nginx's {@code lingering_close}: once a connection's output is
 * shut, what the client still sends is read and dropped until it has been silent for the lingering
 * timeout (checked every quarter of it, so after between one and 1.25 times that silence) or the
 * lingering time has passed since the output was shut. The connection's own timer asks {@link
 * #nextCheck}; reads only raise a flag.
 */
public final class Lingering {
  /** What {@link #nextCheck} answers when the linger is over. */
  public static final long OVER = -1;

  private static final long NOT_STARTED = Long.MIN_VALUE;

  private final long timeoutNanos;
  private final long timeNanos;
  private long startNanos = NOT_STARTED;
  private long heardNanos;
  private boolean heardSinceCheck;

  public Lingering(long timeoutNanos, long timeNanos) {
    this.timeoutNanos = timeoutNanos;
    this.timeNanos = timeNanos;
  }

  /** The output is shut: the linger counts from now. */
  public void started(long nowNanos) {
    startNanos = heardNanos = nowNanos;
  }

  /** The client sent something. */
  public void heard() {
    heardSinceCheck = true;
  }

  /** At a check: {@link #OVER}, or how long until the next check. */
  public long nextCheck(long nowNanos) {
    long interval = Math.max(1, timeoutNanos / ConnectionTimer.CHECKS_PER_TIMEOUT);
    if (startNanos == NOT_STARTED) {
      // The answers are still going out: the linger counts from the shut output.
      return interval;
    }
    if (heardSinceCheck) {
      heardSinceCheck = false;
      heardNanos = nowNanos;
    }
    if (nowNanos - heardNanos >= timeoutNanos || nowNanos - startNanos >= timeNanos) {
      return OVER;
    }
    return Math.min(interval, startNanos + timeNanos - nowNanos);
  }
}
