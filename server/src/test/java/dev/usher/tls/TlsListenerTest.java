package dev.usher.tls;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.usher.testing.ExternalTools.Result;
import dev.usher.testing.RawConnection;
import dev.usher.testing.RunningServer;
import dev.usher.testing.TestCertificates;
import dev.usher.testing.TestCertificates.Pair;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TLS on a real listener, with the clients operators use (curl, openssl s_client), under both
 * providers: what each client negotiates, and how each kind of handshake is counted.
 */
class TlsListenerTest {
  private static final Duration PATIENCE = Duration.ofSeconds(10);

  @TempDir static Path directory;
  private static TestCertificates certificates;
  private static Pair server;
  private static Pair client;

  @BeforeAll
  static void makeCertificates() throws Exception {
    certificates = TestCertificates.in(directory);
    server = certificates.server("server");
    client = certificates.client("client");
  }

  private static RunningServer start(String provider, String... settings) throws Exception {
    Map<String, String> overrides = new HashMap<>();
    overrides.put("server.tls.certificate", server.certificate().toString());
    overrides.put("server.tls.private-key", server.privateKey().toString());
    overrides.put("server.tls.provider", provider);
    for (int i = 0; i < settings.length; i += 2) {
      overrides.put(settings[i], settings[i + 1]);
    }
    return RunningServer.start(overrides);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"openssl", "jdk"})
  void curlGetsAnAnswerOverTls13AndTls12AndEachHandshakeIsCountedAndTimed(String provider)
      throws Exception {
    try (RunningServer usher = start(provider)) {
      Result tls13 =
          TlsClients.curl(usher.port(), certificates.authority(), "/", "--tlsv1.3")
              .assertSucceeded();
      Result tls12 =
          TlsClients.curl(
                  usher.port(),
                  certificates.authority(),
                  "/",
                  "--tlsv1.2",
                  "--tls-max",
                  "1.2",
                  "--http1.1")
              .assertSucceeded();

      assertTrue(tls13.output().endsWith("\n200 2"), "h2 by ALPN: " + tls13.output());
      assertTrue(tls12.output().endsWith("\n200 1.1"), tls12.output());
      await().atMost(PATIENCE).until(() -> handshakes(usher, "success") == 2);
      assertEquals(
          2,
          usher
              .scrape()
              .require("server_tls_handshake_duration_seconds_count", "listener=\"main\""));
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"openssl", "jdk"})
  void alpnSettlesOnWhatBothSpeakAndTheVersionsOfferedAreTheConfiguredOnes(String provider)
      throws Exception {
    try (RunningServer usher = start(provider, "server.tls.protocols", "TLSv1.3")) {
      Result h2First =
          TlsClients.sClient(usher.port(), certificates.authority(), "-alpn", "h2,http/1.1");
      Result tls12 = TlsClients.sClient(usher.port(), certificates.authority(), "-tls1_2");

      Result http11Only =
          TlsClients.sClient(usher.port(), certificates.authority(), "-alpn", "http/1.1");
      assertTrue(h2First.output().contains("ALPN protocol: h2"), h2First.output());
      assertTrue(http11Only.output().contains("ALPN protocol: http/1.1"), http11Only.output());
      assertTrue(h2First.output().contains("Verify return code: 0 (ok)"), h2First.output());
      assertTrue(h2First.output().contains("TLSv1.3"), h2First.output());
      assertTrue(tls12.output().contains("Cipher is (NONE)"), tls12.output());
      await().atMost(PATIENCE).until(() -> handshakes(usher, "protocol") == 1);
      assertEquals(2, handshakes(usher, "success"));
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"openssl", "jdk"})
  void plainHttpOnTheTlsPortIsAProtocolFailure(String provider) throws Exception {
    try (RunningServer usher = start(provider);
        RawConnection plain = RawConnection.open(usher.address())) {
      plain.send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");

      plain.awaitClosedByServer(PATIENCE);
      await().atMost(PATIENCE).until(() -> handshakes(usher, "protocol") == 1);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"openssl", "jdk"})
  void noCipherInCommonIsCountedAsSuch(String provider) throws Exception {
    try (RunningServer usher = start(provider)) {
      // An EC certificate cannot serve a suite that authenticates with RSA.
      Result refused =
          TlsClients.sClient(
              usher.port(),
              certificates.authority(),
              "-tls1_2",
              "-cipher",
              "ECDHE-RSA-AES128-GCM-SHA256");

      assertTrue(refused.output().contains("Cipher is (NONE)"), refused.output());
      await().atMost(PATIENCE).until(() -> handshakes(usher, "no_common_cipher") == 1);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"openssl", "jdk"})
  void aRequiredClientCertificateIsCheckedAndItsAbsenceCounted(String provider) throws Exception {
    try (RunningServer usher =
        start(
            provider,
            "server.tls.client-auth",
            "require",
            "server.tls.trust-certificates",
            certificates.authority().toString())) {
      Result withCertificate =
          TlsClients.curl(
              usher.port(),
              certificates.authority(),
              "/",
              "--cert",
              client.certificate().toString(),
              "--key",
              client.privateKey().toString());
      Result without = TlsClients.curl(usher.port(), certificates.authority(), "/");

      assertTrue(withCertificate.output().endsWith("\n200 2"), withCertificate.output());
      assertTrue(!without.output().endsWith("\n200 2"), without.output());
      await().atMost(PATIENCE).until(() -> handshakes(usher, "certificate") == 1);
      assertEquals(1, handshakes(usher, "success"));
    }
  }

  @Test
  void boringSslCountsAResumedSession() throws Exception {
    Path session = directory.resolve("session.pem");
    try (RunningServer usher = start("openssl")) {
      TlsClients.sClient(
              usher.port(), certificates.authority(), "-tls1_2", "-sess_out", session.toString())
          .assertSucceeded();
      Result resumed =
          TlsClients.sClient(
                  usher.port(), certificates.authority(), "-tls1_2", "-sess_in", session.toString())
              .assertSucceeded();

      assertTrue(resumed.output().contains("Reused, TLSv1.2"), resumed.output());
      await()
          .atMost(PATIENCE)
          .until(
              () ->
                  usher.scrape().require("server_tls_sessions_resumed_total", "listener=\"main\"")
                      == 1);
      assertEquals(2, handshakes(usher, "success"));
    }
  }

  @Test
  void theJdkProviderHasNoResumptionMeterButTheExpiryOfTheCertificateInUse() throws Exception {
    try (RunningServer usher = start("jdk")) {
      var scrape = usher.scrape();

      assertTrue(scrape.value("server_tls_sessions_resumed_total").isEmpty());
      double expiry =
          scrape.require("server_tls_certificate_expiry_timestamp_seconds", "listener=\"main\"");
      double thirtyDaysAway = System.currentTimeMillis() / 1000.0 + 30 * 86_400;
      assertTrue(Math.abs(expiry - thirtyDaysAway) < 86_400, "expiry " + expiry);
    }
  }

  private static double handshakes(RunningServer usher, String result) throws Exception {
    return usher
        .scrape()
        .require("server_tls_handshakes_total", "listener=\"main\"", "result=\"" + result + "\"");
  }
}
