package dev.usher.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * The listener hand-over's meters, registered once at start when {@code lifecycle.handover-path} is
 * set, every result of both roles present from the first scrape: {@code
 * server_handovers_total{role, result}} and {@code server_handover_duration_seconds{role}}.
 */
public final class HandoverMeters {
  /** Which side of a hand-over this process was. */
  public enum Role {
    /** The serving usher that gave its listening sockets away. */
    GIVER,
    /** The new usher that received them. */
    TAKER;

    String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** How a hand-over ended, for the side that counts it. */
  public enum Result {
    /** The sockets changed hands and the taker serves on them. */
    COMPLETED(Role.GIVER, Role.TAKER),
    /** The taker went away (or failed) before it was ready; the giver serves on. */
    ABANDONED(Role.GIVER),
    /** A peer of another uid, or one that broke the protocol, was turned away. */
    REFUSED(Role.GIVER),
    /** The sockets did not match the taker's configuration (address, port, accept mode). */
    MISMATCH(Role.TAKER),
    /** The hand-over failed on the taker's side (a timeout, a socket it could not adopt). */
    FAILED(Role.TAKER);

    private final Role[] roles;

    Result(Role... roles) {
      this.roles = roles;
    }

    String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final Map<Role, Map<Result, Counter>> results = new EnumMap<>(Role.class);
  private final Map<Role, Timer> durations = new EnumMap<>(Role.class);

  public HandoverMeters(MeterRegistry registry) {
    for (Role role : Role.values()) {
      results.put(role, new EnumMap<>(Result.class));
      durations.put(
          role,
          Timer.builder("server.handover.duration")
              .description(
                  "How long a listener hand-over took: for the taker from its connect to its ready (accepting on the sockets), for the giver from the connect to its release of them")
              .tag("role", role.tag())
              .register(registry));
    }
    for (Result result : Result.values()) {
      for (Role role : result.roles) {
        results
            .get(role)
            .put(
                result,
                Counter.builder("server.handovers")
                    .description(
                        "Listener hand-overs this process took part in, by role and result")
                    .tag("role", role.tag())
                    .tag("result", result.tag())
                    .register(registry));
      }
    }
    results.replaceAll((role, counters) -> Collections.unmodifiableMap(counters));
  }

  /** Counts one hand-over's end and, for a completed one, how long it took. */
  public void record(Role role, Result result, Duration took) {
    Counter counter = results.get(role).get(result);
    if (counter == null) {
      throw new IllegalArgumentException(
          "result " + result.tag() + " is not one of a " + role.tag());
    }
    counter.increment();
    if (result == Result.COMPLETED) {
      durations.get(role).record(took);
    }
  }
}
