package dev.usher.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * TLS on the main listener ({@code server.tls.*}); on when a certificate and a private key are both
 * named. The files are read and checked at start and at each reload, by {@code dev.usher.tls}: here
 * they are only paths.
 *
 * @param certificate the PEM certificate chain, leaf first ({@code server.tls.certificate})
 * @param privateKey the PEM private key: PKCS#8, PKCS#1 or SEC1 ({@code server.tls.private-key})
 * @param protocols the TLS versions offered, such as {@code TLSv1.3} ({@code server.tls.protocols})
 * @param trustCertificates the PEM certificates client certificates must chain to ({@code
 *     server.tls.trust-certificates}); present whenever client certificates are asked for
 * @param reloadInterval how often the files are read again to notice a new pair
 */
public record TlsConfig(
    Path certificate,
    Path privateKey,
    TlsProvider provider,
    List<String> protocols,
    Duration handshakeTimeout,
    ClientAuth clientAuth,
    Optional<Path> trustCertificates,
    Duration reloadInterval) {

  /** The TLS versions usher offers at most: older ones are broken (RFC 8996). */
  public static final List<String> SUPPORTED_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

  /** Where the TLS implementation comes from ({@code server.tls.provider}). */
  public enum TlsProvider {
    /** BoringSSL when it loads here, else the JDK's. */
    AUTO,
    /** BoringSSL, through netty-tcnative; usher does not start without it. */
    OPENSSL,
    /** The JDK's own TLS. */
    JDK
  }

  /** Whether clients are asked for a certificate ({@code server.tls.client-auth}). */
  public enum ClientAuth {
    NONE,
    OPTIONAL,
    REQUIRE
  }
}
