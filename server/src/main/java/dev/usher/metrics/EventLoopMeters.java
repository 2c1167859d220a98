package dev.usher.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.SingleThreadEventExecutor;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Whether an event loop group keeps up: each loop's pending tasks, and the loop lag, the delay with
 * which a probe task scheduled on each loop actually runs. A busy or blocked loop shows lag long
 * before its connections time out.
 *
 * <p>Micrometer's {@code NettyEventExecutorMetrics} tags loops by thread name only; usher's
 * dashboards and alerts need the group, so the two gauges are registered here.
 */
public final class EventLoopMeters {
  private EventLoopMeters() {}

  /** Registers the group's meters and starts a lag probe on each of its loops. */
  public static void bind(
      MeterRegistry registry, String group, EventLoopGroup loops, Duration probeInterval) {
    Timer lag =
        Timer.builder("server.event.loop.lag")
            .description(
                "Delay of a probe task scheduled on each loop of the group: how far the loop is behind")
            .tag("group", group)
            .serviceLevelObjectives(
                Duration.ofNanos(100_000),
                Duration.ofNanos(500_000),
                Duration.ofMillis(1),
                Duration.ofMillis(5),
                Duration.ofMillis(10),
                Duration.ofMillis(50),
                Duration.ofMillis(100),
                Duration.ofMillis(500),
                Duration.ofSeconds(1))
            .register(registry);
    int index = 0;
    for (EventExecutor loop : loops) {
      if (loop instanceof SingleThreadEventExecutor singleThread) {
        Gauge.builder(
                "server.event.loop.pending.tasks",
                singleThread,
                SingleThreadEventExecutor::pendingTasks)
            .description("Tasks waiting in the event loop's queue")
            .tag("group", group)
            .tag("loop", Integer.toString(index))
            .register(registry);
      }
      LagProbe.start(
          loop,
          probeInterval.toNanos(),
          (lagNanos, nowNanos) -> lag.record(lagNanos, TimeUnit.NANOSECONDS));
      index++;
    }
  }
}
