package dev.usher.metrics;

import dev.usher.http.ExchangeRecorder;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One event loop's HTTP counts: answers by status class and request durations by histogram bucket.
 * Only that loop writes them, so they need no atomic read-modify-write, which per request would
 * cost more than the rest of the measuring. A scrape reads them from another thread; opaque access
 * gives it every value whole, and never one older than it read before.
 */
final class HttpExchangeTally implements ExchangeRecorder {
  private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
  private static final VarHandle SUM_NANOS;

  static {
    try {
      SUM_NANOS =
          MethodHandles.lookup().findVarHandle(HttpExchangeTally.class, "sumNanos", long.class);
    } catch (ReflectiveOperationException impossible) {
      throw new ExceptionInInitializerError(impossible);
    }
  }

  private final long[] bucketUpperBoundsNanos;
  private final long[] answersByStatusClass = new long[6];
  // One more than the bounds: the last bucket holds what is above every bound.
  private final long[] requestsByBucket;
  private long sumNanos;

  HttpExchangeTally(long[] bucketUpperBoundsNanos) {
    this.bucketUpperBoundsNanos = bucketUpperBoundsNanos;
    this.requestsByBucket = new long[bucketUpperBoundsNanos.length + 1];
  }

  /** On the owning loop: a response with this status was sent. */
  @Override
  public void answered(int status) {
    int statusClass = status / 100;
    if (statusClass >= 1 && statusClass <= 5) {
      increment(answersByStatusClass, statusClass);
    }
  }

  /** On the owning loop: a request took this long. */
  @Override
  public void requestTook(long nanos) {
    // Most requests are fast: scanning from the smallest bound ends soonest.
    int bucket = 0;
    while (bucket < bucketUpperBoundsNanos.length && nanos > bucketUpperBoundsNanos[bucket]) {
      bucket++;
    }
    increment(requestsByBucket, bucket);
    SUM_NANOS.setOpaque(this, sumNanos + nanos);
  }

  private static void increment(long[] counts, int index) {
    LONGS.setOpaque(counts, index, counts[index] + 1);
  }

  long answers(int statusClass) {
    return (long) LONGS.getOpaque(answersByStatusClass, statusClass);
  }

  /** Adds this loop's requests per bucket (not cumulative) to {@code totals}. */
  void addRequestsByBucketTo(long[] totals) {
    for (int bucket = 0; bucket < requestsByBucket.length; bucket++) {
      totals[bucket] += (long) LONGS.getOpaque(requestsByBucket, bucket);
    }
  }

  long sumNanos() {
    return (long) SUM_NANOS.getOpaque(this);
  }
}
