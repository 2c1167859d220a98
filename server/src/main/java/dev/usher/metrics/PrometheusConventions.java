package dev.usher.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * Fixes the two names of Micrometer's {@code ProcessorMetrics} that break Prometheus conventions
 * ({@code promtool check metrics} rejects them): {@code process_cpu_time_ns_total} (not a base
 * unit) becomes the standard {@code process_cpu_seconds_total}, and {@code system_cpu_count} (a
 * gauge must not end in {@code _count}) becomes {@code system_available_processors}.
 */
final class PrometheusConventions implements MeterFilter {
  static final PrometheusConventions INSTANCE = new PrometheusConventions();

  private PrometheusConventions() {}

  @Override
  public MeterFilterReply accept(Meter.Id id) {
    return id.getName().equals("process.cpu.time")
        ? MeterFilterReply.DENY
        : MeterFilterReply.NEUTRAL;
  }

  @Override
  public Meter.Id map(Meter.Id id) {
    return id.getName().equals("system.cpu.count")
        ? id.withName("system.available.processors")
        : id;
  }

  /** {@code process_cpu_seconds_total}, when the JVM reports the process's CPU time. */
  static void bindProcessCpuSeconds(MeterRegistry registry) {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean hotspot
        && hotspot.getProcessCpuTime() >= 0) {
      FunctionCounter.builder("process.cpu", hotspot, bean -> bean.getProcessCpuTime() / 1e9)
          .description("CPU time used by the JVM process")
          .baseUnit("seconds")
          .register(registry);
    }
  }
}
