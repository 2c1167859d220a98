package dev.usher.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The per-connection meters of one listener's accept path, registered once. The accept path's
 * handlers and each connection's observer hold this object and only record into it.
 */
public final class AcceptPathMeters {
  private final Timer queueWait;
  private final Timer handoff;
  private final DistributionSummary batchSize;
  private final Timer connectionDuration;
  private final Counter bytesReceived;
  private final Counter bytesSent;

  AcceptPathMeters(MeterRegistry registry, String listener, boolean queueWaitMeasurable) {
    queueWait =
        queueWaitMeasurable
            ? Timer.builder("server.accept.queue.wait")
                .description(
                    "Time each connection waited in the accept queue, timed by the kernel (TCP_INFO tcpi_last_ack_recv at accept): a lower bound, in kernel ticks (1-10 ms)")
                .tag("listener", listener)
                .serviceLevelObjectives(
                    millis(1),
                    millis(2),
                    millis(5),
                    millis(10),
                    millis(25),
                    millis(50),
                    millis(100),
                    millis(250),
                    millis(500),
                    millis(1000),
                    millis(2500),
                    millis(5000),
                    millis(10000))
                .register(registry)
            : null;
    handoff =
        Timer.builder("server.accept.handoff")
            .description(
                "From the boss loop accepting a connection to the connection being active on its worker loop")
            .tag("listener", listener)
            .serviceLevelObjectives(
                micros(10),
                micros(25),
                micros(50),
                micros(100),
                micros(250),
                micros(500),
                millis(1),
                millis(2.5),
                millis(5),
                millis(10),
                millis(25),
                millis(50),
                millis(100),
                millis(250),
                millis(1000))
            .register(registry);
    batchSize =
        DistributionSummary.builder("server.accept.batch.size")
            .description(
                "Connections accepted per wake-up of the listener; batches at Netty's max-messages-per-read (16) mean the boss loop is the bottleneck")
            .tag("listener", listener)
            .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64)
            .register(registry);
    connectionDuration =
        Timer.builder("server.connection.duration")
            .description("How long connections stayed open, from active to closed")
            .tag("listener", listener)
            .serviceLevelObjectives(
                millis(1),
                millis(10),
                millis(100),
                millis(500),
                millis(1000),
                millis(5000),
                millis(10_000),
                millis(30_000),
                millis(60_000),
                millis(300_000),
                millis(1_800_000),
                millis(3_600_000))
            .register(registry);
    bytesReceived =
        Counter.builder("server.bytes.received")
            .description("Bytes read from client connections")
            .tag("listener", listener)
            .register(registry);
    bytesSent =
        Counter.builder("server.bytes.sent")
            .description("Bytes written to client connections")
            .tag("listener", listener)
            .register(registry);
  }

  /** Whether the kernel can time each connection's wait in the accept queue here. */
  public boolean measuresQueueWait() {
    return queueWait != null;
  }

  /** A connection waited this long in the kernel's accept queue (TCP_INFO). */
  public void queueWaited(long millis) {
    queueWait.record(millis, TimeUnit.MILLISECONDS);
  }

  /** One wake-up of the listener accepted this many connections. */
  public void acceptedInOneBatch(int connections) {
    batchSize.record(connections);
  }

  /** A connection took this long from its accept to being active on its worker. */
  public void handedOff(long nanos) {
    handoff.record(nanos, TimeUnit.NANOSECONDS);
  }

  /** A connection closed after being open this long. */
  public void closedAfter(long nanos) {
    connectionDuration.record(nanos, TimeUnit.NANOSECONDS);
  }

  public void received(long bytes) {
    bytesReceived.increment(bytes);
  }

  public void sent(long bytes) {
    bytesSent.increment(bytes);
  }

  private static Duration millis(double millis) {
    return Duration.ofNanos((long) (millis * 1_000_000));
  }

  private static Duration micros(long micros) {
    return Duration.ofNanos(micros * 1_000);
  }
}
