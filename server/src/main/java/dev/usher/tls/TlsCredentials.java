package dev.usher.tls;

import dev.usher.config.TlsConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * A certificate chain and its private key, read from the configured files and checked: the key
 * matches the leaf certificate and the leaf is valid now. {@link #digest} identifies the files'
 * content, so that a reload can tell a new pair from the same one read again.
 */
public final class TlsCredentials {
  private static final String CERTIFICATE = "server.tls.certificate";
  private static final String PRIVATE_KEY = "server.tls.private-key";
  private static final String TRUST = "server.tls.trust-certificates";

  private final List<X509Certificate> chain;
  private final PrivateKey key;
  private final byte[] digest;

  private TlsCredentials(List<X509Certificate> chain, PrivateKey key, byte[] digest) {
    this.chain = chain;
    this.key = key;
    this.digest = digest;
  }

  /** What the configured files hold now: their bytes, before any check. */
  record PemFiles(byte[] certificate, byte[] privateKey) {
    static PemFiles read(TlsConfig config) throws TlsFileException {
      return new PemFiles(
          readFile(CERTIFICATE, config.certificate()), readFile(PRIVATE_KEY, config.privateKey()));
    }

    /** A digest of both files' content (a symlink swap changes it; a touch does not). */
    byte[] digest() {
      try {
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        sha256.update(certificate);
        sha256.update((byte) 0);
        sha256.update(privateKey);
        return sha256.digest();
      } catch (GeneralSecurityException noSha256) {
        throw new IllegalStateException("the JDK has no SHA-256", noSha256);
      }
    }
  }

  /** Reads and checks the configured pair, as of {@code now}. */
  public static TlsCredentials load(TlsConfig config, Instant now) throws TlsFileException {
    return check(PemFiles.read(config), now);
  }

  static TlsCredentials check(PemFiles files, Instant now) throws TlsFileException {
    List<X509Certificate> chain = certificates(CERTIFICATE, files.certificate());
    PrivateKey key;
    try {
      key = PemPrivateKeys.parse(new String(files.privateKey(), StandardCharsets.US_ASCII));
    } catch (GeneralSecurityException unreadable) {
      throw new TlsFileException(PRIVATE_KEY, unreadable.getMessage());
    }
    X509Certificate leaf = chain.getFirst();
    if (!matches(key, leaf.getPublicKey())) {
      throw new TlsFileException(
          PRIVATE_KEY,
          "the key does not belong to the certificate in "
              + CERTIFICATE
              + " ("
              + leaf.getSubjectX500Principal().getName()
              + ")");
    }
    if (now.isAfter(leaf.getNotAfter().toInstant())) {
      throw new TlsFileException(
          CERTIFICATE,
          "the certificate ("
              + leaf.getSubjectX500Principal().getName()
              + ") expired at "
              + leaf.getNotAfter().toInstant());
    }
    if (now.isBefore(leaf.getNotBefore().toInstant())) {
      throw new TlsFileException(
          CERTIFICATE,
          "the certificate ("
              + leaf.getSubjectX500Principal().getName()
              + ") is not valid before "
              + leaf.getNotBefore().toInstant());
    }
    return new TlsCredentials(chain, key, files.digest());
  }

  /** The certificates client certificates must chain to ({@code server.tls.trust-certificates}). */
  static List<X509Certificate> trustCertificates(Path file) throws TlsFileException {
    return certificates(TRUST, readFile(TRUST, file));
  }

  private static List<X509Certificate> certificates(String key, byte[] pem)
      throws TlsFileException {
    try {
      List<X509Certificate> certificates =
          CertificateFactory.getInstance("X.509")
              .generateCertificates(new ByteArrayInputStream(pem))
              .stream()
              .map(X509Certificate.class::cast)
              .toList();
      if (certificates.isEmpty()) {
        throw new TlsFileException(key, "no PEM certificate in it");
      }
      return certificates;
    } catch (CertificateException unreadable) {
      throw new TlsFileException(key, "not a PEM certificate chain: " + unreadable.getMessage());
    }
  }

  private static boolean matches(PrivateKey key, PublicKey certified) {
    String algorithm =
        switch (key.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          default -> null;
        };
    if (algorithm == null || !algorithm.endsWith(certifiedAlgorithm(certified))) {
      return false;
    }
    try {
      byte[] challenge = new byte[32];
      new SecureRandom().nextBytes(challenge);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certified);
      verifier.update(challenge);
      return verifier.verify(signature);
    } catch (GeneralSecurityException mismatched) {
      return false;
    }
  }

  private static String certifiedAlgorithm(PublicKey certified) {
    return switch (certified.getAlgorithm()) {
      case "RSA" -> "RSA";
      case "EC" -> "ECDSA";
      default -> "?";
    };
  }

  private static byte[] readFile(String key, Path file) throws TlsFileException {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException missing) {
      throw new TlsFileException(key, "no such file: " + file);
    } catch (IOException unreadable) {
      throw new TlsFileException(key, "cannot read " + file + ": " + unreadable);
    }
  }

  List<X509Certificate> chain() {
    return chain;
  }

  PrivateKey key() {
    return key;
  }

  /** When the leaf certificate expires. */
  public Instant notAfter() {
    return chain.getFirst().getNotAfter().toInstant();
  }

  /** Whether {@code files} hold exactly the content these credentials were read from. */
  boolean readFrom(PemFiles files) {
    return Arrays.equals(digest, files.digest());
  }

  X509Certificate[] chainArray() {
    return chain.toArray(new X509Certificate[0]);
  }
}
