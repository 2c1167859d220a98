package dev.usher.transport;

import dev.usher.config.TransportPreference;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the transport: the one configured, or with {@code auto} the best available (io_uring,
 * then epoll, then NIO), logging why each better one was passed over.
 */
public final class TransportSelector {
  private static final Logger log = LoggerFactory.getLogger(TransportSelector.class);
  private static final String ACCEPT_MULTISHOT_PROPERTY = "io.netty.iouring.acceptMultiShotEnabled";

  private TransportSelector() {}

  public static Transport select(TransportPreference preference)
      throws UnavailableTransportException {
    keepAcceptBackpressureInTheKernel();
    return switch (preference) {
      case IO_URING -> require("io_uring", ioUringUnavailable(), Transport::ioUring);
      case EPOLL -> require("epoll", epollUnavailable(), Transport::epoll);
      case NIO -> Transport.nio();
      case AUTO -> best();
    };
  }

  /**
   * Chooses the transport of a usher that may adopt listening sockets it did not open (handed over
   * by another usher, or passed by systemd): the one {@link #select} would choose, except that
   * io_uring gives way to epoll, whose server channel adopts a descriptor ({@code
   * EpollServerSocketChannel(int fd)}); io_uring's cannot.
   *
   * @param why what makes this usher adopt sockets, for the log and the error: {@code
   *     lifecycle.handover-path is set}, say
   */
  public static Transport selectForAdoption(TransportPreference preference, String why)
      throws UnavailableTransportException {
    Transport chosen = select(preference);
    if (chosen.kind() != TransportKind.IO_URING) {
      return chosen;
    }
    Optional<String> epoll = epollUnavailable();
    if (epoll.isPresent()) {
      throw new UnavailableTransportException(
          why + ", which needs the epoll transport, not available on this host: " + epoll.get());
    }
    log.info(
        "transport: epoll in place of io_uring: {}, and io_uring's server channel cannot adopt a"
            + " listening socket it did not open",
        why);
    return Transport.epoll();
  }

  /**
   * Turns off io_uring's multishot accept (unless the user set it): a multishot accept keeps
   * accepting in the kernel whether or not the boss loop reads, which hides the backlog inside the
   * completion ring where TCP_INFO cannot see it, and ignores a paused accept: measured here with
   * the fd limit reached, it spun through 1.1 million failed accepts in 3 s where epoll, or
   * io_uring with single-shot accepts, failed 3 times (once per pause). Netty reads the property
   * when its IoUring class loads, so this runs before anything touches it.
   */
  private static void keepAcceptBackpressureInTheKernel() {
    if (System.getProperty(ACCEPT_MULTISHOT_PROPERTY) == null) {
      System.setProperty(ACCEPT_MULTISHOT_PROPERTY, "false");
    }
  }

  private static Transport best() {
    List<String> passedOver = new ArrayList<>();
    Optional<String> ioUring = ioUringUnavailable();
    if (ioUring.isEmpty()) {
      return chosen(Transport.ioUring(), passedOver);
    }
    passedOver.add("io_uring (" + ioUring.get() + ")");
    Optional<String> epoll = epollUnavailable();
    if (epoll.isEmpty()) {
      return chosen(Transport.epoll(), passedOver);
    }
    passedOver.add("epoll (" + epoll.get() + ")");
    return chosen(Transport.nio(), passedOver);
  }

  private static Transport chosen(Transport transport, List<String> passedOver) {
    if (passedOver.isEmpty()) {
      log.info(
          "transport: {} (server.transport=auto, the best available)", transport.kind().label());
    } else {
      log.info(
          "transport: {} (server.transport=auto); not available: {}",
          transport.kind().label(),
          String.join("; ", passedOver));
    }
    return transport;
  }

  private static Transport require(
      String name, Optional<String> unavailable, java.util.function.Supplier<Transport> transport)
      throws UnavailableTransportException {
    if (unavailable.isPresent()) {
      throw new UnavailableTransportException(
          "server.transport = "
              + name
              + " is not available on this host: "
              + unavailable.get()
              + " (use auto to fall back to the best available)");
    }
    log.info("transport: {} (configured)", name);
    return transport.get();
  }

  private static Optional<String> ioUringUnavailable() {
    return IoUring.isAvailable()
        ? Optional.empty()
        : Optional.of(reason(IoUring.unavailabilityCause()));
  }

  private static Optional<String> epollUnavailable() {
    return Epoll.isAvailable()
        ? Optional.empty()
        : Optional.of(reason(Epoll.unavailabilityCause()));
  }

  private static String reason(Throwable cause) {
    if (cause == null) {
      return "unknown reason";
    }
    Throwable root = cause;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName() + ": " + root.getMessage();
  }
}
