package dev.usher.lifecycle;

/**
 * usher could not start. The message is the one line an operator needs (which listener, which
 * address, what went wrong and what to do); the cause keeps the details for debug logging.
 */
public final class StartupException extends Exception {
  private static final long serialVersionUID = 1L;

  StartupException(String message, Throwable cause) {
    super(message, cause);
  }
}
