package dev.usher.tls;

/**
 * A TLS file usher cannot serve with: unreadable, not PEM, a key that does not match its
 * certificate, a certificate out of its validity. Names the configuration key whose file is at
 * fault and the problem, in words for an operator.
 */
public final class TlsFileException extends Exception {
  private static final long serialVersionUID = 1L;
  private final String key;

  TlsFileException(String key, String problem) {
    super(problem, null, false, false);
    this.key = key;
  }

  /** The configuration key that names the file, such as {@code server.tls.private-key}. */
  public String key() {
    return key;
  }
}
