package dev.usher.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code log.access} and {@code http.trusted-proxies}: off and none unless set, checked. */
class ConfigAccessLogKeysTest {

  @Test
  void theAccessLogIsOffAndNoProxyIsTrustedByDefault() throws Exception {
    UsherConfig config = new ConfigLayers().load().config();

    assertFalse(config.log().access());
    assertEquals(List.of(), config.http().trustedProxies());
  }

  @Test
  void bothAreReadFromEnvironmentVariables() throws Exception {
    UsherConfig config =
        new ConfigLayers()
            .environment("LOG_ACCESS", "on")
            .environment("HTTP_TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.7,2001:db8::/32")
            .load()
            .config();

    assertTrue(config.log().access());
    assertEquals(
        List.of(new Cidr("10.0.0.0", 8), new Cidr("192.0.2.7", 32), new Cidr("2001:db8::", 32)),
        config.http().trustedProxies());
  }

  @Test
  void theAccessLogIsOnOrOff() {
    assertEquals(
        "invalid configuration: log.access = yes (from system property -Dlog.access): expected"
            + " on or off",
        new ConfigLayers().property("log.access", "yes").rejection());
  }

  @ParameterizedTest(name = "http.trusted-proxies = {0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          10.0.0.0/33         | 10.0.0.0/33
          10.0.0.0/8,proxy    | proxy
          """)
  void aTrustedProxyIsANetworkInCidrNotation(String value, String culprit) {
    assertEquals(
        "invalid configuration: http.trusted-proxies = "
            + value
            + " (from system property -Dhttp.trusted-proxies): expected networks in CIDR notation"
            + " such as 10.0.0.0/8, ::1/128 or 192.0.2.7 ("
            + culprit
            + " is not one)",
        new ConfigLayers().property("http.trusted-proxies", value).rejection());
  }
}
