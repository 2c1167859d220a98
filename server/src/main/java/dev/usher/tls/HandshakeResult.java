package dev.usher.tls;

import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.Locale;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * How a TLS handshake ended: the {@code result} tag of {@code server_tls_handshakes_total}. A
 * failure's reason is read from the exception, whose words differ between BoringSSL and the JDK.
 */
public enum HandshakeResult {
  SUCCESS,
  /** Not finished within {@code server.tls.handshake-timeout}. */
  TIMEOUT,
  /** Not TLS, or a TLS version usher does not offer. */
  PROTOCOL,
  /** No cipher suite (or group, or signature scheme) both sides support. */
  NO_COMMON_CIPHER,
  /** A certificate refused: the client's, or the server's by the client. */
  CERTIFICATE,
  /** The client closed or reset the connection during the handshake. */
  CLOSED,
  OTHER;

  /** The value of the {@code result} tag. */
  public String tag() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The reason a handshake failed with {@code failure}. */
  public static HandshakeResult ofFailure(Throwable failure) {
    Throwable cause = failure;
    while (cause.getCause() != null
        && !(cause instanceof SSLException)
        && !(cause instanceof SslHandshakeTimeoutException)) {
      cause = cause.getCause();
    }
    if (cause instanceof SslHandshakeTimeoutException) {
      return TIMEOUT;
    }
    if (cause instanceof NotSslRecordException) {
      return PROTOCOL;
    }
    if (cause instanceof ClosedChannelException) {
      return CLOSED;
    }
    if (cause instanceof SSLPeerUnverifiedException) {
      return CERTIFICATE;
    }
    String message = String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT);
    if (message.contains("cipher")
        || message.contains("no_shared_group")
        || message.contains("no common")
        || message.contains("no_common")
        || message.contains("no suitable")) {
      return NO_COMMON_CIPHER;
    }
    if (message.contains("certificate") || message.contains("pkix") || message.contains("_ca")) {
      return CERTIFICATE;
    }
    if (message.contains("protocol")
        || message.contains("version")
        || message.contains("http_request")
        || message.contains("plaintext")
        || message.contains("not an ssl")) {
      return PROTOCOL;
    }
    if (message.contains("closed") || message.contains("reset") || message.contains("eof")) {
      return CLOSED;
    }
    return cause instanceof IOException && !(cause instanceof SSLException) ? CLOSED : OTHER;
  }
}
