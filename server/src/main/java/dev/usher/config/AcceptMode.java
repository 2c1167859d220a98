package dev.usher.config;

/** How the main listener accepts connections. */
public enum AcceptMode {
  /** One listener; the boss loop accepts and hands each connection to a worker loop. */
  BOSS,
  /**
   * One {@code SO_REUSEPORT} listener per worker loop, each accepting and serving its own
   * connections: no hand-off between threads. Needs a native transport.
   */
  REUSEPORT
}
