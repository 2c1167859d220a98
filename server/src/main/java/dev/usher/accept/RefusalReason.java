package dev.usher.accept;

import java.util.Locale;

/** Why usher itself turned a connection away (the kernel's own drops are counted apart). */
public enum RefusalReason {
  /** {@code server.max-connections} connections were already open. */
  MAX_CONNECTIONS,
  /** The server was draining for shutdown. */
  DRAINING,
  /** {@code accept()} itself failed, for example with EMFILE (out of file descriptors). */
  ACCEPT_ERROR,
  /**
   * A trusted source did not open with a valid PROXY protocol header in time (admitted first, so
   * also counted as accepted).
   */
  PROXY_PROTOCOL_ERROR,
  /**
   * A PROXY protocol header came from a source not in {@code server.proxy-protocol.trusted-sources}
   * (admitted first, so also counted as accepted).
   */
  PROXY_UNTRUSTED,
  /**
   * It waited longer than {@code server.overload.accept-queue-timeout} in the kernel's accept queue
   * (admitted first, so also counted as accepted).
   */
  QUEUE_TIMEOUT,
  /**
   * Its worker loop was shedding ({@code server.overload.max-event-loop-lag}) and it had waited
   * longer than that (admitted first, so also counted as accepted).
   */
  OVERLOADED;

  /** The value of the {@code reason} tag. */
  public String tag() {
    return name().toLowerCase(Locale.ROOT);
  }
}
