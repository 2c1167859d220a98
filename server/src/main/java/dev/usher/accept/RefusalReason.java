package dev.usher.accept;

import java.util.Locale;

/** Why usher itself turned a connection away (the kernel's own drops are counted apart). */
public enum RefusalReason {
  /** {@code server.max-connections} connections were already open. */
  MAX_CONNECTIONS,
  /** The server was draining for shutdown. */
  DRAINING,
  /** {@code accept()} itself failed, for example with EMFILE (out of file descriptors). */
  ACCEPT_ERROR;

  /** The value of the {@code reason} tag. */
  public String tag() {
    return name().toLowerCase(Locale.ROOT);
  }
}
