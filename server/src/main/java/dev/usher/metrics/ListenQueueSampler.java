package dev.usher.metrics;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one daemon thread that reads every listening socket's queue from the kernel, whatever the
 * number of sockets ({@code reuseport} has one per worker loop). Its {@link TcpInfoReader} is
 * confined to that thread, as the reader requires.
 */
public final class ListenQueueSampler implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ListenQueueSampler.class);
  private static final long WAIT_SECONDS = 1;

  private final ScheduledExecutorService thread =
      Executors.newSingleThreadScheduledExecutor(
          task -> Thread.ofPlatform().daemon().name("usher-listen-queue-sampler").unstarted(task));
  private TcpInfoReader reader;

  /** Runs {@code sample} every {@code interval}, on the sampler thread, with its reader. */
  ScheduledFuture<?> every(Duration interval, Consumer<TcpInfoReader> sample) {
    long micros = Math.max(1, interval.toNanos() / 1_000);
    return thread.scheduleAtFixedRate(
        () -> sample.accept(reader()), micros, micros, TimeUnit.MICROSECONDS);
  }

  /** Runs {@code sample} once on the sampler thread and waits for it (bounded). */
  void now(Consumer<TcpInfoReader> sample) {
    await(thread.submit(() -> sample.accept(reader())));
  }

  /** Waits until whatever the sampler thread is running has finished (bounded). */
  void barrier() {
    await(thread.submit(() -> {}));
  }

  private TcpInfoReader reader() {
    if (reader == null) {
      reader = TcpInfoReader.create().orElseThrow();
    }
    return reader;
  }

  private static void await(java.util.concurrent.Future<?> task) {
    try {
      task.get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException failed) {
      log.warn("the listen queue sampler did not finish a task within {}s", WAIT_SECONDS, failed);
    }
  }

  @Override
  public void close() {
    thread.execute(
        () -> {
          if (reader != null) {
            reader.close();
            reader = null;
          }
        });
    thread.shutdown();
    try {
      if (!thread.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS)) {
        thread.shutdownNow();
      }
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      thread.shutdownNow();
    }
  }
}
