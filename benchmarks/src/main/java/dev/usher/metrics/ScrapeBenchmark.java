package dev.usher.metrics;

import dev.usher.accept.ConnectionBudget;
import dev.usher.accept.ConnectionTracker;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One {@code /metrics} scrape of a registry holding every meter usher registers (JVM, process,
 * listener, accept path, event loops, HTTP), against a scrape of the JVM and process meters alone.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class ScrapeBenchmark {
  private ServerMetrics jvmOnly;
  private ServerMetrics everything;
  private EventLoopGroup loops;

  @Setup(Level.Trial)
  public void setUp() {
    jvmOnly = new ServerMetrics();
    everything = new ServerMetrics();
    PrometheusMeterRegistry registry = everything.registry();
    new ListenerMeters(registry, "main", new ConnectionTracker(new ConnectionBudget(10_000)));
    new AcceptPathMeters(registry, "main", true);
    new HttpMeters(registry);
    loops = new MultiThreadIoEventLoopGroup(4, NioIoHandler.newFactory());
    EventLoopMeters.bind(registry, "worker", loops, Duration.ofMillis(100));
    ServerInfo.register(registry, "epoll", "http");
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    jvmOnly.close();
    everything.close();
  }

  @Benchmark
  public String scrapeJvmAndProcessMetersOnly() {
    return jvmOnly.registry().scrape();
  }

  @Benchmark
  public String scrapeEveryUsherMeter() {
    return everything.registry().scrape();
  }
}
