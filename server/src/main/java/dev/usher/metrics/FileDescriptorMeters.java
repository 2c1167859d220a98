package dev.usher.metrics;

import com.sun.management.UnixOperatingSystemMXBean;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.management.ManagementFactory;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code process_files_open_files} and {@code process_files_max_files}, as Micrometer's {@code
 * FileDescriptorMetrics} names them, but with the open count sampled once a second on a thread of
 * its own: counting open descriptors lists {@code /proc/self/fd}, which takes milliseconds at ten
 * thousand connections, and a scrape must not grow with the connections.
 */
final class FileDescriptorMeters implements AutoCloseable {
  private static final long SAMPLE_INTERVAL_MILLIS = 1_000;

  private final UnixOperatingSystemMXBean os;
  private final ScheduledExecutorService sampler;
  private volatile double open;

  private FileDescriptorMeters(MeterRegistry registry, UnixOperatingSystemMXBean os) {
    this.os = os;
    this.open = os.getOpenFileDescriptorCount();
    this.sampler =
        Executors.newSingleThreadScheduledExecutor(
            task -> Thread.ofPlatform().daemon().name("usher-fd-sampler").unstarted(task));
    sampler.scheduleAtFixedRate(
        this::sample, SAMPLE_INTERVAL_MILLIS, SAMPLE_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
    Gauge.builder("process.files.open", this, meters -> meters.open)
        .description("The open file descriptor count, sampled once a second")
        .baseUnit("files")
        .register(registry);
    Gauge.builder("process.files.max", os, UnixOperatingSystemMXBean::getMaxFileDescriptorCount)
        .description("The maximum file descriptor count")
        .baseUnit("files")
        .register(registry);
  }

  // A failure must not end the periodic task (the executor would drop it silently): the gauge
  // keeps its last value and the next second tries again.
  private void sample() {
    try {
      open = os.getOpenFileDescriptorCount();
    } catch (RuntimeException unreadable) {
      open = Double.NaN;
    }
  }

  /** The meters, where the JVM reports file descriptors (Unix); none elsewhere. */
  static Optional<FileDescriptorMeters> bind(MeterRegistry registry) {
    return ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix
        ? Optional.of(new FileDescriptorMeters(registry, unix))
        : Optional.empty();
  }

  @Override
  public void close() {
    sampler.shutdownNow();
  }
}
