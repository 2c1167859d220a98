package dev.usher.overload;

import java.util.Locale;

/** Why a request was answered 503 to protect the server, the {@code reason} tag of its count. */
public enum ShedReason {
  /**
   * Its worker loop was shedding ({@code server.overload.max-event-loop-lag}) and it had waited
   * longer than that in its socket.
   */
  EVENT_LOOP_LAG,
  /** {@code server.overload.max-concurrent-requests} requests were being served. */
  CONCURRENCY,
  /** {@code http.blocking.max-concurrent} blocking tasks were running. */
  BLOCKING_LIMIT;

  public String tag() {
    return name().toLowerCase(Locale.ROOT);
  }
}
