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
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listening sockets this process did not open (handed over by another usher, or passed by systemd's
 * socket activation), checked against this process's configuration and wrapped in epoll server
 * channels, not yet registered: nothing accepts on them until the checks have passed for all of
 * them. A mismatch is one line naming the key (exit 2).
 */
final class AdoptedListeners {
  private static final Logger log = LoggerFactory.getLogger(AdoptedListeners.class);

  /** Who passed the sockets: named in the line that explains a mismatch, with what to do. */
  interface Origin {
    /** "the usher handing over at ... (pid 12)", "systemd's socket activation (LISTEN_FDS = 2)". */
    String where();

    /** What to do when the socket behind {@code key} is bound elsewhere than configured. */
    String keepsAddress(String key, String socketValue);

    /** What to do when the sockets do not fit {@code server.accept-mode}. */
    String keepsAcceptMode();

    /** Whether a descriptor that is no listening TCP socket is the configuration's fault. */
    boolean socketsAreConfiguration();
  }

  final EpollServerSocketChannel admin;
  final List<EpollServerSocketChannel> main;

  private AdoptedListeners(EpollServerSocketChannel admin, List<EpollServerSocketChannel> main) {
    this.admin = admin;
    this.main = List.copyOf(main);
  }

  /**
   * Wraps and checks the sockets {@code origin} passed, named {@code names} ({@code admin}, then
   * this process's main socket names in order). On failure every descriptor is closed (this
   * process's copies only).
   */
  static AdoptedListeners check(
      Origin origin,
      List<String> names,
      List<FileDescriptor> descriptors,
      UsherConfig config,
      List<String> mainNames)
      throws StartupException {
    List<EpollServerSocketChannel> channels = new ArrayList<>();
    try {
      String where = origin.where();
      List<String> expected = new ArrayList<>();
      expected.add(HandoverProtocol.ADMIN_SOCKET);
      expected.addAll(mainNames);
      if (!names.equals(expected)) {
        throw StartupException.badConfiguration(
            "invalid configuration: server.accept-mode = "
                + acceptMode(config)
                + " with "
                + mainNames.size()
                + " main socket(s): "
                + where
                + " has the sockets "
                + names
                + "; "
                + origin.keepsAcceptMode(),
            null);
      }
      for (int index = 0; index < descriptors.size(); index++) {
        int fd = descriptors.get(index).intValue();
        if (!SocketDescriptors.isListeningTcpSocket(fd)) {
          String message =
              "descriptor "
                  + fd
                  + " ("
                  + names.get(index)
                  + ") from "
                  + where
                  + " is not a listening TCP socket";
          throw origin.socketsAreConfiguration()
              ? StartupException.badConfiguration("invalid configuration: " + message, null)
              : new StartupException("hand-over: " + message, null);
        }
        // Shared with the giver, so non-blocking already; one from systemd is blocking unless its
        // unit says NonBlocking=yes.
        SocketDescriptors.setNonBlocking(fd);
        channels.add(new EpollServerSocketChannel(fd));
      }
      EpollServerSocketChannel admin = channels.getFirst();
      List<EpollServerSocketChannel> main = channels.subList(1, channels.size());
      matches(
          admin, "admin.host", config.admin().host(), "admin.port", config.admin().port(), origin);
      for (EpollServerSocketChannel socket : main) {
        matches(
            socket,
            "server.host",
            config.server().host(),
            "server.port",
            config.server().port(),
            origin);
        boolean reusePort = socket.config().getOption(UnixChannelOption.SO_REUSEPORT);
        if (reusePort != (config.server().acceptMode() == AcceptMode.REUSEPORT)) {
          throw StartupException.badConfiguration(
              "invalid configuration: server.accept-mode = "
                  + acceptMode(config)
                  + ": "
                  + where
                  + " listens "
                  + (reusePort ? "with" : "without")
                  + " SO_REUSEPORT; "
                  + origin.keepsAcceptMode(),
              null);
        }
      }
      return new AdoptedListeners(admin, main);
    } catch (StartupException | RuntimeException failure) {
      closeAll(descriptors, channels);
      throw failure;
    }
  }

  private static void matches(
      EpollServerSocketChannel socket,
      String hostKey,
      String host,
      String portKey,
      int port,
      Origin origin)
      throws StartupException {
    String where = origin.where();
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
              + "; "
              + origin.keepsAddress(portKey, local.getPort() + " (or 0)"),
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
              + "; "
              + origin.keepsAddress(hostKey, "match"),
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
      List<FileDescriptor> descriptors, List<EpollServerSocketChannel> channels) {
    for (EpollServerSocketChannel channel : channels) {
      channel.unsafe().closeForcibly();
    }
    for (FileDescriptor descriptor : descriptors.subList(channels.size(), descriptors.size())) {
      try {
        descriptor.close();
      } catch (java.io.IOException cannotClose) {
        // Only this process's copy, in a process about to exit; the giver's (or systemd's) stays.
        log.debug("closing a received descriptor failed", cannotClose);
      }
    }
  }
}
