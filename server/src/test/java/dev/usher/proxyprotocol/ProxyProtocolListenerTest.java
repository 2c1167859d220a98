package dev.usher.proxyprotocol;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.usher.http.HttpResponses;
import dev.usher.testing.ExternalTools;
import dev.usher.testing.RawConnection;
import dev.usher.testing.RunningServer;
import dev.usher.testing.TestCertificates;
import dev.usher.testing.WireResponse;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PROXY protocol on a real listener: headers written by a test, by curl and by a real HAProxy
 * ({@code send-proxy-v2}) reach the application as the client's address; an untrusted source cannot
 * choose its address; a trusted one that sends no header is closed and counted.
 */
class ProxyProtocolListenerTest {
  private static final Duration PATIENCE = Duration.ofSeconds(10);
  private static final String REQUEST = "GET / HTTP/1.1\r\nHost: usher\r\n\r\n";

  @TempDir Path directory;

  private static RunningServer start(String... settings) throws Exception {
    Map<String, String> overrides = new HashMap<>();
    overrides.put("server.proxy-protocol.mode", "on");
    for (int i = 0; i < settings.length; i += 2) {
      overrides.put(settings[i], settings[i + 1]);
    }
    // The application answers with the client's address as usher gives it.
    return RunningServer.start(
        overrides,
        (config, setup) ->
            setup.http(
                (request, exchange) ->
                    exchange.respond(
                        HttpResponses.text(
                            HttpResponseStatus.OK,
                            Unpooled.copiedBuffer(
                                exchange.remoteAddress().toString(), StandardCharsets.US_ASCII)))));
  }

  @Test
  void v1AndV2HeadersFromATrustedSourceNameTheClient() throws Exception {
    try (RunningServer usher = start()) {
      try (RawConnection v1 = RawConnection.open(usher.address())) {
        v1.send(ProxyHeaders.v1("198.51.100.9", 5555, "10.0.0.1", 443));
        assertEquals("/198.51.100.9:5555", v1.send(REQUEST).readResponse().bodyText());
        assertEquals("/198.51.100.9:5555", v1.send(REQUEST).readResponse().bodyText());
      }
      try (RawConnection v2 = RawConnection.open(usher.address())) {
        v2.send(ProxyHeaders.v2("203.0.113.7", 4242, "10.0.0.1", 443));
        assertEquals("/203.0.113.7:4242", v2.send(REQUEST).readResponse().bodyText());
      }
      assertEquals(0, refused(usher, "proxy_protocol_error"));
    }
  }

  @Test
  void curlsHeaderIsAccepted() throws Exception {
    Path curl = ExternalTools.require("curl", "curl");
    try (RunningServer usher = start()) {
      var answer =
          ExternalTools.run(
                  PATIENCE,
                  List.of(
                      curl.toString(),
                      "-sS",
                      "--haproxy-protocol",
                      "http://127.0.0.1:" + usher.port() + "/"))
              .assertSucceeded();

      assertTrue(answer.output().startsWith("/127.0.0.1:"), answer.output());
    }
  }

  @Test
  void anUntrustedSourceCannotChooseItsAddressButMayConnectWithoutAHeader() throws Exception {
    try (RunningServer usher = start("server.proxy-protocol.trusted-sources", "192.0.2.0/24")) {
      try (RawConnection spoofing = RawConnection.open(usher.address())) {
        spoofing.send(ProxyHeaders.v1("198.51.100.9", 5555, "10.0.0.1", 443));
        spoofing.awaitClosedByServer(PATIENCE);
      }
      try (RawConnection direct = RawConnection.open(usher.address())) {
        WireResponse answer = direct.send(REQUEST).readResponse();
        assertEquals(
            "/127.0.0.1:" + direct.socket().getLocalPort(),
            answer.bodyText(),
            "the peer's address");
      }
      await().atMost(PATIENCE).until(() -> refused(usher, "proxy_untrusted") == 1);
      assertEquals(2, usher.scrape().require("server_connections_accepted_total"));
    }
  }

  @Test
  void aTrustedSourceThatSendsNoHeaderInTimeIsClosedAndCounted() throws Exception {
    try (RunningServer usher = start("server.proxy-protocol.timeout", "200ms");
        RawConnection silent = RawConnection.open(usher.address())) {
      silent.awaitClosedByServer(PATIENCE);

      await().atMost(PATIENCE).until(() -> refused(usher, "proxy_protocol_error") == 1);
    }
  }

  @Test
  void aRealHaproxyInFrontPassesTheClientsAddressForPlainAndTlsListeners() throws Exception {
    Path haproxy = ExternalTools.require("haproxy", "haproxy");
    TestCertificates certificates = TestCertificates.in(directory);
    TestCertificates.Pair server = certificates.server("server");
    try (RunningServer usher = start();
        RunningServer tlsUsher =
            start(
                "server.tls.certificate", server.certificate().toString(),
                "server.tls.private-key", server.privateKey().toString())) {
      int plainFront = freePort();
      int tlsFront = freePort();
      Path config = directory.resolve("haproxy.cfg");
      Files.writeString(
          config,
          String.join(
              "\n",
              "defaults",
              "  mode tcp",
              "  timeout connect 5s",
              "  timeout client 30s",
              "  timeout server 30s",
              "frontend plain",
              "  bind 127.0.0.1:" + plainFront,
              "  default_backend usher",
              "backend usher",
              "  server usher 127.0.0.1:" + usher.port() + " send-proxy-v2",
              "frontend tls",
              "  bind 127.0.0.1:" + tlsFront,
              "  default_backend tls_usher",
              "backend tls_usher",
              "  server usher 127.0.0.1:" + tlsUsher.port() + " send-proxy-v2",
              ""));
      Process proxy =
          new ProcessBuilder(haproxy.toString(), "-db", "-f", config.toString())
              .redirectErrorStream(true)
              .redirectOutput(directory.resolve("haproxy.log").toFile())
              .start();
      try {
        await().atMost(PATIENCE).until(() -> accepts(plainFront) && accepts(tlsFront));

        try (RawConnection client =
            RawConnection.open(new InetSocketAddress("127.0.0.1", plainFront))) {
          assertEquals(
              "/127.0.0.1:" + client.socket().getLocalPort(),
              client.send(REQUEST).readResponse().bodyText(),
              "the client's own port, not HAProxy's");
        }
        var overTls =
            ExternalTools.run(
                    PATIENCE,
                    List.of(
                        ExternalTools.require("curl", "curl").toString(),
                        "-sS",
                        "--cacert",
                        certificates.authority().toString(),
                        "--connect-to",
                        "localhost:443:127.0.0.1:" + tlsFront,
                        "https://localhost/"))
                .assertSucceeded();
        assertTrue(overTls.output().startsWith("/127.0.0.1:"), overTls.output());
        assertEquals(
            1, tlsUsher.scrape().require("server_tls_handshakes_total", "result=\"success\""));
      } finally {
        proxy.destroy();
        proxy.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  private static boolean accepts(int port) {
    try (var probe = new java.net.Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException notYet) {
      return false;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static double refused(RunningServer usher, String reason) throws Exception {
    return usher.scrape().require("server_connections_refused_total", "reason=\"" + reason + "\"");
  }
}
