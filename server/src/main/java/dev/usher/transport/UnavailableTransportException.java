package dev.usher.transport;

/** The configured transport cannot run on this host; the message says why. */
public final class UnavailableTransportException extends Exception {
  private static final long serialVersionUID = 1L;

  UnavailableTransportException(String message) {
    super(message, null, false, false);
  }
}
