package dev.usher.metrics;

import dev.usher.connection.ConnectionObserver;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
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
 * What the accept-path meters add per connection, against a baseline in the same run:
 *
 * <ul>
 *   <li>{@code acceptTime*}: the boss loop's work per accepted connection, the TCP_INFO read of the
 *       new socket and the records, against doing nothing;
 *   <li>{@code connection*}: a connection's life (active, one read, one write, close) through
 *       {@link ConnectionObserver}, against a pass-through handler.
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class AcceptPathInstrumentationBenchmark {
  private static final int AF_INET = 2;
  private static final int SOCK_STREAM = 1;

  private PrometheusMeterRegistry registry;
  private AcceptPathMeters meters;
  private TcpInfoReader reader;
  private int socketFd;
  private final ByteBuf payload =
      Unpooled.unreleasableBuffer(Unpooled.directBuffer(64).writeZero(64));

  @Setup(Level.Trial)
  @SuppressWarnings("restricted")
  public void setUp() throws Throwable {
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    meters = new AcceptPathMeters(registry, "main", true);
    reader =
        TcpInfoReader.create().orElseThrow(() -> new IllegalStateException("TCP_INFO needs Linux"));
    Linker linker = Linker.nativeLinker();
    MethodHandle socket =
        linker.downcallHandle(
            linker.defaultLookup().find("socket").orElseThrow(),
            FunctionDescriptor.of(
                ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT));
    socketFd = (int) socket.invokeExact(AF_INET, SOCK_STREAM, 0);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    reader.close();
    registry.close();
  }

  @Benchmark
  public int acceptTimeBaseline() {
    return socketFd;
  }

  @Benchmark
  public long acceptTimeWithMeters() {
    reader.read(socketFd);
    long waited = reader.millisSinceLastAckReceived();
    meters.queueWaited(waited);
    meters.acceptedInOneBatch(1);
    return waited;
  }

  @Benchmark
  public boolean connectionBaseline() {
    return lifeOf(new PassThrough());
  }

  @Benchmark
  public boolean connectionWithMeters() {
    return lifeOf(new ConnectionObserver(meters, System.nanoTime()));
  }

  private boolean lifeOf(ChannelHandler handler) {
    EmbeddedChannel channel = new EmbeddedChannel(handler);
    channel.writeInbound(payload.duplicate());
    channel.writeOutbound(payload.duplicate());
    channel.readInbound();
    channel.readOutbound();
    return channel.finish();
  }

  private static final class PassThrough extends ChannelDuplexHandler {}
}
