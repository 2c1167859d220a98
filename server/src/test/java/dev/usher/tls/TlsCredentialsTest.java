package dev.usher.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.usher.config.TlsConfig;
import dev.usher.testing.TestCertificates;
import dev.usher.testing.TestCertificates.Pair;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The certificate and key files usher accepts, in every PEM format openssl and cert-manager write,
 * and the one-line problem it names for each file it cannot serve with.
 */
class TlsCredentialsTest {
  @TempDir static Path directory;
  private static TestCertificates certificates;
  private static Pair ec;
  private static Pair rsa;
  private static Pair other;

  @BeforeAll
  static void makeCertificates() throws Exception {
    certificates = TestCertificates.in(directory);
    ec = certificates.server("ec");
    rsa = certificates.rsaServer("rsa");
    other = certificates.server("other");
  }

  @Test
  void readsEcKeysAsPkcs8AndSec1WithOrWithoutParameters() throws Exception {
    for (Path key :
        List.of(
            ec.privateKey(),
            certificates.traditional(ec, "ec"),
            certificates.sec1WithParameters(ec))) {
      TlsCredentials credentials = load(ec.certificate(), key, Instant.now());

      assertEquals("EC", credentials.key().getAlgorithm(), key.toString());
      assertEquals("CN=ec", credentials.chain().getFirst().getSubjectX500Principal().getName());
    }
  }

  @Test
  void readsRsaKeysAsPkcs8AndPkcs1() throws Exception {
    for (Path key : List.of(rsa.privateKey(), certificates.traditional(rsa, "rsa"))) {
      assertEquals("RSA", load(rsa.certificate(), key, Instant.now()).key().getAlgorithm());
    }
  }

  @Test
  void readsTheWholeChainLeafFirst() throws Exception {
    Path chain = directory.resolve("chain.pem");
    Files.writeString(
        chain, Files.readString(ec.certificate()) + Files.readString(certificates.authority()));

    TlsCredentials credentials = load(chain, ec.privateKey(), Instant.now());

    assertEquals(2, credentials.chain().size());
    assertEquals("CN=ec", credentials.chain().getFirst().getSubjectX500Principal().getName());
  }

  @Test
  void aKeyOfAnotherCertificateIsRefusedNamingTheKeyFile() throws Exception {
    TlsFileException refused =
        assertThrows(
            TlsFileException.class,
            () -> load(ec.certificate(), other.privateKey(), Instant.now()));

    assertEquals("server.tls.private-key", refused.key());
    assertEquals(
        "the key does not belong to the certificate in server.tls.certificate (CN=ec)",
        refused.getMessage());
  }

  @Test
  void anRsaKeyForAnEcCertificateIsRefused() {
    TlsFileException refused =
        assertThrows(
            TlsFileException.class, () -> load(ec.certificate(), rsa.privateKey(), Instant.now()));

    assertEquals("server.tls.private-key", refused.key());
  }

  @Test
  void anExpiredCertificateIsRefusedNamingWhenItExpired() throws Exception {
    Instant later = Instant.now().plus(Duration.ofDays(60));
    TlsFileException refused =
        assertThrows(TlsFileException.class, () -> load(ec.certificate(), ec.privateKey(), later));

    assertEquals("server.tls.certificate", refused.key());
    assertTrue(
        refused.getMessage().startsWith("the certificate (CN=ec) expired at "),
        refused.getMessage());
  }

  @Test
  void anEncryptedKeyIsRefusedSayingHowToDecryptIt() throws Exception {
    Path encrypted = certificates.encrypted(ec);
    TlsFileException refused =
        assertThrows(
            TlsFileException.class, () -> load(ec.certificate(), encrypted, Instant.now()));

    assertEquals(
        "the key is encrypted; usher reads unencrypted keys (openssl pkey -in KEY -out PLAIN"
            + " writes one)",
        refused.getMessage());
  }

  @Test
  void filesThatAreMissingOrNotPemAreNamed() throws Exception {
    Path missing = directory.resolve("missing.pem");
    TlsFileException noFile =
        assertThrows(TlsFileException.class, () -> load(missing, ec.privateKey(), Instant.now()));
    assertEquals("server.tls.certificate", noFile.key());
    assertEquals("no such file: " + missing, noFile.getMessage());

    TlsFileException keyAsCertificate =
        assertThrows(
            TlsFileException.class, () -> load(ec.privateKey(), ec.privateKey(), Instant.now()));
    assertEquals("server.tls.certificate", keyAsCertificate.key());

    TlsFileException certificateAsKey =
        assertThrows(
            TlsFileException.class, () -> load(ec.certificate(), ec.certificate(), Instant.now()));
    assertEquals("server.tls.private-key", certificateAsKey.key());
    assertEquals(
        "no PEM private key in it (expected PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)",
        certificateAsKey.getMessage());
  }

  private static TlsCredentials load(Path certificate, Path key, Instant now)
      throws TlsFileException {
    return TlsCredentials.load(config(certificate, key), now);
  }

  static TlsConfig config(Path certificate, Path key) {
    return new TlsConfig(
        certificate,
        key,
        TlsConfig.TlsProvider.AUTO,
        TlsConfig.SUPPORTED_PROTOCOLS,
        Duration.ofSeconds(10),
        TlsConfig.ClientAuth.NONE,
        Optional.empty(),
        Duration.ofSeconds(10));
  }
}
