package dev.usher.lifecycle;

import dev.usher.accept.HandoffStamp;
import dev.usher.app.ApplicationSetup;
import dev.usher.app.BuiltInApplications;
import dev.usher.bench.RawNettyHello;
import dev.usher.config.ConfigLoader;
import dev.usher.config.KernelNetworkSettings;
import dev.usher.config.UsherConfig;
import dev.usher.connection.ConnectionInitializer;
import dev.usher.connection.LoopOverloadGuard;
import dev.usher.metrics.AcceptPathMetrics;
import dev.usher.metrics.ServerMetrics;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What usher's connection pipeline costs per HTTP request, against raw Netty's in the same run: the
 * same read of {@code GET /} requests, {@link #PIPELINE_DEPTH} at a time, answered and flushed, on
 * an embedded channel (no sockets, so only the handlers are measured).
 *
 * <ul>
 *   <li>{@code usher}: the pipeline an accepted connection really gets (connection meters, Netty's
 *       decoder and encoder, the HTTP connection and the sample service), built by the server's own
 *       initializer from the embedded defaults;
 *   <li>{@code rawNetty}: {@link RawNettyHello}'s codec and answer.
 * </ul>
 *
 * <p>{@code -p withoutHandler=usher-connection-meters} (any name in usher's pipeline that can go
 * without breaking it) measures usher without that handler: the difference is what it costs per
 * request. {@code -p requestId=on,off} does the same for {@code http.request-id}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class HttpPipelineBenchmark {
  private static final int PIPELINE_DEPTH = 16;

  @Param({"1", "16"})
  public int requestsPerRead;

  /**
   * A handler to take out of usher's pipeline (by name), to see what it costs; "none" keeps all.
   */
  @Param({"none"})
  public String withoutHandler;

  /** {@code http.request-id}: {@code -p requestId=on,off} prices the request id per request. */
  @Param({"on"})
  public String requestId;

  private ServerMetrics metrics;
  private AcceptPathMetrics acceptPath;
  private EmbeddedChannel usher;
  private EmbeddedChannel rawNetty;
  private ByteBuf requests;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    Properties properties = new Properties();
    properties.setProperty("http.request-id", requestId);
    UsherConfig config =
        new ConfigLoader(Map.of(), properties, KernelNetworkSettings.read())
            .load(Optional.empty())
            .config();
    metrics = new ServerMetrics();
    acceptPath = AcceptPathMetrics.create(metrics, "main", config.metrics(), true);
    usher = new EmbeddedChannel(false, false);
    usher
        .pipeline()
        .addLast(
            new ConnectionInitializer(
                BuiltInApplications.forConfig(
                    config, new ApplicationSetup(config, metrics.registry())),
                Optional.empty(),
                Optional.empty(),
                LoopOverloadGuard.NONE));
    EmbeddedChannel acceptor = new EmbeddedChannel(new HandoffStamp(acceptPath.meters()));
    acceptor.writeInbound(usher);
    acceptor.finishAndReleaseAll();
    usher.register();
    requests =
        Unpooled.unreleasableBuffer(
            Unpooled.directBuffer()
                .writeBytes(
                    "GET / HTTP/1.1\r\nHost: bench\r\n\r\n"
                        .repeat(requestsPerRead)
                        .getBytes(StandardCharsets.US_ASCII)));
    // The HTTP connection adds its codec at the first byte: send some before taking a handler out.
    exchange(usher);
    if (!withoutHandler.equals("none")) {
      usher.pipeline().remove(withoutHandler);
    }

    rawNetty = new EmbeddedChannel();
    RawNettyHello.initConnection(rawNetty.pipeline());
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    usher.finishAndReleaseAll();
    rawNetty.finishAndReleaseAll();
    acceptPath.close();
    metrics.close();
  }

  @Benchmark
  @OperationsPerInvocation(PIPELINE_DEPTH)
  public long usher() {
    return exchange(usher);
  }

  @Benchmark
  @OperationsPerInvocation(PIPELINE_DEPTH)
  public long rawNetty() {
    return exchange(rawNetty);
  }

  // PIPELINE_DEPTH requests per invocation whatever the batch size, so that ns/op is per request.
  private long exchange(EmbeddedChannel channel) {
    long answered = 0;
    for (int sent = 0; sent < PIPELINE_DEPTH; sent += requestsPerRead) {
      channel.writeInbound(requests.duplicate());
      for (ByteBuf out = channel.readOutbound(); out != null; out = channel.readOutbound()) {
        answered += out.readableBytes();
        out.release();
      }
    }
    if (answered == 0) {
      throw new IllegalStateException("no answer: the pipeline is broken");
    }
    return answered;
  }
}
