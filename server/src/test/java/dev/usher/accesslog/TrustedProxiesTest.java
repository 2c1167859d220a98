package dev.usher.accesslog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.usher.config.Cidr;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Who the access log names as the client: the peer, unless the peer is a trusted proxy; then the
 * nearest address in {@code Forwarded} (or else {@code X-Forwarded-For}) that is not a trusted
 * proxy, read from the right.
 */
class TrustedProxiesTest {
  private static final TrustedProxies PROXIES =
      new TrustedProxies(List.of(new Cidr("10.0.0.0", 8), new Cidr("2001:db8::", 32)));

  @ParameterizedTest(name = "peer {0}, Forwarded [{1}], X-Forwarded-For [{2}] -> {3}")
  @CsvSource(
      delimiter = '|',
      nullValues = "null",
      textBlock =
          """
          # An untrusted peer's headers are its own word: ignored.
          192.0.2.1   | null                                     | 198.51.100.9              | 192.0.2.1
          192.0.2.1   | for=198.51.100.9                         | null                      | 192.0.2.1
          # A trusted peer without headers is the client.
          10.0.0.5    | null                                     | null                      | 10.0.0.5
          # A trusted peer: the address it saw connect.
          10.0.0.5    | null                                     | 198.51.100.9              | 198.51.100.9
          10.0.0.5    | null                                     | ' 198.51.100.9 '          | 198.51.100.9
          # From the right: the client may write anything to the left of what the proxy appended.
          10.0.0.5    | null                                     | 1.2.3.4, 198.51.100.9     | 198.51.100.9
          # Trusted hops are passed over, the first untrusted one is the client.
          10.0.0.5    | null                                     | 198.51.100.9, 10.1.1.1, 10.2.2.2 | 198.51.100.9
          # Only trusted hops: the last of them.
          10.0.0.5    | null                                     | 10.1.1.1, 10.2.2.2        | 10.1.1.1
          # Not an address: the walk ends at the proxy that passed it on.
          10.0.0.5    | null                                     | evil.example, 10.2.2.2    | 10.2.2.2
          10.0.0.5    | null                                     | '198.51.100.9, \"><script>' | 10.0.0.5
          10.0.0.5    | null                                     | ''                        | 10.0.0.5
          # Ports, as some proxies add them.
          10.0.0.5    | null                                     | 198.51.100.9:4711         | 198.51.100.9
          10.0.0.5    | null                                     | '[2001:db9::7]:80'        | 2001:db9::7
          # RFC 7239 wins over X-Forwarded-For; its quoted IPv6 with a port, its other parameters.
          10.0.0.5    | 'for=198.51.100.9;proto=https;by=10.0.0.5' | 203.0.113.1             | 198.51.100.9
          10.0.0.5    | 'for="[2001:db9:cafe::17]:4711"'          | null                      | 2001:db9:cafe::17
          10.0.0.5    | 'For=203.0.113.8, for=10.3.3.3'           | null                      | 203.0.113.8
          10.0.0.5    | 'for=unknown'                             | null                      | 10.0.0.5
          10.0.0.5    | 'for=_hidden, for=198.51.100.9'           | null                      | 198.51.100.9
          10.0.0.5    | 'proto=https'                             | null                      | 10.0.0.5
          # IPv6 peers, written short.
          2001:db8::1 | null                                     | 198.51.100.9              | 198.51.100.9
          2001:db9::1 | null                                     | 198.51.100.9              | 2001:db9::1
          """)
  void namesTheClient(String peer, String forwarded, String forwardedFor, String client) {
    assertEquals(
        client,
        PROXIES.client(new InetSocketAddress(peer, 443), forwarded, unescape(forwardedFor)));
  }

  @Test
  void noTrustedProxyMeansThePeerWhateverTheHeadersSay() {
    assertEquals(
        "10.0.0.5",
        TrustedProxies.NONE.client(
            new InetSocketAddress("10.0.0.5", 1), "for=198.51.100.9", "198.51.100.9"));
  }

  @Test
  void aHostileHeaderCostsABoundedWalk() {
    String manyTrustedHops = "198.51.100.9, " + "10.0.0.1, ".repeat(100_000) + "10.0.0.2";
    String oneHugeHop = "1".repeat(1_000_000);

    assertTimeoutPreemptively(
        Duration.ofSeconds(2),
        () -> {
          // After MAX_HOPS trusted hops the walk stops: at a trusted address, never the text.
          assertEquals(
              "10.0.0.1",
              PROXIES.client(new InetSocketAddress("10.0.0.5", 1), null, manyTrustedHops));
          assertEquals(
              "10.0.0.5", PROXIES.client(new InetSocketAddress("10.0.0.5", 1), null, oneHugeHop));
        });
  }

  private static String unescape(String value) {
    return value == null ? null : value.replace("\\\"", "\"");
  }
}
