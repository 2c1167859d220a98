package dev.usher.lifecycle;

import dev.usher.accept.ConnectionAdmission;
import dev.usher.accept.ConnectionTracker;
import dev.usher.admin.AdminServer;
import dev.usher.app.UsherApplication;
import dev.usher.config.UsherConfig;
import dev.usher.metrics.AcceptPathMetrics;
import dev.usher.metrics.EventLoopMeters;
import dev.usher.metrics.ListenerMeters;
import dev.usher.metrics.ServerInfo;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import dev.usher.metrics.ServerMetrics;
import dev.usher.transport.Transport;
import dev.usher.transport.TransportSelector;
import dev.usher.transport.UnavailableTransportException;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running usher: the admin listener, the main listener with its boss and worker loops, and
 * the connections they serve. {@link #start} returns only when both listeners are bound and the
 * server is accepting; {@link #drainAndStop} is the graceful shutdown sequence.
 */
public final class UsherServer {
  private static final Logger log = LoggerFactory.getLogger(UsherServer.class);
  static final String MAIN_LISTENER = "main";
  private static final long LOOP_SHUTDOWN_TIMEOUT_SECONDS = 5;

  private final UsherConfig config;
  private final Transport transport;
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final EventLoopGroup adminLoop;
  private final ConnectionTracker connections;
  private final ConnectionAdmission admission;
  private final Optional<AcceptPathMetrics> acceptPathMetrics;
  private volatile ServerState state = ServerState.STARTING;
  private Channel admin;
  private Channel listener;

  private UsherServer(UsherConfig config, Transport transport, ServerMetrics metrics) {
    this.config = config;
    this.transport = transport;
    this.boss = transport.newEventLoopGroup("boss", config.server().bossThreads());
    this.workers = transport.newEventLoopGroup("worker", config.server().workerThreads());
    this.adminLoop = transport.newEventLoopGroup("admin", 1);
    this.connections = new ConnectionTracker();
    ListenerMeters meters = new ListenerMeters(metrics.registry(), MAIN_LISTENER, connections);
    this.admission =
        new ConnectionAdmission(
            MAIN_LISTENER,
            config.server().maxConnections(),
            connections,
            meters.accepted(),
            meters.refused());
    MeterRegistry registry = metrics.registry();
    this.acceptPathMetrics =
        config.metrics().acceptPath()
            ? Optional.of(
                AcceptPathMetrics.create(
                    registry, MAIN_LISTENER, config.metrics(), transport.exposesFileDescriptor()))
            : Optional.empty();
    Duration probeInterval = config.metrics().eventLoopProbeInterval();
    EventLoopMeters.bind(registry, "boss", boss, probeInterval);
    EventLoopMeters.bind(registry, "worker", workers, probeInterval);
    EventLoopMeters.bind(registry, "admin", adminLoop, probeInterval);
  }

  /** The server channel's pipeline: observe the accept path, then admit or refuse. */
  private ChannelHandler acceptPath() {
    return new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel serverChannel) {
        acceptPathMetrics.ifPresent(
            metrics -> serverChannel.pipeline().addLast("accept-meters", metrics.acceptObserver()));
        serverChannel.pipeline().addLast("admission", admission);
      }
    };
  }

  /**
   * Binds the admin and main listeners and returns once the server is accepting.
   *
   * @param somaxconn the kernel's cap on the backlog, for the bind log line
   */
  public static UsherServer start(
      UsherConfig config, UsherApplication application, ServerMetrics metrics, int somaxconn)
      throws StartupException, InterruptedException {
    Transport transport;
    try {
      transport = TransportSelector.select(config.server().transport());
    } catch (UnavailableTransportException unavailable) {
      throw new StartupException(unavailable.getMessage(), unavailable);
    }
    UsherServer server = new UsherServer(config, transport, metrics);
    try {
      server.bind(application, metrics, somaxconn);
    } catch (StartupException | InterruptedException | RuntimeException failure) {
      server.closeLoops();
      throw failure;
    }
    return server;
  }

  private void bind(UsherApplication application, ServerMetrics metrics, int somaxconn)
      throws StartupException, InterruptedException {
    InetSocketAddress adminAddress =
        new InetSocketAddress(config.admin().host(), config.admin().port());
    admin =
        ListenerBinding.bind(
            AdminServer.bootstrap(
                adminLoop, transport.serverChannelType(), metrics.registry(), this::isReady),
            "admin",
            "admin.port",
            adminAddress);
    log.info(
        "admin listener bound: {} (/metrics, /health/live, /health/ready)",
        Endpoints.hostAndPort(config.admin().host(), adminAddress().getPort()));

    listener =
        ListenerBinding.bind(
            MainListener.bootstrap(
                config.server(),
                transport,
                boss,
                workers,
                acceptPath(),
                new ConnectionInitializer(application, config.server().idleTimeout())),
            "server",
            "server.port",
            new InetSocketAddress(config.server().host(), config.server().port()));
    logBound(application, somaxconn);
    acceptPathMetrics.ifPresent(accepting -> accepting.startListenQueueProbe(listener));
    ServerInfo.register(metrics.registry(), transport.kind().label(), application.name());
    state = ServerState.ACCEPTING;
    log.info("accepting connections on {}", mainEndpoint());
  }

  private void logBound(UsherApplication application, int somaxconn) {
    int requested = config.server().backlog();
    OptionalInt effective = MainListener.effectiveBacklog(listener);
    log.info(
        "server listener bound: {} transport={} protocol={} backlog requested={} somaxconn={} effective={} boss-threads={} worker-threads={} max-connections={}",
        mainEndpoint(),
        transport.kind().label(),
        application.name(),
        requested,
        somaxconn,
        effective.isPresent() ? effective.getAsInt() : "unknown (" + transport.kind().label() + " transport)",
        config.server().bossThreads(),
        config.server().workerThreads(),
        config.server().maxConnections());
    if (effective.isPresent() && effective.getAsInt() != requested) {
      log.warn(
          "the kernel uses a listen backlog of {}, not the {} requested (server.backlog): it caps it at net.core.somaxconn = {}",
          effective.getAsInt(),
          requested,
          somaxconn);
    }
  }

  /** The main listener's bound address (the real port when 0 was configured). */
  public InetSocketAddress address() {
    return (InetSocketAddress) listener.localAddress();
  }

  public InetSocketAddress adminAddress() {
    return (InetSocketAddress) admin.localAddress();
  }

  /** The main listener's channel, for tests in this package that hold the accept path. */
  Channel listenerChannel() {
    return listener;
  }

  int openConnections() {
    return connections.openConnections();
  }

  public ServerState state() {
    return state;
  }

  /** Ready means bound, accepting and not draining: what {@code /health/ready} answers. */
  public boolean isReady() {
    return state == ServerState.ACCEPTING;
  }

  public Transport transport() {
    return transport;
  }

  /**
   * Shuts down gracefully, in order: not ready, pre-stop delay, stop accepting, drain the open
   * connections, close what remains, close the event loops. Every wait is bounded.
   */
  public DrainSummary drainAndStop() throws InterruptedException {
    long started = System.nanoTime();
    state = ServerState.DRAINING;
    log.info(
        "draining: readiness is now 503; the listener stays open for shutdown.pre-stop-delay={}ms",
        config.shutdown().preStopDelay().toMillis());
    Thread.sleep(config.shutdown().preStopDelay());

    admission.startDraining();
    acceptPathMetrics.ifPresent(AcceptPathMetrics::close);
    listener.close().await(LOOP_SHUTDOWN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    log.info(
        "listener closed; draining {} open connection(s) for at most shutdown.drain-timeout={}ms",
        connections.openConnections(),
        config.shutdown().drainTimeout().toMillis());

    DrainSummary summary =
        new ConnectionDrain(connections).drain(config.shutdown().drainTimeout(), started);
    closeAdmin();
    closeLoops();
    state = ServerState.STOPPED;
    log.info(
        "stopped: {} connection(s) drained, {} closed by force, in {} ms",
        summary.drained(),
        summary.forced(),
        summary.elapsed().toMillis());
    return summary;
  }

  private void closeAdmin() throws InterruptedException {
    if (admin != null) {
      admin.close().await(LOOP_SHUTDOWN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
  }

  private void closeLoops() throws InterruptedException {
    for (EventLoopGroup group : new EventLoopGroup[] {boss, workers, adminLoop}) {
      group.shutdownGracefully(0, LOOP_SHUTDOWN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
    for (EventLoopGroup group : new EventLoopGroup[] {boss, workers, adminLoop}) {
      group.terminationFuture().await(LOOP_SHUTDOWN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
  }

  // The configured host with the real port: a native socket bound to 0.0.0.0 reports [::].
  private String mainEndpoint() {
    return Endpoints.hostAndPort(config.server().host(), address().getPort());
  }
}
