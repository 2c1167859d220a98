package dev.usher.accesslog;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import dev.usher.config.LogFormat;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the access log spends on one line: what the event loop does (the request's record made from
 * its head, completed, and Logback's event) and what the writer thread does (the line formatted,
 * text or JSON, and written, {@link #LINES} at a time and then flushed, as the writer drains its
 * queue, to an output that discards the bytes). The queue between them is left out.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AccessLineBenchmark {
  private static final int LINES = 100;

  @Param({"TEXT", "JSON"})
  public LogFormat format;

  private AccessLineWriter writer;
  private AccessLog accessLog;
  private HttpRequest head;
  private Logger logger;
  private final InetSocketAddress peer = new InetSocketAddress("192.0.2.7", 50_123);

  @Setup
  public void setUp() {
    writer = new AccessLineWriter(format, OutputStream.nullOutputStream());
    LoggerContext context = new LoggerContext();
    writer.setContext(context);
    head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/api/orders?page=2");
    head.headers().set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) curl/8.5.0");
    head.headers().set("Referer", "https://example.com/orders");
    accessLog = new AccessLog(TrustedProxies.NONE);
    logger = context.getLogger(AccessLog.LOGGER_NAME);
  }

  @Benchmark
  @OperationsPerInvocation(LINES)
  public void writeALine() {
    for (int i = 0; i < LINES; i++) {
      AnsweredRequest answered =
          accessLog.received(head, false, "4bf92f3577b34da6a3ce929d0e0e4736");
      answered.sent(200, 1_234);
      answered.completed(System.currentTimeMillis(), peer, 118_900);
      writer.write(
          new LoggingEvent(Logger.FQCN, logger, Level.INFO, "{}", null, new Object[] {answered}));
    }
    writer.flush();
  }
}
