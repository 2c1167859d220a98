package dev.usher.config;

import java.time.Duration;

/**
 * What usher does under overload ({@code server.overload.*}); every rule is off by default.
 *
 * @param acceptQueueTimeout a connection that waited longer than this in the kernel's accept queue
 *     is not served (its client has likely given up); zero is off
 * @param maxEventLoopLag while a worker loop's lag is above this, its new requests get 503 and its
 *     new connections are refused; zero is off
 * @param maxConcurrentRequests requests served at once, above which a new one gets 503; zero is no
 *     limit. With {@code adaptiveConcurrency}, the most the adaptive limit may allow
 * @param adaptiveConcurrency whether the limit is found from latency (Gradient2)
 */
public record OverloadConfig(
    Duration acceptQueueTimeout,
    Duration maxEventLoopLag,
    int maxConcurrentRequests,
    boolean adaptiveConcurrency) {

  /** No rule on. */
  public static final OverloadConfig OFF =
      new OverloadConfig(Duration.ZERO, Duration.ZERO, 0, false);
}
