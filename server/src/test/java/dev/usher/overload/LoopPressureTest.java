package dev.usher.overload;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The shedding rule of one loop, probe by probe: on above the limit, off after a calm second. */
class LoopPressureTest {
  private static final long MS = 1_000_000L;
  private static final long LIMIT = 50 * MS;

  /** A probe at {@code atMs} that ran {@code lagMs} late, and whether the loop sheds after it. */
  private record Probe(long atMs, long lagMs, boolean shedsAfter) {}

  private static void run(List<Probe> probes) {
    LoopPressure pressure = new LoopPressure(null, LIMIT);
    for (Probe probe : probes) {
      pressure.observe(probe.lagMs() * MS, probe.atMs() * MS);
      assertEquals(probe.shedsAfter(), pressure.shedding(), "after " + probe);
    }
  }

  @Test
  void aLagAtTheLimitIsNotEnoughAndOneAboveStartsSheddingAtOnce() {
    run(List.of(new Probe(0, 50, false), new Probe(100, 51, true)));
  }

  @Test
  void sheddingStopsOnceTheLagHasStayedBelowHalfTheLimitForOneSecond() {
    run(
        List.of(
            new Probe(0, 200, true),
            new Probe(100, 10, true),
            new Probe(600, 10, true),
            new Probe(1099, 10, true),
            new Probe(1100, 10, false)));
  }

  @Test
  void aLagBetweenHalfAndTheLimitRestartsTheCalmSecond() {
    run(
        List.of(
            new Probe(0, 200, true),
            new Probe(100, 10, true),
            new Probe(900, 30, true),
            new Probe(1000, 10, true),
            new Probe(1999, 10, true),
            new Probe(2000, 10, false)));
  }

  @Test
  void aLagAboveTheLimitDuringTheCalmSecondStartsItOver() {
    run(
        List.of(
            new Probe(0, 200, true),
            new Probe(100, 10, true),
            new Probe(900, 80, true),
            new Probe(1000, 10, true),
            new Probe(1500, 10, true),
            new Probe(2000, 10, false)));
  }

  @Test
  void aLoopWithNoLimitNeverSheds() {
    LoopPressure.NEVER.observe(Long.MAX_VALUE - 1, 0);
    assertEquals(false, LoopPressure.NEVER.shedding());
  }
}
