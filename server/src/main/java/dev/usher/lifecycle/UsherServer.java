package dev.usher.lifecycle;

import dev.usher.accept.ConnectionBudget;
import dev.usher.accept.ConnectionTracker;
import dev.usher.accept.DescriptorReserve;
import dev.usher.accept.QueueTimeout;
import dev.usher.admin.AdminServer;
import dev.usher.app.UsherApplication;
import dev.usher.config.AcceptMode;
import dev.usher.config.Protocol;
import dev.usher.config.ServerConfig;
import dev.usher.config.TlsConfig;
import dev.usher.config.TransportPreference;
import dev.usher.config.UsherConfig;
import dev.usher.connection.ConnectionInitializer;
import dev.usher.metrics.EventLoopMeters;
import dev.usher.metrics.HandoverMeters;
import dev.usher.metrics.HandoverMeters.Result;
import dev.usher.metrics.HandoverMeters.Role;
import dev.usher.metrics.ServerInfo;
import dev.usher.metrics.ServerMetrics;
import dev.usher.overload.Overload;
import dev.usher.tls.ServerTls;
import dev.usher.tls.TlsFileException;
import dev.usher.transport.Transport;
import dev.usher.transport.TransportSelector;
import dev.usher.transport.UnavailableTransportException;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ReflectiveChannelFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.unix.UnixChannel;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running usher: the admin listener, the main listener's sockets with their event loops, and
 * the connections they serve. {@link #start} returns only when every listener is bound and the
 * server is accepting; {@link #drainAndStop} is the graceful shutdown sequence.
 *
 * <p>With {@code server.accept-mode = boss} the main listener is one socket, named {@code main},
 * whose boss loop hands connections to the worker loops. With {@code reuseport} it is one {@code
 * SO_REUSEPORT} socket per worker loop, named {@code main-0}, {@code main-1}, ..., each accepting
 * on the loop that serves.
 */
public final class UsherServer implements HandoverGiver {
  private static final Logger log = LoggerFactory.getLogger(UsherServer.class);
  static final String MAIN_LISTENER = "main";
  private static final long LOOP_SHUTDOWN_TIMEOUT_SECONDS = 5;
  private static final Duration HANDOVER_TIMEOUT = Duration.ofSeconds(10);
  // Where adopted sockets came from, as the bind log lines say it.
  private static final String ACTIVATED = "socket activation";
  private static final String HANDED_OVER = "handed over";

  private final UsherConfig config;
  private final Transport transport;
  private final Optional<EventLoopGroup> boss;
  private final EventLoopGroup workers;
  private final EventLoopGroup adminLoop;
  private final List<ListeningSocket> sockets = new ArrayList<>();
  private final ConnectionBudget budget;
  private final Overload overload;
  private DescriptorReserve descriptorReserve;
  private volatile ServerState state = ServerState.STARTING;
  private Channel admin;
  private Optional<ServerTls> tls = Optional.empty();
  private final Optional<HandoverMeters> handoverMeters;
  private final LongConsumer onHandedOver;
  private Optional<HandoverListener> handoverListener = Optional.empty();
  private volatile boolean handedOver;

  private UsherServer(
      UsherConfig config,
      Transport transport,
      Overload overload,
      Optional<HandoverMeters> handoverMeters,
      LongConsumer onHandedOver) {
    this.overload = overload;
    ServerConfig server = config.server();
    this.config = config;
    this.transport = transport;
    // A listening socket is registered on one event loop, so a larger boss group would leave all
    // but one thread idle; several acceptors are accept-mode reuseport.
    this.boss =
        server.acceptMode() == AcceptMode.BOSS
            ? Optional.of(transport.newEventLoopGroup("boss", 1))
            : Optional.empty();
    this.workers = transport.newEventLoopGroup("worker", server.workerThreads());
    this.adminLoop = transport.newEventLoopGroup("admin", 1);

    this.budget = new ConnectionBudget(server.maxConnections());
    this.handoverMeters = handoverMeters;
    this.onHandedOver = onHandedOver;
  }

  // Apart from the constructor, so that a failure here still closes the loops made there.
  private void register(ServerMetrics metrics) throws StartupException {
    descriptorReserve = openDescriptorReserve();
    MeterRegistry registry = metrics.registry();
    if (boss.isPresent()) {
      sockets.add(newSocket(MAIN_LISTENER, boss.get(), workers, metrics));
    } else {
      int index = 0;
      for (EventExecutor loop : workers) {
        EventLoop acceptAndServe = (EventLoop) loop;
        sockets.add(
            newSocket(MAIN_LISTENER + "-" + index++, acceptAndServe, acceptAndServe, metrics));
      }
    }
    Duration probeInterval = config.metrics().eventLoopProbeInterval();
    boss.ifPresent(group -> EventLoopMeters.bind(registry, "boss", group, probeInterval));
    EventLoopMeters.bind(registry, "worker", workers, probeInterval);
    EventLoopMeters.bind(registry, "admin", adminLoop, probeInterval);
  }

  private static DescriptorReserve openDescriptorReserve() throws StartupException {
    try {
      return DescriptorReserve.open(AdminServer.RESERVED_DESCRIPTORS);
    } catch (IOException cannotOpen) {
      throw new StartupException(
          "cannot hold "
              + AdminServer.RESERVED_DESCRIPTORS
              + " file descriptors in reserve for the admin listener: "
              + cannotOpen.getMessage(),
          cannotOpen);
    }
  }

  private ListeningSocket newSocket(
      String name, EventLoopGroup acceptor, EventLoopGroup serving, ServerMetrics metrics) {
    return new ListeningSocket(
        name,
        acceptor,
        serving,
        budget,
        descriptorReserve,
        metrics,
        config.metrics(),
        transport.exposesFileDescriptor(),
        new QueueTimeout(
            config.server().overload().acceptQueueTimeout().toMillis(),
            config.server().protocol() == Protocol.HTTP && config.server().tls().isEmpty()));
  }

  /**
   * Binds the admin and main listeners (or adopts the sockets systemd passed, or, with {@code
   * lifecycle.handover-path}, takes them over from the usher serving there) and returns once the
   * server is accepting.
   *
   * @param somaxconn the kernel's cap on the backlog, for the bind log line
   * @param activation what systemd passed, if anything
   * @param onHandedOver called with the taker's pid once this server has given its listening
   *     sockets to a new usher and stopped accepting on them; it should drain and stop this server
   */
  public static UsherServer start(
      UsherConfig config,
      UsherApplication application,
      ServerMetrics metrics,
      Overload overload,
      int somaxconn,
      SocketActivation activation,
      LongConsumer onHandedOver)
      throws StartupException, InterruptedException {
    Optional<Path> handoverPath = config.lifecycle().handoverPath();
    activation.ignored().ifPresent(why -> log.info("socket activation: {}", why));
    Transport transport = selectTransport(config, activation);
    if (config.server().acceptMode() == AcceptMode.REUSEPORT
        && !transport.exposesFileDescriptor()) {
      throw new StartupException(
          "server.accept-mode = reuseport needs the io_uring or epoll transport (SO_REUSEPORT), not "
              + transport.kind().label(),
          null);
    }
    if (!config.server().overload().acceptQueueTimeout().isZero()
        && !transport.exposesFileDescriptor()) {
      log.warn(
          "server.overload.accept-queue-timeout is off: the wait in the accept queue is read from"
              + " the kernel through the io_uring or epoll transport, not {}",
          transport.kind().label());
    }
    Optional<HandoverMeters> handoverMeters =
        handoverPath.map(path -> new HandoverMeters(metrics.registry()));
    UsherServer server = new UsherServer(config, transport, overload, handoverMeters, onHandedOver);
    Optional<HandoverTaker> taker = Optional.empty();
    try {
      server.register(metrics);
      server.startTls(application, metrics);
      Optional<AdoptedListeners> adopted = Optional.empty();
      if (activation.passed()) {
        // systemd holds the sockets across restarts: nothing to take over from another usher.
        adopted = Optional.of(activation.adopt(config, server.mainSocketNames()));
      } else if (handoverPath.isPresent()) {
        taker = HandoverTaker.connect(handoverPath.get(), server.adminLoop, HANDOVER_TIMEOUT);
      }
      if (taker.isPresent()) {
        adopted = Optional.of(server.adopt(taker.get(), handoverPath.get()));
      }
      server.bind(
          application, metrics, somaxconn, adopted, activation.passed() ? ACTIVATED : HANDED_OVER);
      if (taker.isPresent()) {
        server.confirmHandover(taker.get());
      }
      if (handoverPath.isPresent()) {
        server.handoverListener =
            Optional.of(
                HandoverListener.listen(
                    handoverPath.get(), server.adminLoop, server, handoverMeters.get()));
      }
    } catch (StartupException | InterruptedException | RuntimeException failure) {
      if (taker.isPresent() && server.state != ServerState.ACCEPTING) {
        handoverMeters
            .get()
            .record(
                Role.TAKER,
                failure instanceof StartupException startup && startup.badConfiguration()
                    ? Result.MISMATCH
                    : Result.FAILED,
                taker.get().elapsed());
        taker.get().abandon();
      }
      server.closeListeners();
      server.closeHandoverListener();
      server.closeLoops();
      server.closeDescriptorReserve();
      throw failure;
    }
    return server;
  }

  private static Transport selectTransport(UsherConfig config, SocketActivation activation)
      throws StartupException {
    TransportPreference preference = config.server().transport();
    if (activation.passed() && preference == TransportPreference.NIO) {
      throw StartupException.badConfiguration(
          "invalid configuration: server.transport = nio: systemd passed listening sockets"
              + " (socket activation), which nio cannot adopt; set server.transport to auto or"
              + " epoll",
          null);
    }
    try {
      if (activation.passed()) {
        return TransportSelector.selectForAdoption(
            preference, "systemd passed listening sockets (socket activation)");
      }
      if (config.lifecycle().handoverPath().isPresent()) {
        return TransportSelector.selectForAdoption(preference, "lifecycle.handover-path is set");
      }
      return TransportSelector.select(preference);
    } catch (UnavailableTransportException unavailable) {
      throw new StartupException(unavailable.getMessage(), unavailable);
    }
  }

  /**
   * Starts like {@link #start(UsherConfig, UsherApplication, ServerMetrics, Overload, int,
   * SocketActivation, LongConsumer)} without socket activation; a completed hand-over drains and
   * stops this server on a thread of its own.
   */
  public static UsherServer start(
      UsherConfig config,
      UsherApplication application,
      ServerMetrics metrics,
      Overload overload,
      int somaxconn)
      throws StartupException, InterruptedException {
    CompletableFuture<UsherServer> started = new CompletableFuture<>();
    UsherServer server =
        start(
            config,
            application,
            metrics,
            overload,
            somaxconn,
            SocketActivation.none(),
            takerPid ->
                Thread.ofPlatform()
                    .name("usher-drain")
                    .start(
                        () -> {
                          try {
                            started.join().drainAndStop();
                          } catch (InterruptedException interrupted) {
                            Thread.currentThread().interrupt();
                          }
                        }));
    started.complete(server);
    return server;
  }

  private AdoptedListeners adopt(HandoverTaker taker, Path handoverPath)
      throws StartupException, InterruptedException {
    HandoverTaker.Received received = taker.receive(HANDOVER_TIMEOUT);
    return AdoptedListeners.check(
        taker.origin(), received.names(), received.descriptors(), config, mainSocketNames());
  }

  private List<String> mainSocketNames() {
    return sockets.stream().map(socket -> socket.name).toList();
  }

  // This process accepts on the sockets now; the giver may let go of them.
  private void confirmHandover(HandoverTaker taker) throws InterruptedException {
    boolean released = taker.ready(HANDOVER_TIMEOUT);
    handoverMeters.get().record(Role.TAKER, Result.COMPLETED, taker.elapsed());
    log.info(
        "hand-over: took over the listening sockets of pid {} in {} ms{}",
        taker.giverPid(),
        taker.elapsed().toMillis(),
        released ? "; it has stopped accepting and drains" : "");
  }

  private void startTls(UsherApplication application, ServerMetrics metrics)
      throws StartupException {
    Optional<TlsConfig> configured = config.server().tls();
    if (configured.isEmpty()) {
      return;
    }
    try {
      tls =
          Optional.of(
              ServerTls.start(
                  configured.get(),
                  application.applicationProtocols(),
                  metrics.registry(),
                  MAIN_LISTENER));
    } catch (TlsFileException unusable) {
      throw StartupException.badConfiguration(
          "invalid configuration: "
              + unusable.key()
              + " = "
              + tlsSetting(configured.get(), unusable.key())
              + ": "
              + unusable.getMessage(),
          unusable);
    }
  }

  private static String tlsSetting(TlsConfig tls, String key) {
    return switch (key) {
      case "server.tls.certificate" -> tls.certificate().toString();
      case "server.tls.private-key" -> tls.privateKey().toString();
      case "server.tls.trust-certificates" ->
          tls.trustCertificates().map(Object::toString).orElse("");
      case "server.tls.provider" -> tls.provider().name().toLowerCase(java.util.Locale.ROOT);
      default -> "?";
    };
  }

  private void bind(
      UsherApplication application,
      ServerMetrics metrics,
      int somaxconn,
      Optional<AdoptedListeners> adopted,
      String adoptedFrom)
      throws StartupException, InterruptedException {
    InetSocketAddress adminAddress =
        new InetSocketAddress(config.admin().host(), config.admin().port());
    ChannelFactory<? extends ServerChannel> adminChannel =
        adopted.isPresent()
            ? () -> adopted.get().admin
            : new ReflectiveChannelFactory<>(transport.serverChannelType());
    ServerBootstrap adminBootstrap =
        AdminServer.bootstrap(
            adminLoop, adminChannel, metrics.registry(), this::isReady, descriptorReserve);
    admin =
        adopted.isPresent()
            ? ListenerBinding.adopt(adminBootstrap, "admin", adoptedFrom)
            : ListenerBinding.bind(adminBootstrap, "admin", "admin.port", adminAddress);
    log.info(
        "admin listener {}: {} (/metrics, /health/live, /health/ready)",
        adopted.isPresent() ? "bound (" + adoptedFrom + ")" : "bound",
        Endpoints.hostAndPort(config.admin().host(), adminAddress().getPort()));

    int port = config.server().port();
    for (int index = 0; index < sockets.size(); index++) {
      ListeningSocket socket = sockets.get(index);
      ConnectionInitializer connections =
          socket.connections(application, config.server().proxyProtocol(), tls, overload);
      int at = index;
      ServerChannel handedOver = adopted.map(listeners -> listeners.main.get(at)).orElse(null);
      ServerBootstrap bootstrap =
          MainListener.bootstrap(
              config.server(),
              handedOver != null
                  ? () -> handedOver
                  : new ReflectiveChannelFactory<>(transport.serverChannelType()),
              socket.acceptor,
              socket.workers,
              socket.serverPipeline(),
              connections);
      Channel channel =
          handedOver != null
              ? ListenerBinding.adopt(bootstrap, "server", adoptedFrom)
              : ListenerBinding.bind(
                  bootstrap,
                  "server",
                  "server.port",
                  new InetSocketAddress(config.server().host(), port));
      // With port 0 the first socket gets a port from the kernel; the others share it.
      port = ((InetSocketAddress) channel.localAddress()).getPort();
      socket.bound(channel);
    }
    logBound(application, somaxconn);
    ServerInfo.register(metrics.registry(), transport.kind().label(), application.name());
    state = ServerState.ACCEPTING;
    log.info("accepting connections on {}", mainEndpoint());
  }

  private void logBound(UsherApplication application, int somaxconn) {
    ServerConfig server = config.server();
    int requested = server.backlog();
    OptionalInt effective = MainListener.effectiveBacklog(sockets.getFirst().channel);
    log.info(
        "server listener bound: {} transport={} protocol={} accept-mode={} sockets={} backlog requested={} somaxconn={} effective={} worker-threads={} max-connections={}",
        mainEndpoint(),
        transport.kind().label(),
        application.name(),
        server.acceptMode().name().toLowerCase(java.util.Locale.ROOT),
        sockets.size(),
        requested,
        somaxconn,
        effective.isPresent()
            ? effective.getAsInt()
            : "unknown (" + transport.kind().label() + " transport)",
        server.workerThreads(),
        server.maxConnections());
  }

  /** The main listener's bound address (the real port when 0 was configured). */
  public InetSocketAddress address() {
    return (InetSocketAddress) sockets.getFirst().channel.localAddress();
  }

  public InetSocketAddress adminAddress() {
    return (InetSocketAddress) admin.localAddress();
  }

  /** The main listener's first socket, for tests in this package that hold the accept path. */
  Channel listenerChannel() {
    return sockets.getFirst().channel;
  }

  /** Open connections across every listening socket: what {@code server.max-connections} limits. */
  int openConnections() {
    return budget.openConnections();
  }

  public ServerState state() {
    return state;
  }

  /** Ready means bound, accepting and not draining: what {@code /health/ready} answers. */
  public boolean isReady() {
    return state == ServerState.ACCEPTING;
  }

  // The configured host with the real port: a native socket bound to 0.0.0.0 reports [::].
  private String mainEndpoint() {
    return Endpoints.hostAndPort(config.server().host(), address().getPort());
  }

  /**
   * Shuts down gracefully, in order: not ready, pre-stop delay, stop accepting, drain the open
   * connections, close what remains, close the event loops. Every wait is bounded.
   */
  public DrainSummary drainAndStop() throws InterruptedException {
    long started = System.nanoTime();
    state = ServerState.DRAINING;
    if (handedOver) {
      // The listening sockets accept in the new process: no pre-stop delay to wait out.
      log.info("draining after the hand-over: readiness is now 503");
    } else {
      log.info(
          "draining: readiness is now 503; the listener stays open for shutdown.pre-stop-delay={}ms",
          config.shutdown().preStopDelay().toMillis());
      Thread.sleep(config.shutdown().preStopDelay());
    }

    closeHandoverListener();
    closeListeners();
    List<ConnectionTracker> trackers = sockets.stream().map(socket -> socket.connections).toList();
    log.info(
        "{}; draining {} open connection(s) for at most shutdown.drain-timeout={}ms",
        handedOver
            ? "this process's copy of the listening sockets closed (the new process holds them)"
            : "listener closed",
        openConnections(),
        config.shutdown().drainTimeout().toMillis());

    DrainSummary summary =
        new ConnectionDrain(trackers).drain(config.shutdown().drainTimeout(), started);
    closeAdmin();
    closeLoops();
    closeDescriptorReserve();
    state = ServerState.STOPPED;
    log.info(
        "stopped: {} connection(s) drained, {} closed by force, in {} ms",
        summary.drained(),
        summary.forced(),
        summary.elapsed().toMillis());
    return summary;
  }

  private void closeListeners() throws InterruptedException {
    for (ListeningSocket socket : sockets) {
      socket.stopAccepting();
    }
    for (ListeningSocket socket : sockets) {
      if (socket.channel != null) {
        socket.channel.close().await(LOOP_SHUTDOWN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      }
    }
  }

  @Override
  public Optional<List<GivenSocket>> socketsToGive() {
    if (state != ServerState.ACCEPTING) {
      return Optional.empty();
    }
    List<GivenSocket> given = new ArrayList<>();
    given.add(givenSocket(HandoverProtocol.ADMIN_SOCKET, admin, config.admin().host()));
    for (ListeningSocket socket : sockets) {
      given.add(givenSocket(socket.name, socket.channel, config.server().host()));
    }
    return Optional.of(given);
  }

  private static GivenSocket givenSocket(String name, Channel channel, String host) {
    return new GivenSocket(
        name,
        ((UnixChannel) channel).fd().intValue(),
        Endpoints.hostAndPort(host, ((InetSocketAddress) channel.localAddress()).getPort()));
  }

  /**
   * Turns off reading on every listening socket, which takes them out of the event loops' interest
   * (epoll), then waits for a task on each loop: an accept batch already running has finished, and
   * none follows. What it accepted is admitted as usual, so none is refused as {@code draining}.
   * The sockets stay open until the drain, by which time the new process holds them too.
   */
  @Override
  public void stopAcceptingForHandover() throws InterruptedException {
    handedOver = true;
    state = ServerState.DRAINING;
    List<Channel> listening = new ArrayList<>();
    listening.add(admin);
    sockets.forEach(socket -> listening.add(socket.channel));
    for (Channel channel : listening) {
      channel.config().setAutoRead(false);
    }
    for (Channel channel : listening) {
      channel.eventLoop().submit(() -> {}).await(LOOP_SHUTDOWN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
  }

  @Override
  public void handedOver(long takerPid) {
    onHandedOver.accept(takerPid);
  }

  private void closeHandoverListener() throws InterruptedException {
    if (handoverListener.isPresent()) {
      handoverListener.get().close();
    }
  }

  private void closeAdmin() throws InterruptedException {
    if (admin != null) {
      admin.close().await(LOOP_SHUTDOWN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
  }

  private void closeLoops() throws InterruptedException {
    tls.ifPresent(ServerTls::close);
    List<EventLoopGroup> groups = new ArrayList<>();
    boss.ifPresent(groups::add);
    groups.add(workers);
    groups.add(adminLoop);
    for (EventLoopGroup group : groups) {
      group.shutdownGracefully(0, LOOP_SHUTDOWN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
    for (EventLoopGroup group : groups) {
      group.terminationFuture().await(LOOP_SHUTDOWN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
  }

  private void closeDescriptorReserve() {
    if (descriptorReserve != null) {
      descriptorReserve.close();
    }
  }
}
