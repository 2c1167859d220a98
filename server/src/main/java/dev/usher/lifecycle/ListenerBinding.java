package dev.usher.lifecycle;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/** Binds a listener and waits, bounded, until it listens; a failure becomes one clear line. */
final class ListenerBinding {
  private static final long BIND_TIMEOUT_SECONDS = 30;

  private ListenerBinding() {}

  static Channel bind(
      ServerBootstrap bootstrap, String listener, String portKey, InetSocketAddress address)
      throws StartupException, InterruptedException {
    ChannelFuture bound = bootstrap.bind(address);
    if (!bound.await(BIND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      throw new StartupException(
          "binding the " + listener + " listener to " + address + " timed out", null);
    }
    if (!bound.isSuccess()) {
      throw BindFailures.describe(listener, portKey, address, bound.cause());
    }
    return bound.channel();
  }

  /**
   * Registers a listener whose channel wraps a socket that listens already (handed over by another
   * process, or passed by systemd): no bind, and it accepts as soon as it is registered.
   *
   * @param from where the socket came from, for the error: "handed over", "socket activation"
   */
  static Channel adopt(ServerBootstrap bootstrap, String listener, String from)
      throws StartupException, InterruptedException {
    ChannelFuture registered = bootstrap.register();
    if (!registered.await(BIND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      throw new StartupException(
          "registering the " + listener + " listener's socket (" + from + ") timed out", null);
    }
    if (!registered.isSuccess()) {
      throw new StartupException(
          "cannot accept on the "
              + listener
              + " listener's socket ("
              + from
              + "): "
              + registered.cause().getMessage(),
          registered.cause());
    }
    return registered.channel();
  }
}
