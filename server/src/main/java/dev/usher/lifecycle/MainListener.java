package dev.usher.lifecycle;

import dev.usher.config.AcceptMode;
import dev.usher.config.ServerConfig;
import dev.usher.connection.ConnectionInitializer;
import dev.usher.metrics.TcpInfoReader;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.unix.UnixChannel;
import io.netty.channel.unix.UnixChannelOption;
import java.util.OptionalInt;

/**
 * A main listening socket: the backlog, the socket options, the accept path and the hand-off from
 * the loop that accepts to the loops that serve (the same loop with {@code reuseport}).
 */
final class MainListener {
  private MainListener() {}

  static ServerBootstrap bootstrap(
      ServerConfig config,
      ChannelFactory<? extends ServerChannel> channels,
      EventLoopGroup acceptor,
      EventLoopGroup workers,
      ChannelHandler acceptPath,
      ConnectionInitializer connections) {
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(acceptor, workers)
            .channelFactory(channels)
            .option(ChannelOption.SO_BACKLOG, config.backlog())
            .option(ChannelOption.SO_REUSEADDR, config.socket().reuseAddress())
            .childOption(ChannelOption.TCP_NODELAY, config.socket().tcpNoDelay())
            .childOption(ChannelOption.SO_KEEPALIVE, config.socket().keepAlive())
            // A client's FIN becomes an event, so replies are flushed before the close (without
            // it, io_uring closes on the FIN before the read batch's replies are flushed).
            .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
            .handler(acceptPath)
            .childHandler(connections);
    if (config.acceptMode() == AcceptMode.REUSEPORT) {
      bootstrap.option(UnixChannelOption.SO_REUSEPORT, true);
    }
    return bootstrap;
  }

  /** The backlog the kernel really uses for this listener, when the transport can tell. */
  static OptionalInt effectiveBacklog(Channel listener) {
    if (!(listener instanceof UnixChannel unix)) {
      return OptionalInt.empty();
    }
    return TcpInfoReader.create()
        .map(
            reader -> {
              try (reader) {
                return reader.read(unix.fd().intValue())
                    ? OptionalInt.of(reader.listenQueueLimit())
                    : OptionalInt.empty();
              }
            })
        .orElse(OptionalInt.empty());
  }
}
