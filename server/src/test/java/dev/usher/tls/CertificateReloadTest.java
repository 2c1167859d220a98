package dev.usher.tls;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.usher.testing.RawConnection;
import dev.usher.testing.RunningServer;
import dev.usher.testing.TestCertificates;
import dev.usher.testing.TestCertificates.Pair;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A certificate replaced on disk, by a rename over the file or by a Kubernetes Secret's symlink
 * swap, is served to new connections without a restart while open connections keep theirs; a bad
 * new pair is refused and counted, and the pair in use stays.
 */
class CertificateReloadTest {
  private static final Duration PATIENCE = Duration.ofSeconds(15);

  @TempDir static Path directory;
  private static TestCertificates certificates;
  private static Pair first;
  private static Pair second;
  private static Pair third;
  private static SSLContext client;

  @BeforeAll
  static void makeCertificates() throws Exception {
    certificates = TestCertificates.in(directory);
    first = certificates.server("first");
    second = certificates.server("second");
    third = certificates.server("third");
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    try (InputStream authority = Files.newInputStream(certificates.authority())) {
      trusted.setCertificateEntry(
          "ca", CertificateFactory.getInstance("X.509").generateCertificate(authority));
    }
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(trusted);
    client = SSLContext.getInstance("TLS");
    client.init(null, trust.getTrustManagers(), null);
  }

  @Test
  void aFileRenamedOverTheOldOneIsServedToNewConnectionsAndOpenOnesKeepTheirs() throws Exception {
    Path live = Files.createDirectories(directory.resolve("renamed"));
    install(first, live.resolve("tls.crt"), live.resolve("tls.key"));

    try (RunningServer usher = start(live.resolve("tls.crt"), live.resolve("tls.key"));
        Served before = Served.connect(usher.port())) {
      assertEquals("CN=first", before.subject());

      install(second, live.resolve("tls.crt"), live.resolve("tls.key"));
      await().atMost(PATIENCE).until(() -> reloads(usher, "success") == 1);

      try (Served after = Served.connect(usher.port())) {
        assertEquals("CN=second", after.subject());
      }
      assertEquals(200, before.get().status(), "the open connection keeps working");
      assertEquals("CN=first", before.subject(), "and keeps its certificate");
    }
  }

  @Test
  void aSecretsSymlinkSwapIsNoticedAndABadNewPairIsRefusedKeepingTheOneInUse() throws Exception {
    // How the kubelet lays out a mounted Secret: tls.crt -> ..data/tls.crt, ..data -> ..<stamp>.
    Path mount = Files.createDirectories(directory.resolve("secret"));
    swapSecret(mount, "..2026_12_01", first.certificate(), first.privateKey());
    Files.createSymbolicLink(mount.resolve("tls.crt"), Path.of("..data/tls.crt"));
    Files.createSymbolicLink(mount.resolve("tls.key"), Path.of("..data/tls.key"));

    try (RunningServer usher = start(mount.resolve("tls.crt"), mount.resolve("tls.key"))) {
      swapSecret(mount, "..2026_12_02", second.certificate(), second.privateKey());
      await().atMost(PATIENCE).until(() -> reloads(usher, "success") == 1);
      try (Served after = Served.connect(usher.port())) {
        assertEquals("CN=second", after.subject());
      }
      double expiry = expiry(usher);

      // The third certificate with the second's key: refused, the second stays in use.
      swapSecret(mount, "..2026_12_03", third.certificate(), second.privateKey());
      await().atMost(PATIENCE).until(() -> reloads(usher, "failure") == 1);
      try (Served still = Served.connect(usher.port())) {
        assertEquals("CN=second", still.subject());
      }
      assertEquals(1, reloads(usher, "success"));
      assertEquals(expiry, expiry(usher));
    }
  }

  private static RunningServer start(Path certificate, Path key) throws Exception {
    return RunningServer.start(
        Map.of(
            "server.tls.certificate", certificate.toString(),
            "server.tls.private-key", key.toString(),
            "server.tls.reload-interval", "1s"));
  }

  // Each file is written beside its target and renamed over it, as a deploy tool would.
  private static void install(Pair pair, Path certificate, Path key) throws Exception {
    for (Path[] copy : new Path[][] {{pair.certificate(), certificate}, {pair.privateKey(), key}}) {
      Path next = copy[1].resolveSibling(copy[1].getFileName() + ".next");
      Files.copy(copy[0], next, StandardCopyOption.REPLACE_EXISTING);
      Files.move(next, copy[1], StandardCopyOption.ATOMIC_MOVE);
    }
  }

  private static void swapSecret(Path mount, String stamp, Path certificate, Path key)
      throws Exception {
    Path version = Files.createDirectories(mount.resolve(stamp));
    Files.copy(certificate, version.resolve("tls.crt"));
    Files.copy(key, version.resolve("tls.key"));
    Path link = mount.resolve("..data_tmp");
    Files.createSymbolicLink(link, Path.of(stamp));
    Files.move(link, mount.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
  }

  private static double reloads(RunningServer usher, String result) throws Exception {
    return usher
        .scrape()
        .require(
            "server_tls_certificate_reloads_total",
            "listener=\"main\"",
            "result=\"" + result + "\"");
  }

  private static double expiry(RunningServer usher) throws Exception {
    return usher.scrape().require("server_tls_certificate_expiry_timestamp_seconds");
  }

  /** A TLS connection to usher that has done its handshake. */
  private record Served(SSLSocket socket, RawConnection connection) implements AutoCloseable {
    static Served connect(int port) throws Exception {
      SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket("localhost", port);
      socket.startHandshake();
      return new Served(socket, RawConnection.over(socket));
    }

    String subject() throws Exception {
      return ((X509Certificate) socket.getSession().getPeerCertificates()[0])
          .getSubjectX500Principal()
          .getName();
    }

    dev.usher.testing.WireResponse get() throws Exception {
      return connection.send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse();
    }

    @Override
    public void close() throws java.io.IOException {
      connection.close();
    }
  }
}
