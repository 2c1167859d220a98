package dev.usher.lifecycle;

/**
 * usher could not start. The message is the one line an operator needs (which listener, which
 * address, what went wrong and what to do); the cause keeps the details for debug logging.
 */
public final class StartupException extends Exception {
  private static final long serialVersionUID = 1L;
  private final boolean badConfiguration;

  StartupException(String message, Throwable cause) {
    this(message, cause, false);
  }

  private StartupException(String message, Throwable cause, boolean badConfiguration) {
    super(message, cause);
    this.badConfiguration = badConfiguration;
  }

  /** A configured file usher cannot use (a TLS certificate, say): the configuration's fault. */
  static StartupException badConfiguration(String message, Throwable cause) {
    return new StartupException(message, cause, true);
  }

  /** Whether the configuration is at fault (exit status 2) rather than the host (1). */
  public boolean badConfiguration() {
    return badConfiguration;
  }
}
