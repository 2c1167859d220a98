package dev.usher.overload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The adaptive limit on a clock the test moves: it bounds, and it falls when latency grows. */
class AdaptiveConcurrencyLimitTest {
  private static final long MS = 1_000_000L;
  private final AtomicLong now = new AtomicLong();

  @Test
  void itAdmitsUpToItsLimitAndAPlaceGivenBackIsTakenAgain() {
    AdaptiveConcurrencyLimit limit = new AdaptiveConcurrencyLimit(4, 100, now::get);
    List<Permit> held = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      held.add(assertInstanceOfPermit(limit.tryAcquire()));
    }
    assertNull(limit.tryAcquire(), "a fifth request over a limit of four");
    assertEquals(4, limit.inFlight());

    held.removeFirst().release(false);
    assertNotNull(limit.tryAcquire());
  }

  @Test
  void theLimitFallsWhenLatencyGrowsPastItsLongRunAverage() {
    // At most 40: thirty in flight keep it learning (it learns only while half of it is used).
    AdaptiveConcurrencyLimit limit = new AdaptiveConcurrencyLimit(20, 40, now::get);
    ArrayDeque<Permit> inFlight = new ArrayDeque<>();
    serve(limit, inFlight, 2_000, MS / 10);
    int settled = limit.limit();

    serve(limit, inFlight, 200, 5 * MS);
    assertTrue(
        limit.limit() < settled,
        "latency grew fifty-fold, the limit went from " + settled + " to " + limit.limit());
  }

  // Up to thirty requests in flight: each step one more arrives (unless shed), the clock moves on
  // by
  // stepNanos, and the oldest is answered.
  private void serve(
      AdaptiveConcurrencyLimit limit, ArrayDeque<Permit> inFlight, int requests, long stepNanos) {
    for (int i = 0; i < requests; i++) {
      Permit permit = limit.tryAcquire();
      if (permit != null) {
        inFlight.addLast(permit);
      }
      now.addAndGet(stepNanos);
      if (inFlight.size() > 30 || (permit == null && !inFlight.isEmpty())) {
        inFlight.removeFirst().release(true);
      }
    }
  }

  private static Permit assertInstanceOfPermit(Permit permit) {
    assertNotNull(permit, "a place was free");
    return permit;
  }
}
