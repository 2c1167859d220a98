package dev.usher.lifecycle;

import dev.usher.config.ServerConfig;
import dev.usher.metrics.TcpInfoReader;
import dev.usher.transport.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.unix.UnixChannel;
import java.util.OptionalInt;

/** The main listener: the backlog, the socket options, the accept gate and the hand-off. */
final class MainListener {
  private MainListener() {}

  static ServerBootstrap bootstrap(
      ServerConfig config,
      Transport transport,
      EventLoopGroup boss,
      EventLoopGroup workers,
      ChannelHandler acceptPath,
      ConnectionInitializer connections) {
    return new ServerBootstrap()
            .group(boss, workers)
            .channel(transport.serverChannelType())
            .option(ChannelOption.SO_BACKLOG, config.backlog())
            .option(ChannelOption.SO_REUSEADDR, config.socket().reuseAddress())
            .childOption(ChannelOption.TCP_NODELAY, config.socket().tcpNoDelay())
            .childOption(ChannelOption.SO_KEEPALIVE, config.socket().keepAlive())
            // A client's FIN becomes an event, so replies are flushed before the close: see
            // HalfClosedConnectionCloser.
            .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
            .handler(acceptPath)
            .childHandler(connections);
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
