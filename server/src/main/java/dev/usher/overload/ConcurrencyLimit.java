package dev.usher.overload;

/**
 * How many requests may be served at once, process-wide: a fixed number ({@code
 * server.overload.max-concurrent-requests}) or one found from latency ({@code
 * server.overload.adaptive-concurrency}).
 */
interface ConcurrencyLimit {
  /** A place for one more request, or null when there is none. */
  Permit tryAcquire();

  /** The limit now. */
  int limit();

  /** Requests holding a place now. */
  int inFlight();
}
