package dev.usher.metrics;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.distribution.TimeWindowMax;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples a listener's accept queue from the kernel ({@code TCP_INFO} on the listening socket) on
 * the {@link ListenQueueSampler}'s thread, and exports it as three gauges: the depth now, the
 * effective backlog, and the peak depth over a rolling window.
 *
 * <p>The peak is a {@link TimeWindowMax}: it rotates with time, not with scrapes, so two Prometheus
 * servers scraping the same usher read the same peak, and a burst that came and went between two
 * scrapes still shows. A gauge whose last read failed reads NaN, never a made-up zero.
 */
public final class ListenQueueProbe implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ListenQueueProbe.class);
  private static final int PEAK_WINDOW_SLOTS = 3;

  private final int listenerFd;
  private final TimeWindowMax peak;
  private final ListenQueueSampler sampler;
  private ScheduledFuture<?> sampling;
  private volatile boolean measured;
  private volatile boolean closed;
  private boolean failureLogged;
  private volatile int depth;
  private volatile int limit;

  ListenQueueProbe(
      MeterRegistry registry,
      ListenQueueSampler sampler,
      String listener,
      int listenerFd,
      Duration peakWindow) {
    this.listenerFd = listenerFd;
    this.sampler = sampler;
    this.peak =
        new TimeWindowMax(
            Clock.SYSTEM,
            Math.max(1, peakWindow.toMillis() / PEAK_WINDOW_SLOTS),
            PEAK_WINDOW_SLOTS);
    Gauge.builder(
            "server.listen.queue.depth", this, probe -> probe.measured ? probe.depth : Double.NaN)
        .description(
            "Connections in the listen (accept) queue now, from the kernel: TCP_INFO tcpi_unacked of the listening socket")
        .tag("listener", listener)
        .register(registry);
    Gauge.builder(
            "server.listen.queue.limit", this, probe -> probe.measured ? probe.limit : Double.NaN)
        .description(
            "The listen queue's effective length as the kernel reports it (TCP_INFO tcpi_sacked): min(server.backlog, net.core.somaxconn)")
        .tag("listener", listener)
        .register(registry);
    Gauge.builder(
            "server.listen.queue.peak",
            this,
            probe -> probe.measured ? probe.peak.poll() : Double.NaN)
        .description(
            "Highest listen queue depth sampled over the rolling window metrics.listen-queue.peak-window")
        .tag("listener", listener)
        .register(registry);
  }

  // The first sample is taken before start returns, so the gauges are true from the first scrape.
  void start(Duration interval) {
    sampler.now(this::sampleOnce);
    sampling = sampler.every(interval, this::sampleOnce);
  }

  // Runs only on the sampler thread, which owns the reader. A failure marks the gauges unmeasured
  // (NaN) rather than letting the executor drop the periodic task and freeze them.
  private void sampleOnce(TcpInfoReader reader) {
    if (closed) {
      return;
    }
    try {
      if (reader.read(listenerFd)) {
        depth = reader.listenQueueDepth();
        limit = reader.listenQueueLimit();
        peak.record(depth);
        measured = !closed;
      } else {
        measured = false;
      }
    } catch (RuntimeException failed) {
      measured = false;
      if (!failureLogged) {
        failureLogged = true;
        log.warn("sampling the listen queue failed; its gauges read NaN", failed);
      }
    }
  }

  /**
   * Stops sampling, before the listener closes: its descriptor number may be reused after. Returns
   * once no sample of this probe is running.
   */
  @Override
  public void close() {
    closed = true;
    measured = false;
    if (sampling != null) {
      sampling.cancel(false);
    }
    sampler.barrier();
  }
}
