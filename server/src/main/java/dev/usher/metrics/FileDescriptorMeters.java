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
 *
 * <p>Listing {@code /proc/self/fd} takes a descriptor itself, so at the descriptor limit a sample
 * fails; the scrape that follows counts again, once the admin listener has released its reserve to
 * accept that scrape, rather than show NaN when the count matters most.
 */
final class FileDescriptorMeters implements AutoCloseable {
  private static final long SAMPLE_INTERVAL_MILLIS = 1_000;

  private final UnixOperatingSystemMXBean os;
  private final ScheduledExecutorService sampler;
  private volatile double open;

  FileDescriptorMeters(MeterRegistry registry, UnixOperatingSystemMXBean os) {
    this.os = os;
    sample();
    this.sampler =
        Executors.newSingleThreadScheduledExecutor(
            task -> Thread.ofPlatform().daemon().name("usher-fd-sampler").unstarted(task));
    sampler.scheduleAtFixedRate(
        this::sample, SAMPLE_INTERVAL_MILLIS, SAMPLE_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
    Gauge.builder("process.files.open", this, FileDescriptorMeters::open)
        .description("The open file descriptor count, sampled once a second")
        .baseUnit("files")
        .register(registry);
    Gauge.builder("process.files.max", os, UnixOperatingSystemMXBean::getMaxFileDescriptorCount)
        .description("The maximum file descriptor count")
        .baseUnit("files")
        .register(registry);
  }

  private double open() {
    double last = open;
    return Double.isNaN(last) ? sample() : last;
  }

  // A failure must not end the periodic task (the executor would drop it silently): the gauge
  // reads NaN and the next second tries again. Out of descriptors the JDK throws InternalError
  // ("Unable to open directory /proc/self/fd"), which is no RuntimeException.
  private double sample() {
    double count;
    try {
      count = os.getOpenFileDescriptorCount();
    } catch (RuntimeException | InternalError unreadable) {
      count = Double.NaN;
    }
    open = count;
    return count;
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
