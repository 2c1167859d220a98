package dev.usher.tls;

import dev.usher.config.TlsConfig.TlsProvider;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;

/** Resolves {@code server.tls.provider} to the TLS implementation usher will use, and why. */
final class TlsProviders {
  private TlsProviders() {}

  /** The provider chosen, with the sentence the start log gives for it. */
  record Choice(SslProvider provider, String reason) {}

  static Choice choose(TlsProvider configured) throws TlsFileException {
    return switch (configured) {
      case JDK -> new Choice(SslProvider.JDK, "server.tls.provider = jdk");
      case OPENSSL -> {
        if (!OpenSsl.isAvailable()) {
          throw new TlsFileException(
              "server.tls.provider",
              "openssl needs netty-tcnative's BoringSSL, which does not load here: "
                  + OpenSsl.unavailabilityCause()
                  + " (auto or jdk use the JDK's TLS)");
        }
        yield new Choice(
            SslProvider.OPENSSL, "server.tls.provider = openssl, " + OpenSsl.versionString());
      }
      case AUTO ->
          OpenSsl.isAvailable()
              ? new Choice(
                  SslProvider.OPENSSL,
                  "server.tls.provider = auto and BoringSSL loads ("
                      + OpenSsl.versionString()
                      + ")")
              : new Choice(
                  SslProvider.JDK,
                  "server.tls.provider = auto and BoringSSL (netty-tcnative) does not load here: "
                      + OpenSsl.unavailabilityCause());
    };
  }
}
