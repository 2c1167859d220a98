package dev.usher.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The keys of the listener's front: {@code server.tls.*} and {@code server.proxy-protocol.*}. */
class ConfigFrontKeysTest {

  @Test
  void tlsIsOffUntilBothFilesAreNamedAndProxyProtocolIsOffByDefault() throws Exception {
    ServerConfig server = new ConfigLayers().load().config().server();

    assertTrue(server.tls().isEmpty());
    assertFalse(server.proxyProtocol().enabled());
    assertEquals(
        List.of(new Cidr("127.0.0.0", 8), new Cidr("::1", 128)),
        server.proxyProtocol().trustedSources());
    assertEquals(Duration.ofSeconds(5), server.proxyProtocol().timeout());
  }

  @Test
  void tlsWithItsDefaults() throws Exception {
    TlsConfig tls =
        new ConfigLayers()
            .environment("SERVER_TLS_CERTIFICATE", "/etc/usher/tls/tls.crt")
            .environment("SERVER_TLS_PRIVATE_KEY", "/etc/usher/tls/tls.key")
            .load()
            .config()
            .server()
            .tls()
            .orElseThrow();

    assertEquals(Path.of("/etc/usher/tls/tls.crt"), tls.certificate());
    assertEquals(Path.of("/etc/usher/tls/tls.key"), tls.privateKey());
    assertEquals(TlsConfig.TlsProvider.AUTO, tls.provider());
    assertEquals(List.of("TLSv1.3", "TLSv1.2"), tls.protocols());
    assertEquals(Duration.ofSeconds(10), tls.handshakeTimeout());
    assertEquals(TlsConfig.ClientAuth.NONE, tls.clientAuth());
    assertTrue(tls.trustCertificates().isEmpty());
    assertEquals(Duration.ofSeconds(10), tls.reloadInterval());
  }

  @Test
  void listsAreCommaSeparatedInVariablesAndProperties() throws Exception {
    ConfigLayers layers =
        new ConfigLayers()
            .property("server.tls.certificate", "c.pem")
            .property("server.tls.private-key", "k.pem")
            .property("server.tls.protocols", " TLSv1.3 ")
            .environment("SERVER_PROXY_PROTOCOL_MODE", "on")
            .environment("SERVER_PROXY_PROTOCOL_TRUSTED_SOURCES", "10.0.0.0/8, 192.0.2.7,fd00::/8");
    ServerConfig server = layers.load().config().server();

    assertEquals(List.of("TLSv1.3"), server.tls().orElseThrow().protocols());
    assertTrue(server.proxyProtocol().enabled());
    assertEquals(
        List.of(new Cidr("10.0.0.0", 8), new Cidr("192.0.2.7", 32), new Cidr("fd00::", 8)),
        server.proxyProtocol().trustedSources());
  }

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          server.tls.protocols          | TLSv1.1         | one or both of TLSv1.3, TLSv1.2
          server.tls.provider           | conscrypt       | one of auto, openssl, jdk
          server.tls.client-auth        | maybe           | one of none, optional, require
          server.tls.handshake-timeout  | 0s              | a duration from 1ms to 600s written like 500ms, 10s or 2m
          server.tls.reload-interval    | 10ms            | a duration from 1s to 86400s written like 500ms, 10s or 2m
          """)
  void rejectsABadTlsValue(String key, String value, String allowed) {
    String rejection =
        new ConfigLayers()
            .property("server.tls.certificate", "c.pem")
            .property("server.tls.private-key", "k.pem")
            .property(key, value)
            .rejection();

    assertEquals(
        "invalid configuration: "
            + key
            + " = "
            + value
            + " (from system property -D"
            + key
            + "): expected "
            + allowed,
        rejection);
  }

  @Test
  void aCertificateWithoutAKeyIsRejected() {
    assertEquals(
        "invalid configuration: server.tls.private-key =  (from built-in default): expected a PEM"
            + " file too: TLS needs both server.tls.certificate and server.tls.private-key",
        new ConfigLayers().property("server.tls.certificate", "c.pem").rejection());
  }

  @Test
  void clientCertificatesNeedTrustCertificates() {
    assertEquals(
        "invalid configuration: server.tls.trust-certificates =  (from built-in default): expected"
            + " a PEM file of the certificates client certificates must chain to, since"
            + " server.tls.client-auth is require",
        new ConfigLayers()
            .property("server.tls.certificate", "c.pem")
            .property("server.tls.private-key", "k.pem")
            .property("server.tls.client-auth", "require")
            .rejection());
  }

  @ParameterizedTest(name = "server.proxy-protocol.trusted-sources = {0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          10.0.0.0/33     | 10.0.0.0/33
          10.0.0.0/8,lb   | lb
          10.0.0.0/08     | 10.0.0.0/08
          ::1/129         | ::1/129
          """)
  void rejectsATrustedSourceThatIsNotCidr(String value, String culprit) {
    assertEquals(
        "invalid configuration: server.proxy-protocol.trusted-sources = "
            + value
            + " (from system property -Dserver.proxy-protocol.trusted-sources): expected networks"
            + " in CIDR notation such as 10.0.0.0/8, ::1/128 or 192.0.2.7 ("
            + culprit
            + " is not one)",
        new ConfigLayers().property("server.proxy-protocol.trusted-sources", value).rejection());
  }

  @Test
  void proxyProtocolModeIsOnOrOff() {
    assertEquals(
        "invalid configuration: server.proxy-protocol.mode = v2 (from system property"
            + " -Dserver.proxy-protocol.mode): expected on or off",
        new ConfigLayers().property("server.proxy-protocol.mode", "v2").rejection());
  }
}
