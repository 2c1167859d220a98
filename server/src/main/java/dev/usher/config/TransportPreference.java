package dev.usher.config;

/** Which Netty transport to use; {@code AUTO} picks the best one available on this host. */
public enum TransportPreference {
  AUTO,
  IO_URING,
  EPOLL,
  NIO
}
