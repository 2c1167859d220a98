package dev.usher.transport;

import java.util.Locale;

/** The Netty transports usher can run on, best first. */
public enum TransportKind {
  IO_URING,
  EPOLL,
  NIO;

  /** The name used in configuration, logs and the {@code server_info} meter. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
