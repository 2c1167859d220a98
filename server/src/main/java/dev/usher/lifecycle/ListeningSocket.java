package dev.usher.lifecycle;

import dev.usher.accept.AcceptObserver;
import dev.usher.accept.ConnectionAdmission;
import dev.usher.accept.ConnectionBudget;
import dev.usher.accept.ConnectionTracker;
import dev.usher.accept.DescriptorReserve;
import dev.usher.accept.HandoffStamp;
import dev.usher.accept.QueueTimeout;
import dev.usher.accept.RefusalReason;
import dev.usher.app.UsherApplication;
import dev.usher.config.MetricsConfig;
import dev.usher.config.ProxyProtocolConfig;
import dev.usher.connection.ConnectionInitializer;
import dev.usher.connection.LoopOverloadGuard;
import dev.usher.connection.PipelineNames;
import dev.usher.metrics.AcceptPathMetrics;
import dev.usher.metrics.ListenerMeters;
import dev.usher.metrics.ServerMetrics;
import dev.usher.overload.Overload;
import dev.usher.proxyprotocol.ProxyProtocolFront;
import dev.usher.tls.ServerTls;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import java.util.Optional;

/**
 * One listening socket of the main listener with what belongs to it alone: the loop that accepts on
 * it, its admission gate, its open connections and its meters, all named by its listener tag.
 */
final class ListeningSocket {
  final String name;
  final EventLoopGroup acceptor;
  final EventLoopGroup workers;
  final ConnectionTracker connections;
  final ConnectionAdmission admission;
  private final ListenerMeters meters;
  final Optional<AcceptPathMetrics> acceptPathMetrics;
  Channel channel;

  ListeningSocket(
      String name,
      EventLoopGroup acceptor,
      EventLoopGroup workers,
      ConnectionBudget budget,
      DescriptorReserve reserve,
      ServerMetrics serverMetrics,
      MetricsConfig metrics,
      boolean nativeSockets,
      QueueTimeout queueTimeout) {
    this.name = name;
    this.acceptor = acceptor;
    this.workers = workers;
    this.connections = new ConnectionTracker(budget);
    this.meters = new ListenerMeters(serverMetrics.registry(), name, connections);
    this.admission =
        new ConnectionAdmission(
            name, connections, meters.accepted(), meters.refused(), reserve, queueTimeout);
    this.acceptPathMetrics =
        metrics.acceptPath()
            ? Optional.of(AcceptPathMetrics.create(serverMetrics, name, metrics, nativeSockets))
            : Optional.empty();
  }

  /**
   * The server channel's pipeline: observe the accept path, admit or refuse, stamp the hand-off of
   * what was admitted.
   */
  ChannelHandler serverPipeline() {
    return new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel serverChannel) {
        ChannelPipeline pipeline = serverChannel.pipeline();
        acceptPathMetrics.ifPresent(
            metrics ->
                pipeline.addLast(
                    PipelineNames.ACCEPT_METERS, new AcceptObserver(metrics.meters())));
        pipeline.addLast(PipelineNames.ADMISSION, admission);
        acceptPathMetrics.ifPresent(
            metrics ->
                pipeline.addLast(PipelineNames.HANDOFF_STAMP, new HandoffStamp(metrics.meters())));
      }
    };
  }

  /**
   * What every connection this socket accepts is built with: the PROXY protocol (counting its
   * refusals as this socket's), TLS, then the application.
   */
  ConnectionInitializer connections(
      UsherApplication application,
      ProxyProtocolConfig proxyProtocol,
      Optional<ServerTls> tls,
      Overload overload) {
    Optional<ProxyProtocolFront> front =
        proxyProtocol.enabled()
            ? Optional.of(new ProxyProtocolFront(proxyProtocol, meters.refused()))
            : Optional.empty();
    return new ConnectionInitializer(
        application,
        front,
        tls,
        new LoopOverloadGuard(overload, meters.refused().get(RefusalReason.OVERLOADED)));
  }

  void bound(Channel listening) {
    channel = listening;
    acceptPathMetrics.ifPresent(meters -> meters.startListenQueueProbe(listening));
  }

  /** Refuses what still arrives and stops the probe, which must not outlive the descriptor. */
  void stopAccepting() {
    admission.startDraining();
    acceptPathMetrics.ifPresent(AcceptPathMetrics::close);
  }
}
