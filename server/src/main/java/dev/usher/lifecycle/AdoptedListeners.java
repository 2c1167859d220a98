package dev.usher.lifecycle;

import dev.usher.config.AcceptMode;
import dev.usher.config.UsherConfig;
import dev.usher.transport.SocketDescriptors;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.UnixChannelOption;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listening sockets handed over by another usher, checked against this process's configuration and
 * wrapped in epoll server channels, not yet registered: nothing accepts on them until the checks
 * have passed for all of them. A mismatch is one line naming the key (exit 2), and the giver serves
 * on.
 */
final class AdoptedListeners {
  private static final Logger log = LoggerFactory.getLogger(AdoptedListeners.class);

  final EpollServerSocketChannel admin;
  final List<EpollServerSocketChannel> main;

  private AdoptedListeners(EpollServerSocketChannel admin, List<EpollServerSocketChannel> main) {
    this.admin = admin;
    this.main = List.copyOf(main);
  }

  /**
   * Wraps and checks what was received. On failure every received descriptor is closed (this
   * process's copies only).
   */
  static AdoptedListeners check(
      HandoverTaker.Received received,
      UsherConfig config,
      List<String> mainNames,
      Path handoverPath)
      throws StartupException {
    List<EpollServerSocketChannel> channels = new ArrayList<>();
    try {
      String where =
          "the usher handing over at lifecycle.handover-path = "
              + handoverPath
              + " (pid "
              + received.giverPid()
              + ")";
      List<String> expected = new ArrayList<>();
      expected.add(HandoverProtocol.ADMIN_SOCKET);
      expected.addAll(mainNames);
      if (!received.names().equals(expected)) {
        throw StartupException.badConfiguration(
            "invalid configuration: server.accept-mode = "
                + acceptMode(config)
                + " with "
                + mainNames.size()
                + " main socket(s): "
                + where
                + " has the sockets "
                + received.names()
                + "; a hand-over keeps the sockets, so start this usher with the same"
                + " server.accept-mode and server.worker-threads, or stop that one first",
            null);
      }
      for (FileDescriptor descriptor : received.descriptors()) {
        int fd = descriptor.intValue();
        if (!SocketDescriptors.isListeningStreamSocket(fd)) {
          throw new StartupException(
              "hand-over: descriptor " + fd + " from " + where + " is not a listening TCP socket",
              null);
        }
        // Shared with the giver, so non-blocking already; a socket from elsewhere may not be.
        SocketDescriptors.setNonBlocking(fd);
        channels.add(new EpollServerSocketChannel(fd));
      }
      EpollServerSocketChannel admin = channels.getFirst();
      List<EpollServerSocketChannel> main = channels.subList(1, channels.size());
      matches(
          admin, "admin.host", config.admin().host(), "admin.port", config.admin().port(), where);
      for (EpollServerSocketChannel socket : main) {
        matches(
            socket,
            "server.host",
            config.server().host(),
            "server.port",
            config.server().port(),
            where);
        boolean reusePort = socket.config().getOption(UnixChannelOption.SO_REUSEPORT);
        if (reusePort != (config.server().acceptMode() == AcceptMode.REUSEPORT)) {
          throw StartupException.badConfiguration(
              "invalid configuration: server.accept-mode = "
                  + acceptMode(config)
                  + ": "
                  + where
                  + " listens "
                  + (reusePort ? "with" : "without")
                  + " SO_REUSEPORT; start this usher with the same server.accept-mode, or stop that"
                  + " one first",
              null);
        }
      }
      return new AdoptedListeners(admin, main);
    } catch (StartupException | RuntimeException failure) {
      closeAll(received, channels);
      throw failure;
    }
  }

  private static void matches(
      EpollServerSocketChannel socket,
      String hostKey,
      String host,
      String portKey,
      int port,
      String where)
      throws StartupException {
    InetSocketAddress local = socket.localAddress();
    if (port != 0 && local.getPort() != port) {
      throw StartupException.badConfiguration(
          "invalid configuration: "
              + portKey
              + " = "
              + port
              + ": "
              + where
              + " listens on port "
              + local.getPort()
              + "; a hand-over keeps the address, so set "
              + portKey
              + " to "
              + local.getPort()
              + " (or 0), or stop that usher first",
          null);
    }
    if (!sameAddress(host, local.getAddress())) {
      throw StartupException.badConfiguration(
          "invalid configuration: "
              + hostKey
              + " = "
              + host
              + ": "
              + where
              + " listens on "
              + Endpoints.hostAndPort(local.getAddress().getHostAddress(), local.getPort())
              + "; a hand-over keeps the address, so set "
              + hostKey
              + " to match, or stop that usher first",
          null);
    }
  }

  // A socket bound to 0.0.0.0 by a dual-stack epoll socket reports ::, so any wildcard matches any.
  private static boolean sameAddress(String host, InetAddress bound) throws StartupException {
    InetAddress configured;
    try {
      configured = InetAddress.getByName(host);
    } catch (UnknownHostException unresolved) {
      throw new StartupException("host " + host + " does not resolve to an address", unresolved);
    }
    if (configured.isAnyLocalAddress() || bound.isAnyLocalAddress()) {
      return configured.isAnyLocalAddress() && bound.isAnyLocalAddress();
    }
    return configured.equals(bound);
  }

  private static String acceptMode(UsherConfig config) {
    return config.server().acceptMode().name().toLowerCase(java.util.Locale.ROOT);
  }

  private static void closeAll(
      HandoverTaker.Received received, List<EpollServerSocketChannel> channels) {
    for (EpollServerSocketChannel channel : channels) {
      channel.unsafe().closeForcibly();
    }
    for (FileDescriptor descriptor :
        received.descriptors().subList(channels.size(), received.descriptors().size())) {
      try {
        descriptor.close();
      } catch (java.io.IOException cannotClose) {
        // Only this process's copy, in a process about to exit; the giver's stays open.
        log.debug("closing a received descriptor failed", cannotClose);
      }
    }
  }
}
