package dev.usher.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.usher.testing.RunningServer;

/** Assertions that take more than one scrape. */
final class PrometheusScrapeAssert {
  private PrometheusScrapeAssert() {}

  /**
   * Two scrapes in a row (two Prometheus replicas, say) read the same value: nothing resets on
   * scrape.
   */
  static void twoScrapesAgree(RunningServer server, String gauge, double expected)
      throws Exception {
    double first = server.scrape().require(gauge, "listener=\"main\"");
    double second = server.scrape().require(gauge, "listener=\"main\"");
    assertEquals(expected, first, gauge + " on the first scrape");
    assertEquals(expected, second, gauge + " on the second scrape");
  }
}
