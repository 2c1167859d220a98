package dev.usher.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.ChannelHandler;
import io.netty.util.concurrent.FastThreadLocal;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * HTTP meters, registered once: {@code server_http_requests_total{status_class}} and the {@code
 * server_http_request_duration_seconds} histogram. {@link #newExchangeObserver()} gives the
 * per-connection handler that records into them.
 *
 * <p>These two are counted per request, hundreds of thousands of times a second on one loop, so
 * they are not Micrometer meters: a Micrometer timer costs two atomic updates, a histogram bucket's
 * and a clock reading for its max on every record (measured: {@code HttpPipelineBenchmark}). Each
 * event loop counts into a {@link HttpExchangeTally} of its own with plain writes, and the scrape
 * adds the loops up.
 */
public final class HttpMeters {
  private static final double[] BUCKET_UPPER_BOUNDS_SECONDS = {
    0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 10
  };
  private static final MetricMetadata REQUESTS =
      new MetricMetadata("server_http_requests", "HTTP requests answered, by status class");
  private static final MetricMetadata DURATION =
      new MetricMetadata(
          "server_http_request_duration_seconds",
          "From the read that brought the request to the flush that sent its response's last byte",
          Unit.SECONDS);

  private final long[] bucketUpperBoundsNanos = new long[BUCKET_UPPER_BOUNDS_SECONDS.length];
  private final List<HttpExchangeTally> tallies = new CopyOnWriteArrayList<>();
  private final FastThreadLocal<HttpExchangeTally> loopTally =
      new FastThreadLocal<>() {
        @Override
        protected HttpExchangeTally initialValue() {
          HttpExchangeTally tally = new HttpExchangeTally(bucketUpperBoundsNanos);
          tallies.add(tally);
          return tally;
        }
      };

  public HttpMeters(PrometheusMeterRegistry registry) {
    for (int i = 0; i < bucketUpperBoundsNanos.length; i++) {
      bucketUpperBoundsNanos[i] = Math.round(BUCKET_UPPER_BOUNDS_SECONDS[i] * 1e9);
    }
    registry.getPrometheusRegistry().register((MultiCollector) this::collect);
  }

  /** A handler for one connection, to sit right after the HTTP codec. */
  public ChannelHandler newExchangeObserver() {
    return new HttpExchangeObserver(this);
  }

  /** The tally of the calling thread, which must be the event loop of the connection it counts. */
  HttpExchangeTally tallyOfThisLoop() {
    return loopTally.get();
  }

  private MetricSnapshots collect() {
    return new MetricSnapshots(requestsSnapshot(), durationSnapshot());
  }

  private CounterSnapshot requestsSnapshot() {
    CounterSnapshot.Builder requests = CounterSnapshot.builder().name(REQUESTS.getName());
    requests.help(REQUESTS.getHelp());
    for (int statusClass = 1; statusClass <= 5; statusClass++) {
      long answers = 0;
      for (HttpExchangeTally tally : tallies) {
        answers += tally.answers(statusClass);
      }
      requests.dataPoint(
          CounterDataPointSnapshot.builder()
              .value(answers)
              .labels(Labels.of("status_class", statusClass + "xx"))
              .build());
    }
    return requests.build();
  }

  private HistogramSnapshot durationSnapshot() {
    long[] requestsByBucket = new long[BUCKET_UPPER_BOUNDS_SECONDS.length + 1];
    long sumNanos = 0;
    for (HttpExchangeTally tally : tallies) {
      tally.addRequestsByBucketTo(requestsByBucket);
      sumNanos += tally.sumNanos();
    }
    double[] upperBounds = new double[requestsByBucket.length];
    System.arraycopy(
        BUCKET_UPPER_BOUNDS_SECONDS, 0, upperBounds, 0, BUCKET_UPPER_BOUNDS_SECONDS.length);
    upperBounds[upperBounds.length - 1] = Double.POSITIVE_INFINITY;
    return new HistogramSnapshot(
        DURATION,
        List.of(
            HistogramDataPointSnapshot.builder()
                .classicHistogramBuckets(ClassicHistogramBuckets.of(upperBounds, requestsByBucket))
                .sum(sumNanos / (double) TimeUnit.SECONDS.toNanos(1))
                .build()));
  }
}
