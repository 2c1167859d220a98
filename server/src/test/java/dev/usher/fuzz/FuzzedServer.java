package dev.usher.fuzz;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import dev.usher.accept.ConnectionAdmission;
import dev.usher.accept.ConnectionBudget;
import dev.usher.accept.ConnectionTracker;
import dev.usher.accept.DescriptorReserve;
import dev.usher.accept.HandoffStamp;
import dev.usher.accept.QueueTimeout;
import dev.usher.accept.RefusalReason;
import dev.usher.app.ApplicationSetup;
import dev.usher.app.BuiltInApplications;
import dev.usher.app.UsherApplication;
import dev.usher.config.ConfigLoader;
import dev.usher.config.InvalidConfigException;
import dev.usher.config.KernelNetworkSettings;
import dev.usher.config.UsherConfig;
import dev.usher.connection.ConnectionInitializer;
import dev.usher.connection.LoopOverloadGuard;
import dev.usher.http.HttpService;
import dev.usher.metrics.AcceptPathMetrics;
import dev.usher.metrics.ServerMetrics;
import dev.usher.sample.HelloService;
import io.micrometer.core.instrument.Counter;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/**
 * usher's server side of the fuzzed connections, built as {@code UsherServer} builds it, without
 * sockets: the configuration loaded as at start (with the conformance table's limits: request line
 * 256 bytes, header block 512, body 1 KiB), the sample application behind {@link
 * ConnectionInitializer}, and the accept path every connection passes, the admission gate (whose
 * {@link ConnectionTracker} counts the open connections) and the hand-off stamp (which adds the
 * connection meters). It also watches the log: usher and Netty log at WARN only what went wrong.
 */
final class FuzzedServer implements AutoCloseable {
  // The server's one clock: the accept path's and every connection's (the hand-off is timed across
  // both, as the boss and worker loops read the same system clock).
  private final MockTicker ticker = Ticker.newMockTicker();
  private final ServerMetrics metrics = new ServerMetrics();
  private final AcceptPathMetrics acceptPath;
  private final ConnectionTracker tracker = new ConnectionTracker(new ConnectionBudget(10));
  private final EmbeddedChannel listener;
  private final DescriptorReserve reserve;
  private final ConnectionInitializer initializer;
  private final List<HttpMethod> served = new ArrayList<>();
  private FuzzedConnection current;
  private final List<String> warnings = new CopyOnWriteArrayList<>();
  private final Logger rootLogger = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
  private final AppenderBase<ILoggingEvent> warningWatch =
      new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
          if (event.getLevel().isGreaterOrEqual(Level.WARN)) {
            String thrown =
                event.getThrowableProxy() == null
                    ? ""
                    : "\n" + ThrowableProxyUtil.asString(event.getThrowableProxy());
            warnings.add(
                event.getLevel()
                    + " "
                    + event.getLoggerName()
                    + " - "
                    + event.getFormattedMessage()
                    + thrown);
          }
        }
      };

  private FuzzedServer(String protocol) {
    Properties properties = new Properties();
    properties.setProperty("server.protocol", protocol);
    properties.setProperty("http.max-initial-line-bytes", "256");
    properties.setProperty("http.max-header-bytes", "512");
    properties.setProperty("http.max-body-bytes", "1KiB");
    // HTTP/1.1's pipeline: HTTP/2's stream channels do not register on an embedded loop, and its
    // answers are frames, not what this fuzzer checks (h2spec and Http2ConnectionTest cover it).
    properties.setProperty("http.http2.enabled", "false");
    UsherConfig config;
    try {
      config =
          new ConfigLoader(Map.of(), properties, KernelNetworkSettings.read())
              .load(Optional.empty())
              .config();
    } catch (InvalidConfigException invalid) {
      throw new IllegalStateException(invalid);
    }
    ApplicationSetup setup = new ApplicationSetup(config, metrics.registry());
    UsherApplication application =
        protocol.equals("http")
            ? setup.http(recordingMethods(new HelloService()))
            : BuiltInApplications.forConfig(config, setup);
    initializer =
        new ConnectionInitializer(
            application, Optional.empty(), Optional.empty(), LoopOverloadGuard.NONE);
    acceptPath = AcceptPathMetrics.create(metrics, "main", config.metrics(), false);
    try {
      reserve = DescriptorReserve.open(1);
    } catch (IOException cannotOpen) {
      throw new UncheckedIOException(cannotOpen);
    }
    Map<RefusalReason, Counter> refused = new EnumMap<>(RefusalReason.class);
    for (RefusalReason reason : RefusalReason.values()) {
      refused.put(reason, metrics.registry().counter("fuzz.refused", "reason", reason.tag()));
    }
    listener =
        EmbeddedChannel.builder()
            .ticker(ticker)
            .handlers(
                new ConnectionAdmission(
                    "main",
                    tracker,
                    metrics.registry().counter("fuzz.accepted"),
                    refused,
                    reserve,
                    new QueueTimeout(0, true)),
                new HandoffStamp(acceptPath.meters()))
            .build();
    warningWatch.setContext(rootLogger.getLoggerContext());
    warningWatch.start();
    rootLogger.addAppender(warningWatch);
  }

  /** {@code server.protocol=http}: the sample {@code HelloService}. */
  static FuzzedServer http() {
    return new FuzzedServer("http");
  }

  /** {@code server.protocol=echo}: the sample {@code EchoApplication}. */
  static FuzzedServer echo() {
    return new FuzzedServer("echo");
  }

  // The methods of the requests the service was handed, in order: an answer to HEAD has no body.
  private HttpService recordingMethods(HttpService service) {
    return (request, exchange) -> {
      served.add(request.method());
      service.serve(request, exchange);
    };
  }

  /** A new connection, admitted by the accept path, its pipeline built, active. */
  FuzzedConnection accept(ConnectionScript script) {
    if (current != null) {
      // The last input failed before its client closed: its failure is reported, not this one's.
      current.abandon();
    }
    served.clear();
    warnings.clear();
    FuzzedConnection connection = new FuzzedConnection(this, initializer, ticker, script);
    listener.writeInbound(connection.channel());
    Channel admitted = listener.readInbound();
    if (admitted != connection.channel()) {
      throw new AssertionError("the accept path did not admit the connection");
    }
    connection.register();
    current = connection;
    return connection;
  }

  /** The current connection's client has closed it, and every check after the close has run. */
  void closed(FuzzedConnection connection) {
    if (current == connection) {
      current = null;
    }
  }

  /** Connections admitted and not yet closed. */
  int openConnections() {
    return tracker.openConnections();
  }

  /** The methods of the requests the service was handed on the current connection. */
  List<HttpMethod> served() {
    return served;
  }

  /** What was logged at WARN or above since the current connection was accepted. */
  List<String> warnings() {
    return warnings;
  }

  @Override
  public void close() {
    rootLogger.detachAppender(warningWatch);
    warningWatch.stop();
    listener.finishAndReleaseAll();
    acceptPath.close();
    reserve.close();
    metrics.close();
  }
}
