package dev.usher.metrics;

import dev.usher.http.ExchangeRecorder;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.DoubleStream;

/**
 * HTTP meters, registered once: {@code server_http_requests_total{http_version,status_class}} and
 * the {@code server_http_request_duration_seconds{http_version}} histogram, every version (1.1, 2)
 * present from the start. Each HTTP connection records into its event loop's tally ({@link
 * #ofThisLoop()}).
 *
 * <p>These two are counted per request, hundreds of thousands of times a second on one loop, so
 * they are not Micrometer meters: a Micrometer timer costs two atomic updates, a histogram bucket's
 * and a clock reading for its max on every record (measured: {@code HttpPipelineBenchmark}). Each
 * event loop counts into a {@link HttpExchangeTally} of its own with plain writes, and the scrape
 * adds the loops up.
 */
public final class HttpMeters implements ExchangeRecorder.PerLoop {
  private static final double[] BUCKET_UPPER_BOUNDS_SECONDS = {
    0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 10
  };
  // The histogram's bounds as the scrape writes them (with +Inf) and as the tallies compare them.
  private static final double[] SCRAPED_UPPER_BOUNDS =
      DoubleStream.concat(
              Arrays.stream(BUCKET_UPPER_BOUNDS_SECONDS), DoubleStream.of(Double.POSITIVE_INFINITY))
          .toArray();
  private static final long[] BUCKET_UPPER_BOUNDS_NANOS =
      Arrays.stream(BUCKET_UPPER_BOUNDS_SECONDS)
          .mapToLong(seconds -> Math.round(seconds * 1e9))
          .toArray();
  private static final MetricMetadata REQUESTS =
      new MetricMetadata("server_http_requests", "HTTP requests answered, by status class");
  private static final MetricMetadata DURATION =
      new MetricMetadata(
          "server_http_request_duration_seconds",
          "From the read that brought the request to the flush that sent its response's last byte",
          Unit.SECONDS);

  private final VersionTallies http1 = new VersionTallies("1.1");
  private final VersionTallies http2 = new VersionTallies("2");

  public HttpMeters(PrometheusMeterRegistry registry) {
    registry.getPrometheusRegistry().register((MultiCollector) this::collect);
  }

  /**
   * The HTTP/1.1 tally of the calling thread, which must be the event loop of the connections it
   * counts.
   */
  @Override
  public ExchangeRecorder ofThisLoop() {
    return http1.ofThisLoop();
  }

  /** Where HTTP/2 streams record their exchanges ({@code http_version="2"}). */
  public ExchangeRecorder.PerLoop http2() {
    return http2;
  }

  /** One HTTP version's tallies, one per event loop, added up at the scrape. */
  private static final class VersionTallies implements ExchangeRecorder.PerLoop {
    private final String version;
    private final List<HttpExchangeTally> tallies = new CopyOnWriteArrayList<>();
    private final FastThreadLocal<HttpExchangeTally> loopTally =
        new FastThreadLocal<>() {
          @Override
          protected HttpExchangeTally initialValue() {
            HttpExchangeTally tally = new HttpExchangeTally(BUCKET_UPPER_BOUNDS_NANOS);
            tallies.add(tally);
            return tally;
          }
        };

    VersionTallies(String version) {
      this.version = version;
    }

    @Override
    public ExchangeRecorder ofThisLoop() {
      return loopTally.get();
    }
  }

  private MetricSnapshots collect() {
    CounterSnapshot.Builder requests = CounterSnapshot.builder().name(REQUESTS.getName());
    requests.help(REQUESTS.getHelp());
    List<HistogramDataPointSnapshot> durations = new ArrayList<>();
    for (VersionTallies version : List.of(http1, http2)) {
      addRequests(requests, version);
      durations.add(duration(version));
    }
    return new MetricSnapshots(requests.build(), new HistogramSnapshot(DURATION, durations));
  }

  private static void addRequests(CounterSnapshot.Builder requests, VersionTallies version) {
    for (int statusClass = 1; statusClass <= 5; statusClass++) {
      long answers = 0;
      for (HttpExchangeTally tally : version.tallies) {
        answers += tally.answers(statusClass);
      }
      requests.dataPoint(
          CounterDataPointSnapshot.builder()
              .value(answers)
              .labels(
                  Labels.of("http_version", version.version, "status_class", statusClass + "xx"))
              .build());
    }
  }

  private static HistogramDataPointSnapshot duration(VersionTallies version) {
    long[] requestsByBucket = new long[SCRAPED_UPPER_BOUNDS.length];
    long sumNanos = 0;
    for (HttpExchangeTally tally : version.tallies) {
      tally.addRequestsByBucketTo(requestsByBucket);
      sumNanos += tally.sumNanos();
    }
    return HistogramDataPointSnapshot.builder()
        .classicHistogramBuckets(ClassicHistogramBuckets.of(SCRAPED_UPPER_BOUNDS, requestsByBucket))
        .sum(sumNanos / (double) TimeUnit.SECONDS.toNanos(1))
        .labels(Labels.of("http_version", version.version))
        .build();
  }
}
