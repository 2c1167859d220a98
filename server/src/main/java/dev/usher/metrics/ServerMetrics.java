package dev.usher.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.util.Optional;
import org.slf4j.LoggerFactory;

/**
 * The process's meter registry, exported in the Prometheus format, with the JVM and process meters
 * bound at creation. Every other meter is registered once, at start, by the component it measures.
 */
public final class ServerMetrics implements AutoCloseable {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
  // Meters hold their source weakly: this keeps the kernel counters readable.
  private final Optional<KernelListenCounters> kernelCounters;
  private final Optional<FileDescriptorMeters> fileDescriptors;
  private final ListenQueueSampler listenQueueSampler = new ListenQueueSampler();

  public ServerMetrics() {
    registry.config().meterFilter(PrometheusConventions.INSTANCE);
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    gcMetrics.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    PrometheusConventions.bindProcessCpuSeconds(registry);
    fileDescriptors = FileDescriptorMeters.bind(registry);
    new UptimeMetrics().bindTo(registry);
    bindAllocatorMemory();
    kernelCounters = KernelListenCounters.register(registry, KernelListenCounters.NETSTAT);
    if (kernelCounters.isEmpty()) {
      LoggerFactory.getLogger(ServerMetrics.class)
          .info(
              "server_listen_overflows_total and server_listen_drops_total are absent: {} is not readable",
              KernelListenCounters.NETSTAT);
    }
  }

  // Micrometer's NettyAllocatorMetrics registers these without a description, which promtool
  // rejects, and keys them by an identity hash that changes with every restart.
  private void bindAllocatorMemory() {
    if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider allocator) {
      ByteBufAllocatorMetric metric = allocator.metric();
      Gauge.builder("netty.allocator.memory.used", metric, ByteBufAllocatorMetric::usedDirectMemory)
          .description("Memory held by Netty's default buffer allocator")
          .baseUnit("bytes")
          .tag("memory_type", "direct")
          .register(registry);
      Gauge.builder("netty.allocator.memory.used", metric, ByteBufAllocatorMetric::usedHeapMemory)
          .description("Memory held by Netty's default buffer allocator")
          .baseUnit("bytes")
          .tag("memory_type", "heap")
          .register(registry);
    }
  }

  /** The one thread that samples every listening socket's queue. */
  public ListenQueueSampler listenQueueSampler() {
    return listenQueueSampler;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  @Override
  public void close() {
    gcMetrics.close();
    fileDescriptors.ifPresent(FileDescriptorMeters::close);
    listenQueueSampler.close();
    registry.close();
  }
}
