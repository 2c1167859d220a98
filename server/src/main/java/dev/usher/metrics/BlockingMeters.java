package dev.usher.metrics;

import dev.usher.http.BlockingWork;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * The meters of blocking work on virtual threads, registered once: tasks active, their wait from
 * submitted to started and their duration, and the requests shed at the bound.
 */
public final class BlockingMeters implements BlockingWork.Observer {
  private final MeterRegistry registry;
  private final Timer wait;
  private final Timer duration;
  private final Counter shed;

  /**
   * @param shed the count of requests shed with reason {@code blocking_limit}
   */
  public BlockingMeters(MeterRegistry registry, Counter shed) {
    this.registry = registry;
    this.shed = shed;
    wait =
        Timer.builder("server.blocking.task.wait")
            .description("From a blocking task's submission to its start on a virtual thread")
            .serviceLevelObjectives(
                Duration.ofNanos(10_000),
                Duration.ofNanos(100_000),
                Duration.ofMillis(1),
                Duration.ofMillis(10),
                Duration.ofMillis(100))
            .register(registry);
    duration =
        Timer.builder("server.blocking.task.duration")
            .description("How long blocking tasks ran, from start to answered or failed")
            .serviceLevelObjectives(
                Duration.ofMillis(1),
                Duration.ofMillis(10),
                Duration.ofMillis(50),
                Duration.ofMillis(100),
                Duration.ofMillis(250),
                Duration.ofMillis(500),
                Duration.ofSeconds(1),
                Duration.ofSeconds(5),
                Duration.ofSeconds(30))
            .register(registry);
  }

  /** Registers {@code server_blocking_tasks_active}, read from {@code active}. */
  public void countActive(IntSupplier active) {
    Gauge.builder("server.blocking.tasks.active", active::getAsInt)
        .description("Blocking HTTP handlers running on virtual threads now")
        .register(registry);
  }

  @Override
  public void started(long waitedNanos) {
    wait.record(waitedNanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void finished(long tookNanos) {
    duration.record(tookNanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void shed() {
    shed.increment();
  }
}
