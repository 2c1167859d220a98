package dev.usher.overload;

import com.netflix.concurrency.limits.Limiter;
import com.netflix.concurrency.limits.limit.Gradient2Limit;
import com.netflix.concurrency.limits.limiter.SimpleLimiter;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * {@code server.overload.adaptive-concurrency = on}: Netflix's Gradient2 limit, which lowers the
 * number of requests served at once when their latency grows past its long-run average and raises
 * it while latency holds, so that the server keeps its throughput without a queue growing behind
 * it. Each request's latency is measured from its admission to its answer; abandoned requests teach
 * it nothing.
 */
final class AdaptiveConcurrencyLimit implements ConcurrencyLimit {
  private final SimpleLimiter<Void> limiter;

  AdaptiveConcurrencyLimit(int initialLimit, int maxLimit) {
    this(initialLimit, maxLimit, System::nanoTime);
  }

  /**
   * @param maxLimit the most it may allow
   * @param nanoClock what latencies are measured with
   */
  AdaptiveConcurrencyLimit(int initialLimit, int maxLimit, LongSupplier nanoClock) {
    this.limiter =
        SimpleLimiter.newBuilder()
            .named("usher")
            .nanoClock(nanoClock)
            .limit(
                Gradient2Limit.newBuilder()
                    .initialLimit(initialLimit)
                    .maxConcurrency(maxLimit)
                    .build())
            .build();
  }

  @Override
  public Permit tryAcquire() {
    Optional<Limiter.Listener> place = limiter.acquire(null);
    if (place.isEmpty()) {
      return null;
    }
    Limiter.Listener listener = place.get();
    return answered -> {
      if (answered) {
        listener.onSuccess();
      } else {
        listener.onIgnore();
      }
    };
  }

  @Override
  public int limit() {
    return limiter.getLimit();
  }

  @Override
  public int inFlight() {
    return limiter.getInflight();
  }
}
